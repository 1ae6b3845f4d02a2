import Lang
import Notebook

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Tab completion for the REPL: names, members after `.`, keyword names
/// inside a call, and file paths inside strings.
struct Completer {
    let session: Session
    static let metaCommands = [":help", ":vars", ":history", ":time", ":run", ":save", ":export", ":cd", ":set", ":reset", ":quit"]

    /// Replacements for the word `line[start..<end]`.
    func candidates(line: String, start: Int, end: Int) -> [String] {
        let chars = Array(line)
        let before = String(chars[0..<min(start, chars.count)])
        let word = String(chars[min(start, chars.count)..<min(end, chars.count)])

        if let stringStart = openStringStart(before) {
            // Inside a string: complete a path. The word starts after the last
            // '/', so return base names.
            let typed = String(chars[(stringStart + 1)..<min(end, chars.count)])
            return pathCandidates(typed)
        }
        if before == ":" {
            return Completer.metaCommands.filter { $0.dropFirst().hasPrefix(word) }.map { String($0.dropFirst()) }
        }
        if before.hasSuffix(".") {
            let receiver = trailingName(String(before.dropLast()))
            return memberCandidates(receiver).filter { $0.hasPrefix(word) }
        }
        var names = session.interpreter.definedNames.filter { $0.hasPrefix(word) && !$0.hasPrefix("_") || ($0.hasPrefix(word) && word.hasPrefix("_")) }
        names = names.map { name in
            if case .function? = session.interpreter.value(of: name) { return name + "(" }
            return name
        }
        if let callee = enclosingCall(before), case .function(let f)? = session.interpreter.value(of: callee) {
            let keywords = f.parameters.filter { $0.kind != .variadic }.map { $0.name + "=" }.filter { $0.hasPrefix(word) }
            names = keywords + names
        }
        let keywords = Keyword.allCases.map(\.rawValue).filter { $0.hasPrefix(word) && !word.isEmpty }
        return Array(Set(names + keywords)).sorted()
    }

    /// Index of the quote that opens a string still open at the end of `text`.
    private func openStringStart(_ text: String) -> Int? {
        var open: (Character, Int)?
        var escaped = false
        for (i, c) in text.enumerated() {
            if escaped { escaped = false; continue }
            if let (q, _) = open {
                if c == "\\" { escaped = true } else if c == q { open = nil }
            } else if c == "\"" || c == "'" {
                open = (c, i)
            } else if c == "#" {
                return nil
            }
        }
        return open?.1
    }

    /// The dotted name ending `text` ("t.history" in "plot(t.history").
    private func trailingName(_ text: String) -> String {
        var name = ""
        for c in text.reversed() {
            if c.isLetter || c.isNumber || c == "_" || c == "." { name.insert(c, at: name.startIndex) } else { break }
        }
        return name
    }

    /// Members of the value a dotted name refers to, without running any code
    /// but member lookups of records and objects.
    private func memberCandidates(_ dotted: String) -> [String] {
        let parts = dotted.split(separator: ".").map(String.init)
        guard let first = parts.first, var value = session.interpreter.value(of: first) else { return [] }
        for part in parts.dropFirst() {
            switch value {
            case .record(let r): guard let v = r[part] else { return [] }; value = v
            case .object(let o): guard let v = try? o.member(part) else { return [] }; value = v
            default: return []
            }
        }
        switch value {
        case .record(let r): return r.keys
        case .object(let o): return o.memberNames
        case .list: return ["append(", "extend(", "pop(", "insert(", "index(", "reverse("]
        case .string: return ["split(", "join(", "upper(", "lower(", "strip(", "replace(", "startswith(", "endswith("]
        default: return []
        }
    }

    /// The name of the innermost call whose parenthesis is still open.
    private func enclosingCall(_ text: String) -> String? {
        var depth = 0
        let chars = Array(text)
        var i = chars.count - 1
        while i >= 0 {
            switch chars[i] {
            case ")", "]", "}": depth += 1
            case "[", "{": if depth == 0 { return nil }; depth -= 1
            case "(":
                if depth == 0 {
                    let name = trailingName(String(chars[0..<i]))
                    return name.isEmpty ? nil : String(name.split(separator: ".").last ?? "")
                }
                depth -= 1
            default: break
            }
            i -= 1
        }
        return nil
    }

    /// Base names in the directory of `typed` that extend its last component.
    private func pathCandidates(_ typed: String) -> [String] {
        let (directory, prefix): (String, String)
        if let slash = typed.lastIndex(of: "/") {
            directory = String(typed[...slash])
            prefix = String(typed[typed.index(after: slash)...])
        } else {
            directory = ""
            prefix = typed
        }
        guard let dir = opendir(directory.isEmpty ? "." : directory) else { return [] }
        defer { closedir(dir) }
        var out: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            guard name != ".", name != "..", name.hasPrefix(prefix), !name.hasPrefix(".") || prefix.hasPrefix(".") else { continue }
            var st = stat()
            let isDirectory = stat(directory + name, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
            out.append(isDirectory ? name + "/" : name)
        }
        return out.sorted()
    }
}
