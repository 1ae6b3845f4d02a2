import ArgumentParser
import Lang
import Notebook
import Tensors

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

struct KernelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel",
        abstract: "Serve a notebook front end (the Jupyter kernel) over standard input and output.",
        discussion: """
            Reads one JSON request per line on standard input and answers with JSON \
            lines on standard output: execute (streams, results with HTML for tables, \
            PNG charts, progress), complete, inspect, is_complete, kernel_info and \
            shutdown. SIGINT interrupts the running cell at a safe point; variables \
            and trainers survive. The protocol is described in docs/kernel.md; the \
            Jupyter kernel package in jupyter/ relays it.
            """)

    func run() throws {
        KernelServer().serve()
    }
}

/// The kernel's side of the protocol in docs/kernel.md: a session driven by
/// requests, its output sent as events tagged with the request's id.
final class KernelServer {
    let session = Session(sink: { _ in })
    let repl: REPL
    /// The real standard output, kept for the protocol; file descriptor 1
    /// then points at standard error, so nothing else can corrupt the stream.
    private let out: Int32
    private var requestID: JSON = .null
    private var pagerText: String?
    private var running = true

    init() {
        out = dup(1)
        dup2(2, 1)
        repl = REPL(session: session, historyPath: nil, interactive: false)  // installs the SIGINT handler
        session.sink = { [unowned self] text in self.send("stream", [("name", .string("stdout")), ("text", .string(text))]) }
        session.errorSink = { _ in }  // errors go out as data, in the reply
        session.progressSink = { [unowned self] text in self.send("progress", [("text", .string(text))]) }
        // step() and compare() redraw one line in place: in a notebook, one display updated.
        // FAIRGRPO_PROGRESS=off leaves it out, so a notebook prints what a script prints
        // (periodic log lines; the tutorial notebooks are checked that way).
        if getenv("FAIRGRPO_PROGRESS").map({ String(cString: $0) }) != "off" {
            session.progressDisplay = KernelProgress { [unowned self] text in self.send("progress", [("text", .string(text))]) }
        }
        session.resultSink = { [unowned self] value in self.send("result", [("data", .object(KernelServer.bundle(value)))]) }
        session.imageSink = { [unowned self] path, width, height in self.sendImage(path: path, width: width, height: height) }
        repl.write = session.sink
        repl.page = { [unowned self] text in self.pagerText = (self.pagerText.map { $0 + "\n" } ?? "") + text }
        repl.quit = { [unowned self] in
            self.session.sink("the kernel keeps running: stop it from the notebook (Kernel › Shut Down)\n")
        }
    }

    /// text/plain always; text/html for values that have an HTML form.
    static func bundle(_ value: Value) -> [(String, JSON)] {
        var data: [(String, JSON)] = [("text/plain", .string(Session.echo(value)))]
        if let html = RichDisplay.html(for: value) { data.append(("text/html", .string(html))) }
        return data
    }

    func serve() {
        var reader = LineReader(fd: 0)
        send("ready", [("protocol_version", .string(KernelServer.protocolVersion))])
        while running, let line = reader.next() {
            if line.allSatisfy({ $0 == " " || $0 == "\r" || $0 == "\t" }) { continue }
            let request: JSON
            do { request = try JSON.parse(line) } catch {
                requestID = .null
                reply([("status", .string("error")), ("ename", .string("ProtocolError")), ("evalue", .string("bad request: \(error)"))])
                continue
            }
            requestID = request["id"] ?? .null
            handle(request)
        }
    }

    static let protocolVersion = "1"

    func handle(_ request: JSON) {
        let code = request["code"]?.string ?? ""
        switch request["type"]?.string ?? "" {
        case "execute": execute(code)
        case "complete": complete(code, cursor: request["cursor_pos"]?.int ?? code.unicodeScalars.count)
        case "inspect": inspect(code, cursor: request["cursor_pos"]?.int ?? code.unicodeScalars.count)
        case "is_complete": reply([("status", .string(isComplete(code))), ("indent", .string(""))])
        case "kernel_info":
            reply([("status", .string("ok")), ("implementation", .string("fairgrpo")),
                   ("implementation_version", .string(VersionInfo.version)),
                   ("banner", .string("fairgrpo \(VersionInfo.version) · \(VersionInfo.blasSummary)")),
                   ("language_info", .object([("name", .string("fairgrpo")), ("version", .string(VersionInfo.version)),
                                              ("mimetype", .string("text/x-fairgrpo")), ("file_extension", .string(".fg")),
                                              ("pygments_lexer", .string("python")), ("codemirror_mode", .string("python"))]))])
        case "shutdown":
            reply([("status", .string("ok"))])
            running = false
        case let other:
            reply([("status", .string("error")), ("ename", .string("ProtocolError")), ("evalue", .string("unknown request type '\(other)'"))])
        }
    }

    // MARK: Requests

    func execute(_ code: String) {
        Interrupt.clear()  // a SIGINT that arrived while idle must not stop this cell
        pagerText = nil
        let number = session.cells.count + 1
        _ = repl.handle(code)
        var fields: [(String, JSON)] = [("execution_count", .number(Double(number)))]
        if let pagerText { fields.append(("page", .string(pagerText))) }
        // The error the last cell run here stopped with (an interrupt included, as IPython reports it).
        if session.cells.count >= number, let failure = session.lastFailure {
            let traceback = failure.text.split(separator: "\n", omittingEmptySubsequences: false).map { JSON.string(String($0)) }
            var error: [(String, JSON)] = [("status", .string("error")), ("ename", .string(failure.name)),
                                           ("evalue", .string(failure.message)), ("traceback", .array(traceback))]
            if let file = failure.file { error.append(("cell", .string(file))) }
            if let line = failure.line { error.append(("line", .number(Double(line)))) }
            if let column = failure.column { error.append(("column", .number(Double(column)))) }
            fields = error + fields
        } else {
            fields = [("status", .string("ok"))] + fields
        }
        reply(fields)
    }

    /// Characters that end the word being completed, as in the REPL's line editor.
    static let wordBreaks = Set(" \t\n\"'([{,=+-*/@<>!;:.%")

    func complete(_ code: String, cursor: Int) {
        let scalars = Array(code.unicodeScalars)
        let cursor = max(0, min(cursor, scalars.count))
        var before = String(String.UnicodeScalarView(scalars[0..<cursor]))
        if let newline = before.lastIndex(of: "\n") { before = String(before[before.index(after: newline)...]) }
        let line = Array(before)
        var start = line.count
        while start > 0, !KernelServer.wordBreaks.contains(line[start - 1]) { start -= 1 }
        let word = String(line[start...])
        let matches = Completer(session: session).candidates(line: before, start: start, end: line.count)
        reply([("status", .string("ok")), ("matches", .array(matches.map { .string($0) })),
               ("cursor_start", .number(Double(cursor - word.unicodeScalars.count))), ("cursor_end", .number(Double(cursor)))])
    }

    func inspect(_ code: String, cursor: Int) {
        let scalars = Array(code.unicodeScalars)
        func isName(_ s: Unicode.Scalar) -> Bool { s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "_" }
        var start = max(0, min(cursor, scalars.count)), end = start
        // The name under the cursor, or the one just before it ("step(|").
        if (start == scalars.count || !isName(scalars[start])), start > 0, scalars[start - 1] == "(" { start -= 1; end = start }
        while start > 0, isName(scalars[start - 1]) { start -= 1 }
        while end < scalars.count, isName(scalars[end]) { end += 1 }
        let name = String(String.UnicodeScalarView(scalars[start..<end]))
        if !name.isEmpty, let text = session.help(for: name) {
            reply([("status", .string("ok")), ("found", .bool(true)), ("data", .object([("text/plain", .string(text))]))])
        } else {
            reply([("status", .string("ok")), ("found", .bool(false)), ("data", .object([]))])
        }
    }

    /// "complete", "incomplete" (an open bracket or string) or "invalid".
    func isComplete(_ code: String) -> String {
        let trimmed = code.trimmed
        if trimmed.isEmpty || trimmed.hasPrefix(":") || trimmed.hasSuffix("?") { return "complete" }
        let parsed = Parser.parse(SourceFile(name: "<input>", text: code))
        if parsed.isIncomplete { return "incomplete" }
        return parsed.diagnostics.isEmpty ? "complete" : "invalid"
    }

    // MARK: Output

    private func sendImage(path: String, width: Int, height: Int) {
        guard let bytes = try? FileIO.read(path) else { return }
        send("display", [("data", .object([("image/png", .string(NotebookExport.base64(bytes))),
                                           ("text/plain", .string("<plot \(width)×\(height)>"))])),
                         ("metadata", .object([("image/png", .object([("width", .number(Double(width))),
                                                                      ("height", .number(Double(height)))]))]))])
    }

    private func reply(_ fields: [(String, JSON)]) { send("reply", fields) }

    private func send(_ type: String, _ fields: [(String, JSON)]) {
        let line = JSON.object([("id", requestID), ("type", .string(type))] + fields).text + "\n"
        var bytes = Array(line.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(out, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; exit(0) }  // the front end has gone
            bytes = bytes.dropFirst(n)
        }
    }
}

/// Lines from a file descriptor, retrying reads a signal interrupted (SIGINT
/// is how the front end interrupts, and it may arrive while the kernel waits).
struct LineReader {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var atEnd = false
    init(fd: Int32) { self.fd = fd }

    mutating func next() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            if atEnd {
                guard !buffer.isEmpty else { return nil }
                defer { buffer.removeAll() }
                return String(decoding: buffer, as: UTF8.self)
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { atEnd = true; continue }
            buffer += chunk[..<n]
        }
    }
}

/// The progress line of `step()` and `compare()` as a notebook display updated
/// in place (the relay turns each "progress" event into update_display_data).
final class KernelProgress: ProgressDisplay {
    private let send: (String) -> Void
    init(send: @escaping (String) -> Void) { self.send = send }
    func update(_ line: String) { send(line) }
    // The finished work's summary line follows as ordinary output; the display keeps the last state.
    func clear() {}
}
