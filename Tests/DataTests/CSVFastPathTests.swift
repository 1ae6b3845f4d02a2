@testable import Data
import Render
import Glibc
import Tensors
import Testing
import TestSupport

/// The quote-free fast path (numbers parsed while scanning, column-major
/// blocks) against the general RFC 4180 path and against strtod.
@Suite("CSV fast path")
struct CSVFastPathTests {
    /// What strtod makes of the whole string, or nil if it stops early.
    static func strtodValue(_ s: String) -> Double? {
        s.withCString { c -> Double? in
            var end: UnsafeMutablePointer<CChar>?
            let v = strtod(c, &end)
            guard let end, end - UnsafeMutablePointer(mutating: c) == s.utf8.count else { return nil }
            return v
        }
    }

    /// Random decimal strings of every shape the fast path handles or must hand over:
    /// 1-25 digits, leading zeros, a dot anywhere (or none), signs, exponents up to ±400.
    static func randomNumbers(count: Int, seed: UInt64) -> [String] {
        var rng = SeededGenerator(seed: seed)
        var out: [String] = []
        for _ in 0..<count {
            var digits = ""
            let length = 1 + rng.nextIndex(below: 25)
            for k in 0..<length { digits.append(Character(String(k == 0 && rng.nextIndex(below: 4) == 0 ? 0 : rng.nextIndex(below: 10)))) }
            var s = digits
            switch rng.nextIndex(below: 4) {
            case 0: break
            case 1: s.insert(".", at: s.index(s.startIndex, offsetBy: rng.nextIndex(below: length + 1)))
            case 2: s = "." + s
            default: s = s + "."
            }
            if rng.nextIndex(below: 3) == 0 {
                let e = rng.nextIndex(below: 3) == 0 ? rng.nextIndex(below: 801) - 400 : rng.nextIndex(below: 61) - 30
                s += (rng.nextIndex(below: 2) == 0 ? "e" : "E") + (e >= 0 && rng.nextIndex(below: 2) == 0 ? "+" : "") + String(e)
            }
            switch rng.nextIndex(below: 4) {
            case 0: s = "-" + s
            case 1: s = "+" + s
            default: break
            }
            out.append(s)
        }
        return out
    }

    static let edgeNumbers = [
        "0", "-0", "+0", "0.0", "-0.0", "00000", "0e0", "-0e-5", "0.000", ".0", "0.", "1", "-1", "9007199254740992",
        "9007199254740993", "9007199254740991", "18446744073709551615", "18446744073709551616", "123456789012345678901234567890",
        "0.1", "0.2", "0.3", "0.30000000000000004", "1.7976931348623157e308", "1.7976931348623159e308", "1e308", "1e309",
        "-1e309", "2.2250738585072014e-308", "2.2250738585072011e-308", "4.9406564584124654e-324", "5e-324", "2e-324",
        "1e-400", "1e22", "1e23", "9e22", "1e-22", "1e-23", "123456789012345e-22", "123456789012345e22",
        "1234567890123456", "12345678901234567", "0.000000000000000000000000000001", "3.141592653589793238462643383279",
        "-17.898968", "2.844523", "99999999999999999999e-20", "1.5e+3", "1.5E-3", "-.5", "+.5e1", "5.e2",
        "000000000000000000001", "0.0000000000000000000001", "100000000000000000000000", "4503599627370496.5",
        "4503599627370497.5", "1e0", "1e-0", "1e+0", "8.98846567431158e307", "1.0000000000000002", "0.9999999999999999",
    ]

    @Test("number() gives strtod's exact double for random and edge-case decimals")
    func numberMatchesStrtod() throws {
        let texts = Self.edgeNumbers + Self.randomNumbers(count: 20_000, seed: 11)
        let reader = try CSVReader(bytes: Array(("v\n" + texts.joined(separator: "\n") + "\n").utf8), file: "mem.csv")
        var parsed: [Double?] = []
        try reader.forEachRecord { line, fields in if line > 1 { parsed.append(reader.number(fields[0])) } }
        #expect(parsed.count == texts.count)
        var mismatches: [String] = []
        for (t, v) in zip(texts, parsed) where v?.bitPattern != Self.strtodValue(t)?.bitPattern { mismatches.append(t) }
        #expect(mismatches.count == 0, "\(mismatches.count) differ, e.g. \(mismatches.prefix(5))")
    }

    @Test("the fast path stores strtod's exact double for random and edge-case decimals, in every column position")
    func fastPathMatchesStrtod() throws {
        let texts = Self.edgeNumbers + Self.randomNumbers(count: 30_000, seed: 12)
        // Three columns, the values rotated so each string is seen first, middle and last on its line.
        var lines = ["a,b,c"]
        let n = texts.count
        for r in 0..<n { lines.append("\(texts[r]),\(texts[(r + 1) % n]),\(texts[(r + 2) % n])") }
        let reader = try CSVReader(bytes: Array((lines.joined(separator: "\n") + "\n").utf8), file: "mem.csv")
        let block = try #require(try reader.fastNumberPass(from: 6, to: reader.count, firstLine: 2, columns: 3))
        let columns = NumberColumns(columns: 3, blocks: [block])
        #expect(columns.rowCount == n)
        var mismatches: [String] = []
        for c in 0..<3 {
            let column = columns.column(c)
            for r in 0..<n {
                let t = texts[(r + c) % n]
                let expected = Self.strtodValue(t) ?? .nan
                if column[r].bitPattern != expected.bitPattern { mismatches.append("\(t) → \(column[r])") }
            }
        }
        #expect(mismatches.count == 0, "\(mismatches.count) differ, e.g. \(mismatches.prefix(5))")
    }

    /// Loads `text` through the fast path (when it applies) and through the
    /// general tokenizer; both must give the same dataset, or the same error.
    @discardableResult
    static func compareBothPaths(_ text: String, roles: CSVRoles, sourceLocation: SourceLocation = #_sourceLocation) throws -> Dataset? {
        let reader = try CSVReader(bytes: Array(text.utf8), file: "mem.csv", delimiter: roles.delimiter)
        let fast = Result { try CSVLoader.load(reader: reader, roles: roles, name: "t", forceGeneral: false) }
        let general = Result { try CSVLoader.load(reader: reader, roles: roles, name: "t", forceGeneral: true) }
        switch (fast, general) {
        case let (.success(a), .success(b)):
            #expect(a.count == b.count, sourceLocation: sourceLocation)
            #expect(a.labels == b.labels, sourceLocation: sourceLocation)
            #expect(a.classNames == b.classNames, sourceLocation: sourceLocation)
            #expect(a.ids == b.ids, sourceLocation: sourceLocation)
            #expect(a.groupIDs == b.groupIDs, sourceLocation: sourceLocation)
            #expect(a.featureNames == b.featureNames, sourceLocation: sourceLocation)
            #expect(a.scaler.numeric == b.scaler.numeric, sourceLocation: sourceLocation)
            #expect(a.notes == b.notes, sourceLocation: sourceLocation)
            #expect(a.domainNames == b.domainNames && a.domains == b.domains, sourceLocation: sourceLocation)
            #expect(a.attributes.map(\.codes) == b.attributes.map(\.codes), sourceLocation: sourceLocation)
            #expect(a.attributes.map(\.levels) == b.attributes.map(\.levels), sourceLocation: sourceLocation)
            #expect(a.rawFeatures.shape == b.rawFeatures.shape, sourceLocation: sourceLocation)
            #expect(a.rawFeatures.scalars.map(\.bitPattern) == b.rawFeatures.scalars.map(\.bitPattern), sourceLocation: sourceLocation)
            #expect(a.features.scalars.map(\.bitPattern) == b.features.scalars.map(\.bitPattern), sourceLocation: sourceLocation)
            return a
        case let (.failure(a), .failure(b)):
            #expect("\(a)" == "\(b)", sourceLocation: sourceLocation)
        default:
            Issue.record("one path failed and the other did not: fast \(fast), general \(general)", sourceLocation: sourceLocation)
        }
        return nil
    }

    static let trickyFiles: [String] = [
        // CRLF, with and without a final line end.
        "a,b,label\r\n1.5,2,0\r\n-3,4e2,1\r\n",
        "a,b,label\r\n1.5,2,0\r\n-3,4e2,1",
        "a,b,label\n1.5,2,0\n-3,4e2,1",
        // Empty fields, missing spellings, spaces around numbers.
        "a,b,label\n,2,0\n NA ,,1\nnan,N/A,0\n  7 ,?,1\nnull, -2.5 ,0\n",
        // Exponents, negatives, leading and trailing dots, signs.
        "a,b,label\n-.5,5.,0\n+.25e1,-1E-3,1\n1e0,-0,0\n-0.0,+7,1\n",
        // Huge, tiny, subnormal, overflowing and long numbers.
        "a,b,label\n1e308,5e-324,0\n1e400,-1e400,1\n2.2250738585072011e-308,123456789012345678901234567890,0\n" +
            "0.000000000000000000000000001,18446744073709551616,1\n9007199254740993,3.141592653589793238462643,0\n",
        // Integers with many digits and leading zeros.
        "a,b,label\n000000000000000000000123,0000.5,0\n99999999999999999999,12345678901234567,1\n",
        // Blank lines (LF and CRLF) in the middle and at the end: ids follow the lines.
        "a,b,label\n1,2,0\n\n3,4,1\r\n\r\n5,6,0\n\n\n",
        // Unlabelled rows are dropped; labels given as decimals and exponents.
        "a,b,label\n1,2,\n3,4,1.0\n5,6,1e0\n7,8,NA\n9,10,0\n",
        // A categorical feature and attributes next to numbers.
        "a,smoker,sex,age,label\n1.5,yes,F,30,0\n2.5,no,M,80,1\n,yes,,NA,0\n4,no,F,12,1\n",
        // Tabs, semicolons and pipes.
        "a\tb\tlabel\n1.5\t-2\t0\n3e1\t\t1\n",
        "a;b;label\n1,5;-2;0\n3;4;1\n",
        "a|b|label\n1|2|0\n3|4|1\n",
        // Ragged rows: too few and too many fields.
        "a,b,label\n1,2,0\n3,4\n",
        "a,b,label\n1,2,0\n3,4,1,5\n",
        "a,b,label\n1,2,0,,\n",
        // A typo in a numeric column.
        "a,b,label\n" + (0..<30).map { "\($0).5,\($0),\($0 % 2)" }.joined(separator: "\n") + "\n12O,1,0\n",
        // A lone carriage return ends a record for the tokenizer.
        "a,b,label\n1,2,0\r3,4,1\n5,6,0\n",
        // Other text in a number: inf and words.
        "a,b,label\ninf,-infinity,0\n1,2,1\n",
        "a,b,label\n0x10,1,0\n2,3,1\n",
    ]

    @Test("the fast path and the general path load tricky files identically", arguments: Array(trickyFiles.indices))
    func tricky(index: Int) throws {
        var roles = CSVRoles(label: "label")
        if Self.trickyFiles[index].hasPrefix("a,smoker,sex,age") { roles.attributes = ["sex", "age"] }
        if Self.trickyFiles[index].hasPrefix("a;") { roles.delimiter = 59 }
        try Self.compareBothPaths(Self.trickyFiles[index], roles: roles)
    }

    @Test("quote-free files take the fast path; a lone carriage return hands over to the general path")
    func fastPathIsTaken() throws {
        let plain = try CSVReader(bytes: Array("a,label\n1,0\n\n2,1\r\n3,0".utf8), file: "mem.csv")
        let block = try #require(try plain.fastNumberPass(from: 8, to: plain.count, firstLine: 2, columns: 2))
        #expect(block.rows == 3)
        #expect((0..<3).map { block.line(ofRow: $0) } == [2, 4, 5])
        let loneCR = try CSVReader(bytes: Array("a,label\n1,0\r2,1\n".utf8), file: "mem.csv")
        #expect(try loneCR.fastNumberPass(from: 8, to: loneCR.count, firstLine: 2, columns: 2) == nil)
    }

    @Test("default ids are the line each row starts on, minus one, across blank lines and quoted line breaks")
    func defaultIDsFollowLines() throws {
        let fast = try CSVLoader.load(bytes: Array("a,label\n1,0\n\n2,1\r\n\r\n3,0\n4,1".utf8), file: "f.csv",
                                      roles: CSVRoles(label: "label"), name: "f")
        #expect(fast.ids == ["1", "3", "5", "6"])
        let quoted = try CSVLoader.load(bytes: Array("a,label\n1,0\n\n2,1\n\"3\n\",0\n4,1\n".utf8), file: "q.csv",
                                        roles: CSVRoles(label: "label"), name: "q")
        #expect(quoted.ids == ["1", "3", "4", "6"])
        // A dropped (unlabelled) row keeps the others' ids.
        let dropped = try CSVLoader.load(bytes: Array("a,label\n1,0\n2,\n3,1\n".utf8), file: "d.csv",
                                         roles: CSVRoles(label: "label"), name: "d")
        #expect(dropped.ids == ["1", "3"])
    }

    @Test("a quote late in a large file forces the general path, which loads the same rows")
    func lateQuote() throws {
        var rng = SeededGenerator(seed: 5)
        var lines = ["x,y,label"]
        for i in 0..<60_000 {
            lines.append("\(formatFixed(rng.nextNormal() * 10, 6)),\(i % 11 == 0 ? "" : String(rng.nextIndex(below: 1000)))e-2,\(i % 3)")
        }
        let plain = lines.joined(separator: "\n") + "\n"
        #expect(plain.utf8.count > CSVLoader.parallelThreshold)  // two threads for the quote-free file
        var quotedLines = lines
        quotedLines[quotedLines.count - 1] = quotedLines[quotedLines.count - 1].split(separator: ",").map { "\"\($0)\"" }.joined(separator: ",")
        let quoted = quotedLines.joined(separator: "\n") + "\n"
        let roles = CSVRoles(label: "label")
        let a = try CSVLoader.load(bytes: Array(plain.utf8), file: "plain.csv", roles: roles, name: "t")
        let b = try CSVLoader.load(bytes: Array(quoted.utf8), file: "quoted.csv", roles: roles, name: "t")
        #expect(a.count == 60_000)
        #expect(a.ids == b.ids)
        #expect(a.ids.last == "60000")
        #expect(a.labels == b.labels)
        #expect(a.rawFeatures.scalars.map(\.bitPattern) == b.rawFeatures.scalars.map(\.bitPattern))
    }

    @Test("two threads: blank lines, CRLF and a dropped label in both halves give the serial result")
    func twoThreadsMatchSerial() throws {
        var rng = SeededGenerator(seed: 9)
        var text = "f0,f1,label\r\n"
        for i in 0..<50_000 {
            if i % 9_999 == 0 { text += "\r\n" }
            if i % 7_777 == 0 { text += "\n" }
            let label = i % 12_345 == 0 ? "NA" : String(rng.nextIndex(below: 3))
            text += "\(formatFixed(rng.nextNormal(), 6)),\(rng.nextIndex(below: 50) == 0 ? "NaN" : formatFixed(rng.nextUnitDouble() * 1e5, 3)),\(label)\(i % 2 == 0 ? "\r\n" : "\n")"
        }
        #expect(text.utf8.count > CSVLoader.parallelThreshold)
        let d = try #require(try Self.compareBothPaths(text, roles: CSVRoles(label: "label")))
        #expect(d.count == 50_000 - 5)  // rows 0, 12345, 24690, 37035, 49380 have no label
        #expect(d.notes.contains("5 rows without a label were dropped"))
    }

    @Test("a ragged row in the second half reports the same line on both paths")
    func raggedSecondHalf() throws {
        var lines = ["a,b,label"]
        for i in 0..<100_000 { lines.append(i == 80_000 ? "1,2,3,4" : "\(i).5,\(i % 9),\(i % 2)") }
        let text = lines.joined(separator: "\n") + "\n"
        let reader = try CSVReader(bytes: Array(text.utf8), file: "r.csv")
        #expect(throws: DataError.malformed(file: "r.csv", line: 80_002, column: nil, reason: "this row has 4 fields but the header has 3")) {
            try CSVLoader.load(reader: reader, roles: CSVRoles(label: "label"), name: "r", forceGeneral: false)
        }
        try Self.compareBothPaths(text, roles: CSVRoles(label: "label"))
    }

    @Test("a file with many columns and few rows takes memory in proportion to its values", arguments: [false, true])
    func wideFileMemory(general: Bool) throws {
        let columns = 100_000
        let header = (0..<columns).map { "c\($0)" }.joined(separator: ",")
        let body = (0..<3).map { r in (0..<columns).map { String(($0 + r) % 10) }.joined(separator: ",") }.joined(separator: "\n")
        let reader = try CSVReader(bytes: Array((header + "\n" + body + "\n").utf8), file: "wide.csv")
        let start = header.utf8.count + 1
        let block = general
            ? try CSVLoader.numberPass(reader, bodyStart: start, bodyFirstLine: 2, columns: columns, forceGeneral: true).blocks[0]
            : try #require(try reader.fastNumberPass(from: start, to: reader.count, firstLine: 2, columns: columns))
        #expect(block.rows == 3)
        // Room for a few rows per column (it was 64 and more: 1.76 GB for a
        // 12 MB file with a million columns).
        #expect(block.capacity <= 8, "capacity \(block.capacity)")
        #expect(block.pointers[columns - 1][2] == Double((columns - 1 + 2) % 10))
        #expect(block.firstOther.isEmpty)
    }

    @Test("growing a block keeps every column's values")
    func growKeepsValues() throws {
        let rows = (0..<1000).map { "\($0),\(2 * $0),x\($0 % 3)" }
        let reader = try CSVReader(bytes: Array(("a,b,c\n" + rows.joined(separator: "\n") + "\n").utf8), file: "grow.csv")
        let numbers = try CSVLoader.numberPass(reader, bodyStart: 6, bodyFirstLine: 2, columns: 3, forceGeneral: true)
        #expect(numbers.rowCount == 1000)
        #expect(numbers.column(0) == (0..<1000).map(Double.init))
        #expect(numbers.column(1) == (0..<1000).map { Double(2 * $0) })
        #expect(numbers.otherCount(2) == 1000)
        #expect(numbers.firstOther(2)?.text == "x0")
    }
}
