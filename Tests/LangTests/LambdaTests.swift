import Lang
import Testing

@Suite struct LambdaTests {
    @Test("fn(params) { body } is a value whose last expression is its result")
    func value() throws {
        #expect(try reprs("sq = fn(x) { x * x }\nsq(4)\nsq") == ["16", "<fn(x)>"])
        #expect(try reprs("f = fn(a, b=10) { c = a + b; c * 2 }\nf(1)\nf(1, b=2)") == ["22", "6"])
        #expect(try reprs("fn(r) { if r > 1 { return \"big\" }; \"small\" }(3)") == ["\"big\""])
        #expect(try reprs("fn(r) { if r > 1 { return \"big\" }; \"small\" }(0)") == ["\"small\""])
        #expect(try reprs("f = fn() { x = 1 }\nf()") == [])  // an assignment last: none
        #expect(try reprs("[fn(x) { x + 1 }][0](1)") == ["2"])
        #expect(try reprs("r = {f: fn(x) {\n  y = x * 3\n  y + 1\n}}\nr.f(2)") == ["7"])
    }

    @Test("closures see the variables of the functions around them, by reference")
    func closures() throws {
        let source = """
            fn adder(n) { return fn(x) { x + n } }
            adder(3)(10)
            fn outer(a) { return fn(b) { fn(c) { a + b + c } } }
            outer(1)(2)(3)
            fn late() {
                v = 1
                get = fn() { v }
                v = 5
                return get()
            }
            late()
            fn counter() {
                count = [0]
                bump = fn() { count[0] = count[0] + 1; count[0] }
                bump(); bump()
                return bump()
            }
            counter()
            fn named() {
                k = 7
                fn inner() { return k * 2 }
                return inner()
            }
            named()
            """
        #expect(try reprs(source) == ["13", "6", "5", "3", "14"])
    }

    @Test("each call has its own captured variables")
    func separateFrames() throws {
        #expect(try reprs("fn mk(n) { return fn() { n } }\na = mk(1)\nb = mk(2)\n[a(), b(), a()]") == ["[1, 2, 1]"])
    }

    @Test("assigning inside a closure makes a local of the closure, as in Python")
    func assignmentIsLocal() throws {
        let e = errorText("fn f() {\n  n = 1\n  g = fn() { n += 1; n }\n  return g()\n}\nf()")
        #expect(e?.contains("local variable 'n' is used before it is assigned") == true)
        #expect(try reprs("n = 5\nfn f() { g = fn() { n = 1; n }; return [g(), n] }\nf()\nn") == ["[1, 5]", "5"])
    }

    @Test("top-level closures read globals when called")
    func globals() throws {
        #expect(try reprs("k = 1\nf = fn() { k }\nk = 2\nf()") == ["2"])
    }

    @Test("a builtin can call a closure")
    func calledFromSwift() throws {
        let i = Interpreter()
        _ = try values("t = 1.5\nabove = fn(r) { r.weight > t }", in: i)
        let f = try #require(i.value(of: "above"))
        let heavy = try i.call(f, positional: [.record(RecordObject([("weight", .number(2))]))])
        let light = try i.call(f, positional: [.record(RecordObject([("weight", .number(1))]))])
        #expect(heavy.isEqual(to: .bool(true)))
        #expect(light.isEqual(to: .bool(false)))
        #expect(throws: (any Error).self) { try i.call(f, positional: []) }
    }

    @Test("check resolves names inside anonymous functions")
    func check() {
        let i = Interpreter()
        let text = "fn f(t) {\n  return fn(r) { r > t and r < limt }\n}\n"
        let problems = i.check(SourceFile(name: "t", text: text))
        #expect(problems.count == 1)
        #expect(problems.first?.message == "name 'limt' is not defined")
        #expect(problems.first?.location == SourceLocation(line: 2, column: 32))
        #expect(i.check(SourceFile(name: "t", text: "fn f(t) { return fn(r) { r > t } }\n")).isEmpty)
    }

    @Test("syntax: a named fn is a statement, fn( an expression; errors are clear")
    func syntax() {
        #expect(Parser.parse(SourceFile(name: "t", text: "fn(x) { x }\n")).diagnostics.isEmpty)
        let missing = Parser.parse(SourceFile(name: "t", text: "f = fn(x) x\n")).diagnostics
        #expect(missing.first?.message.contains("expected '{' to start the function body") == true)
        let dup = Parser.parse(SourceFile(name: "t", text: "f = fn(a, a) { a }\n")).diagnostics
        #expect(dup.first?.message == "duplicate parameter 'a'")
        #expect(Parser.parse(SourceFile(name: "t", text: "f = fn(x) {\n")).isIncomplete)
    }
}
