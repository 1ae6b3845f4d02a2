// libFuzzer entry point for the language: lexer, parser, resolver and
// interpreter, fed arbitrary bytes. Built by scripts/fuzz, which compiles the
// Lang module's sources together with this file (the Notebook builtins need
// the tensor library and its C modules, so a few stand-ins are defined here).
//
// Every input runs in a fresh interpreter under a time budget: a watchdog
// thread requests an interrupt when a run takes longer than `budget`, so
// runaway loops end like a Ctrl-C instead of hanging the fuzzer.

import Glibc
import Synchronization

/// How long one input may run before it is interrupted.
private let budget: Double = 0.1

/// Runs that have not finished yet: the watchdog interrupts the current one
/// when it is older than `budget`.
private let runStarted = Atomic<UInt64>(0)  // nanoseconds on CLOCK_MONOTONIC, 0 when idle
private let watchdogStarted = Atomic<Bool>(false)

private func nowNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

private func startWatchdog() {
    if watchdogStarted.exchange(true, ordering: .relaxed) { return }
    var thread = pthread_t()
    pthread_create(&thread, nil, { _ in
        let limit = UInt64(budget * 1e9)
        while true {
            usleep(10_000)
            let started = runStarted.load(ordering: .relaxed)
            if started != 0 && nowNanoseconds() - started > limit { Interrupt.request() }
        }
    }, nil)
    pthread_detach(thread)
}

/// Output is counted, not kept: a program printing in a loop must not fill memory.
nonisolated(unsafe) private var printedBytes = 0

private func makeInterpreter() -> Interpreter {
    let i = Interpreter()
    i.write = { printedBytes &+= $0.utf8.count }
    i.register(BuiltinFunction(
        "print", [.variadic("values"), Parameter("sep", default: .string(" ")), Parameter("end", default: .string("\n"))],
        summary: "Prints values.", example: "print(1)"
    ) { a, interp in
        let text = try a.list("values").map(\.display).joined(separator: try a.string("sep")) + (try a.string("end"))
        interp.write(text)
        return .none
    })
    i.register(BuiltinFunction(
        "range", [Parameter("start"), Parameter("stop", default: Value.none), Parameter("step", default: .number(1))],
        summary: "Whole numbers.", example: "range(3)"
    ) { a, _ in
        var start = try a.integer("start"), stop = 0
        if let s = try a.optionalInteger("stop") { stop = s } else { stop = start; start = 0 }
        let step = try a.integer("step")
        guard step != 0 else { throw RuntimeError("range(): step must not be zero") }
        return .object(RangeObject(start: start, stop: stop, step: step))
    })
    i.register(BuiltinFunction("len", [Parameter("x")], summary: "Length.", example: "len([1])") { a, _ in
        switch a["x"] {
        case .list(let l): return .number(Double(l.items.count))
        case .string(let s): return .number(Double(s.count))
        case .record(let r): return .number(Double(r.keys.count))
        case .object(let o):
            if let n = o.length() { return .number(Double(n)) }
            throw RuntimeError("len(): a \(o.typeName) has no length")
        default: throw RuntimeError("len(): a \(a["x"].typeName) has no length")
        }
    })
    return i
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    startWatchdog()
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let source = SourceFile(name: "fuzz.fg", bytes: bytes)

    // The script path: all of it parsed, then run cell by cell as `fairgrpo run` does.
    // Lexing and parsing are under the budget too: a huge literal must be
    // interruptible like a loop.
    Interrupt.clear()
    runStarted.store(nowNanoseconds(), ordering: .relaxed)
    defer {
        runStarted.store(0, ordering: .relaxed)
        Interrupt.clear()
    }
    let parsed = Parser.parse(source)
    if parsed.interrupted { return 0 }
    for d in parsed.diagnostics { _ = d.description }
    let interpreter = makeInterpreter()
    _ = interpreter.check(source)
    if parsed.diagnostics.isEmpty {
        for cell in CellSplitter.cells(of: source) {
            do {
                try interpreter.run(cell) { value in _ = value.repr }
            } catch let e as Diagnostic {
                _ = e.description
            } catch let e as DiagnosticList {
                _ = e.description
            } catch is InterruptedError {
                break
            } catch {
                _ = "\(error)"
            }
        }
    }
    return 0
}
