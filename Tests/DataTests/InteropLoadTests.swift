import Data
import Foundation
import Testing
import TestSupport

/// The JSON Lines reader, demographic groups from demo strings, and loading
/// recorded rollouts and evaluation dumps.
@Suite("Reading runs recorded elsewhere: JSONL, demo strings, rollouts, predictions")
struct InteropLoadTests {
    static func interop(_ name: String) -> String { Fixtures.directory + "/interop/" + name }

    func error(_ body: () throws -> Void) -> String {
        do { try body(); return "" } catch { return "\(error)" }
    }

    @Test("JSONL values: escapes, surrogate pairs, numbers, literals, nested values kept as JSON, absent keys, blank lines, CRLF, BOM")
    func values() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let text = "\u{FEFF}{\"a\": \"x\\n\\\"y\\\" \\u00e9 \\ud83d\\ude00 \\\\\", \"b\": -1.5e2, \"c\": true, \"d\": null, \"e\": [1, {\"f\": \"]\"}]}\r\n"
            + "\n   \n"
            + "{\"b\": 3, \"g\": \"only here\", \"c\": false}\n"
            + "{}"
        let path = try dir.write("v.jsonl", text)
        let t = try JSONLines.read(path: path)
        #expect(t.rowCount == 3)
        #expect(t.lines == [1, 4, 5])
        #expect(t.column("a") == [.text("x\n\"y\" é 😀 \\"), .missing, .missing])
        #expect(t.column("b") == [.number(-150), .number(3), .missing])
        #expect(t.column("c") == [.bool(true), .bool(false), .missing])
        #expect(t.column("d") == [.null, .missing, .missing])
        #expect(t.column("e") == [.json("[1, {\"f\": \"]\"}]"), .missing, .missing])
        #expect(t.column("g") == [.missing, .text("only here"), .missing])
        // Asked-for fields only; the others are skipped without being built.
        let only = try JSONLines.read(path: path, fields: ["b"])
        #expect(only.names == ["b"])
        #expect(only.column("b") == [.number(-150), .number(3), .missing])
        #expect(JSONCell.text("12").number == 12)
        #expect(JSONCell.number(3).text == "3")
    }

    @Test("JSONL escapes at the edges: only escapes, lone surrogates, short \\u, invalid UTF-8 beside an escape")
    func escapeEdges() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        var bytes = Array("{\"a\": \"\\n\\t\\\\\"}\n".utf8)                         // nothing but escapes
        bytes += Array("{\"a\": \"x\\ud800y\\udc00\"}\n".utf8)                      // lone high and low surrogates
        bytes += Array("{\"a\": \"\\u12\\u00zz\\u0041\"}\n".utf8)                 // too short, not hex, then valid
        bytes += Array("{\"a\": \"".utf8) + [0xC3, 0x28] + Array("\\n\"}\n".utf8)  // invalid UTF-8, then an escape
        let path = dir.path + "/e.jsonl"
        FileManager.default.createFile(atPath: path, contents: Foundation.Data(bytes))
        let t = try JSONLines.read(path: path)
        #expect(t.column("a") == [.text("\n\t\\"), .text("x\u{FFFD}y\u{FFFD}"), .text("\\u12\\u00zzA"), .text("\u{FFFD}(\n")])
    }

    @Test("JSONL errors name the file, line and column; a file split over two threads still gives the right line")
    func errors() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let cases: [(String, String)] = [
            ("{\"a\": 1}\n{\"a\": 2,}\n", "bad.jsonl:2:9: expected a key in double quotes"),
            ("{\"a\": 1}\n[1, 2]\n", "bad.jsonl:2:1: expected a JSON object ({…}) on each line"),
            ("{\"a\": \"open}\n", "bad.jsonl:1:7: unterminated string"),
            ("{\"a\": 1} x\n", "bad.jsonl:1:10: unexpected text after the object"),
            ("{\"a\": 1, \"a\": 2}\n", "bad.jsonl:1:10: key \"a\" appears twice"),
            ("{\"a\": tru}\n", "bad.jsonl:1:7: invalid value (expected true)"),
            ("{\"a\": [1, 2}\n", "bad.jsonl:1:12: mismatched '}' (expected ']')"),
            ("{\"a\": 1.2.3}\n", "bad.jsonl:1:7: invalid value"),
            ("{\"a\": [1, [2]\n", "bad.jsonl:1:7: unterminated array"),
            ("", "bad.jsonl:1: the file is empty"),
        ]
        for (text, expected) in cases {
            let path = try dir.write("bad.jsonl", text)
            let message = error { _ = try JSONLines.read(path: path) }
            #expect(message.hasPrefix(dir.path + "/" + expected), "\(text.debugDescription) gave \(message)")
        }
        // Over 1 MB: parsed in two halves; an error in the second half keeps its absolute line.
        var big = ""
        for i in 0..<30_000 { big += "{\"input\": \"prompt \(i) with some padding text\", \"score\": \(i % 2)}\n" }
        #expect(big.utf8.count > 1 << 20)
        let good = try JSONLines.read(path: try dir.write("big.jsonl", big))
        #expect(good.rowCount == 30_000)
        #expect(good.lines.last == 30_000)
        #expect(good.column("score")?[29_999] == .number(1))
        var lines = big.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[25_000] = "{\"input\": \"x\", \"score\": oops}"
        let message = error { _ = try JSONLines.read(path: try dir.write("big.jsonl", lines.joined(separator: "\n"))) }
        #expect(message.contains("big.jsonl:25001:25: invalid value"), "\(message)")
    }

    @Test("demo strings become the FairGRPO authors' training groups", arguments: [
        ("sex: Male, age: 68", "M,A3"), ("sex: Female, age: 23", "F,A1"), ("age: 45", "A2"), ("", "UNK"),
        ("sex: Male, age: unknown", "M,UNK"), ("sex: Female", "F"), ("gender: female, age: 25", "F,A1"),
        ("age: 26", "A2"), ("age: 75", "A3"), ("age: 76", "A4"), ("age: 50.5", "A3"),
        ("father: 40, sex: Male, age: 50", "M,A2"), ("Sex: MALE, Age: 90", "M,A4"), ("age: unknown", "UNK"), ("image: x.png", "UNK"),
    ])
    func demoStrings(demo: String, group: String) {
        #expect(Demographics.groupKey(demo: demo) == group)
    }

    @Test("separate attribute fields form the same groups")
    func attributeFields() {
        #expect(Demographics.groupKey(attributes: [("sex", "female"), ("age", "51")]) == "F,A3")
        #expect(Demographics.groupKey(attributes: [("sex", "M"), ("age", nil)]) == "M,UNK")
        #expect(Demographics.groupKey(attributes: [("sex", ""), ("age", "")]) == "UNK")
        #expect(Demographics.groupKey(attributes: [("race", "asian")]) == "asian")
    }

    @Test("a verl rollout dump: one file per step, grouped by prompt, domain and demo fields found")
    func verlDump() throws {
        var fields = RolloutFields(format: .verl)
        #expect(try Rollouts.load(path: Self.interop("verl"), fields: fields).steps[0].prompts.allSatisfy { $0.completions.isEmpty })
        fields.keepCompletions = true
        let r = try Rollouts.load(path: Self.interop("verl"), fields: fields)
        #expect(r.steps.map(\.step) == [1, 2])
        #expect(r.rolloutCount == 32)
        #expect(r.steps[0].prompts.map(\.group) == ["M,A3", "F,A1", "A2", "UNK"])
        #expect(r.steps[0].prompts.map(\.domain) == ["chexpert", "chexpert", "ham10000", "ham10000"])
        #expect(r.steps[0].prompts.allSatisfy { $0.rewards.count == 4 && $0.completions.count == 4 })
        #expect(r.steps[0].prompts[1].line == 5)
        #expect(r.ragged.isEmpty)
    }

    @Test("TRL completions: reward columns summed, string steps, conversational prompts, logged advantages")
    func trlCompletions() throws {
        let r = try Rollouts.load(path: Self.interop("trl_completions.jsonl"), fields: RolloutFields(format: .trl))
        #expect(r.notes == ["reward = accuracy_reward + format_reward"])
        #expect(r.steps.map(\.step) == [5, 10])
        #expect(r.steps[0].prompts.count == 3)
        #expect(r.steps[0].prompts[0].prompt.hasPrefix("[{\"role\": \"user\""))
        #expect(r.steps[0].prompts[0].advantages?.count == 3)
        let rows = try JSONLines.read(path: Self.interop("trl_completions.jsonl"))
        let first = rows.column("accuracy_reward")![0].number! + rows.column("format_reward")![0].number!
        #expect(r.steps[0].prompts[0].rewards[0] == first)
    }

    @Test("bad rows stop with file and line; prompts with another number of rollouts are reported, not split")
    func badRowsAndRagged() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let rows = (0..<3).flatMap { q in (0..<4).map { i in "{\"input\": \"p\(q)\", \"output\": \"o\", \"score\": \(i % 2), \"step\": 3}" } }
        var ragged = rows
        ragged.removeLast()
        let path = try dir.write("3.jsonl", ragged.joined(separator: "\n") + "\n")
        let r = try Rollouts.load(path: path, fields: RolloutFields(format: .verl))
        #expect(r.ragged.count == 1)
        #expect(r.ragged.first?.contains("step 3: prompt at line 9 (\"p2\") has 3 rollouts where the step's others have 4") == true)
        var bad = rows
        bad[6] = "{\"input\": \"p1\", \"output\": \"o\", \"score\": \"high\", \"step\": 3}"
        let badPath = try dir.write("bad.jsonl", bad.joined(separator: "\n"))
        #expect(error { _ = try Rollouts.load(path: badPath, fields: RolloutFields(format: .verl)) }
                == "\(badPath):7: reward field \"score\" is \"high\"; expected a finite number")
        var f = RolloutFields(format: .jsonl)
        f.prompt = "input"
        #expect(error { _ = try Rollouts.load(path: path, fields: f) }.contains("needs reward="))
        f.reward = ["reward"]
        #expect(error { _ = try Rollouts.load(path: path, fields: f) }.contains("reward column 'reward' does not exist; the columns are: input, output, score, step"))
        f.reward = ["score"]
        f.step = "step"
        #expect(try Rollouts.load(path: path, fields: f).rolloutCount == 11)
    }

    @Test("CSV rollouts with named fields and attribute columns")
    func csvRollouts() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = try dir.write("r.csv", """
            iteration,question,correct,site,sex,age
            1,q1,1,a,F,30
            1,q1,0,a,F,30
            1,q2,1,b,M,
            1,q2,1,b,M,
            2,q1,0,a,F,30
            2,q1,0,a,F,30
            """)
        var f = RolloutFields(format: .csv)
        f.prompt = "question"; f.reward = ["correct"]; f.step = "iteration"; f.domain = "site"; f.attributes = ["sex", "age"]
        let r = try Rollouts.load(path: path, fields: f)
        #expect(r.steps.map { $0.prompts.map(\.group) } == [["F,A2", "M,UNK"], ["F,A2"]])
        #expect(r.steps[0].prompts.map(\.rewards) == [[1, 0], [1, 1]])
    }

    @Test("\\boxed{…} answers are read as the authors' evaluation reads them; label sets compare as sets")
    func boxed() {
        #expect(Predictions.boxedAnswer("so \\boxed{ Pneumonia } and \\boxed{x}") == "Pneumonia")
        #expect(Predictions.boxedAnswer("\\boxed{a, b}") == "a, b")
        #expect(Predictions.boxedAnswer("no box") == nil)
        #expect(Predictions.boxedAnswer("\\boxed{open") == nil)
        #expect(Predictions.labelSet("Effusion,  atelectasis") == "atelectasis, effusion")
    }

    @Test("an evaluation dump of parallel arrays: truth, answers, domains and the sex and age attributes")
    func predictions() throws {
        let p = try Predictions.load(path: Self.interop("eval_dump.json"), fields: Predictions.Fields())
        #expect(p.data.count == 6)
        let truth = p.data.labels.map { p.data.classNames[$0] }, answers = p.predicted.map { p.data.classNames[$0] }
        #expect(truth == ["Pneumonia", "Pneumonia", "normal", "melanoma", "melanoma", "normal"])
        #expect(answers == ["Pneumonia", "normal", Predictions.noAnswer, "melanoma", "nevus", "normal"])
        #expect(p.data.domainNames == ["chexpert", "ham10000"])
        #expect(p.data.attributes.map(\.name) == ["sex", "age"])
        #expect(levelNames(p.data.attributes[0]) == ["M", "F", "M", "", "", "F"])
        #expect(levelNames(p.data.attributes[1]) == ["51-75", "26-50", ">75", "26-50", "≤25", ""])
        #expect(p.notes == ["1 cases without a readable answer count as wrong (drop_unparsed=true: left out)", "answers never true: nevus"])
        var f = Predictions.Fields()
        f.dropUnparsed = true
        #expect(try Predictions.load(path: Self.interop("eval_dump.json"), fields: f).data.count == 5)
    }

    @Test("multi-label predictions in JSONL compare label sets")
    func multiLabel() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = try dir.write("m.jsonl", """
            {"response": "\\\\boxed{Effusion, Atelectasis}", "answer": "atelectasis,effusion", "dataset": "cxr", "demo": "sex: Male, age: 70"}
            {"response": "\\\\boxed{effusion}", "answer": "atelectasis,effusion", "dataset": "cxr", "demo": "sex: Female, age: 20"}
            """)
        var f = Predictions.Fields()
        f.multiLabel = true
        let p = try Predictions.load(path: path, fields: f)
        #expect(p.data.labels.map { p.data.classNames[$0] } == ["atelectasis, effusion", "atelectasis, effusion"])
        #expect(p.predicted.map { p.data.classNames[$0] } == ["atelectasis, effusion", "effusion"])
    }
}
