import Lang
import Testing

@Suite struct FormatStringTests {
    @Test("the lexer splits an f-string into text and fields with their locations")
    func lexer() throws {
        let lexer = Lexer("x = f\"a {b:>{w}.3f} {{c}} {d!r}\"")
        guard case .formatString(let pieces) = lexer.tokens[2].kind else { Issue.record("not an f-string: \(lexer.tokens[2].kind)"); return }
        #expect(lexer.errors.isEmpty)
        #expect(pieces.count == 4)
        #expect(pieces[0] == .text("a "))
        guard case .field(let b) = pieces[1], case .field(let d) = pieces[3] else { Issue.record("fields expected"); return }
        #expect(b.source == "b")
        #expect(b.location == SourceLocation(line: 1, column: 10))
        #expect(b.spec.count == 3)
        #expect(b.spec[0] == .text(">"))
        #expect(pieces[2] == .text(" {c} "))
        #expect(d.conversion == "r")
        #expect(lexer.tokens[3].kind == .newline)
    }

    @Test("an identifier f and a call f(x) are not f-strings")
    func notFormatStrings() throws {
        #expect(try reprs("f = 2\nf") == ["2"])
        #expect(try reprs("fn f(x) { return x }\nf(\"a\")") == ["\"a\""])
    }

    @Test("fields format like Python", arguments: [
        ("x = 0.9431855500821018\nf\"{x:.3f}\"", "0.943"),
        ("n = 1234567\nf\"{n:,}\"", "1,234,567"),
        ("p = 0.0214\nf\"{p:.1%}\"", "2.1%"),
        ("f\"[{'ab':>5}|{'ab':*^6}|{3:<4}]\"", "[   ab|**ab**|3   ]"),
        ("x = 2.5\nw = 8\nf\"{x:{w}.2f}|\"", "    2.50|"),
        ("x = 1.5\nf\"{x=}\"", "x=1.5"),
        ("s = \"hi\"\nf\"{s!r} {s}\"", "\"hi\" hi"),
        ("f\"{{}} {1 + 2} {[1, 2][1]} { {'a': 4}['a'] }\"", "{} 3 2 4"),
        ("f\"{fn(r) { r * 2 }(21)}\"", "42"),
        ("f\"{none} {true} {[1, 'a']}\"", "none true [1, \"a\"]"),
        ("f\"{0.1 + 0.2}\"", "0.30000000000000004"),
        ("f\"{-3:+d} {255:#x} {5:08.3f}\"", "-3 0xff 0005.000"),
        ("f'single {\"q\"}'", "single q"),
    ])
    func fields(_ source: String, _ expected: String) throws {
        let result = try values(source).last
        #expect(result?.display == expected)
    }

    @Test("format errors are located at the field")
    func errors() throws {
        let e = try #require(errorText("x = \"a\"\ny = f\"v {x:.3f}\""))
        #expect(e.contains("test.fg:2:10"))
        #expect(e.contains("format code 'f' needs a number, got string"))
        #expect(errorText("f\"{1.5:d}\"")?.contains("needs a whole number") == true)
        #expect(errorText("f\"{1:.3q}\"")?.contains("unknown format code 'q'") == true)
    }

    @Test("syntax errors in f-strings are reported once, where they are")
    func syntaxErrors() throws {
        let empty = Parser.parse(SourceFile(name: "t", text: "f\"{}\"\n")).diagnostics
        #expect(empty.count == 1)
        #expect(empty.first?.message.contains("empty expression") == true)
        let open = Parser.parse(SourceFile(name: "t", text: "f\"{x\"\n")).diagnostics
        #expect(open.count == 1)
        #expect(open.first?.message.contains("other quote") == true)
        let brace = Parser.parse(SourceFile(name: "t", text: "x = f\"a } b\"\n")).diagnostics
        #expect(brace.first?.message.contains("single '}'") == true)
        let bad = Parser.parse(SourceFile(name: "t", text: "y = 1\nx = f\"a {y +} b\"\n")).diagnostics
        #expect(bad.count == 1)
        #expect(bad.first?.location == SourceLocation(line: 2, column: 13))
        #expect(Parser.parse(SourceFile(name: "t", text: "x = f\"abc")).isIncomplete)
    }

    @Test("adding a number to a string suggests the f-string")
    func addNumberToString() {
        let e = errorText("x = 3\n\"reward \" + x")
        #expect(e?.contains("cannot add a number and a string") == true)
        #expect(e?.contains("f\"") == true)
    }

    @Test("names read in f-string fields are resolved (and checked)")
    func resolved() {
        let i = Interpreter()
        let problems = i.check(SourceFile(name: "t", text: "x = 1\nprint(f\"{x} {y}\")\n"))
        #expect(problems.map(\.message).contains("name 'y' is not defined"))
        #expect(!problems.map(\.message).contains("name 'x' is not defined"))
    }
}
