import Render
import Data
import Tensors
import Testing
import TestSupport

@Suite("CSV loading")
struct CSVLoaderTests {
    // MARK: - Well-formed files

    /// The same table written four ways: LF/comma, CRLF with a UTF-8 BOM, semicolons, tabs.
    static let patientFiles = ["patients.csv", "patients_crlf_bom.csv", "patients_semicolon.csv", "patients_tab.tsv"]

    @Test("patients table: quoting, line ends, BOM and delimiters all load the same", arguments: patientFiles)
    func patients(file: String) throws {
        let d = try CSVLoader.load(path: Fixtures.csv(file), roles: patientRoles())
        #expect(d.count == 8)
        // Quoted ids: an embedded comma, an embedded newline, doubled quotes.
        #expect(d.ids == ["r1, first", "r2", "r3\nsecond line", "say \"hi\"", "r5", "r6", "r7", "r8"])
        #expect(d.classNames == ["0", "1"])
        #expect(d.labels == [0, 1, 0, 1, 0, 1, 0, 1])
        #expect(d.groupIDs == ["P1", "P1", "P2", "P3", "P4", "P4", "P5", "P6"])
        #expect(d.domainNames == ["east", "north", "south"])
        #expect(domainNames(d) == ["north", "north", "south", "south", "east", "east", "north", "south"])

        // Categorical feature one-hot ("?" is missing: all zeros), numeric ones raw with NaN for missing.
        #expect(d.featureNames == ["smoker=no", "smoker=yes", "bp", "chol"])
        #expect(d.scaler.numeric == [false, false, true, true])
        let expected: [[Double]] = [
            [0, 1, 120.5, 200], [1, 0, 130, .nan], [0, 1, .nan, 210], [1, 0, 140.25, 220],
            [0, 0, 150, 230], [0, 1, .nan, 240], [1, 0, 160, 250], [0, 1, 170, -25],
        ]
        let raw = rows(d.rawFeatures)
        for r in 0..<8 { #expect(sameValues(raw[r], expected[r]), "row \(r): \(raw[r])") }
        #expect(d.notes.contains("'smoker' one-hot encoded into 2 columns"))

        // Attributes: sex as text levels, age binned with [25, 50, 75] (boundaries inclusive above).
        let sex = try #require(d.attributes.first)
        #expect(sex.name == "sex")
        #expect(sex.levels == ["female", "male"])
        #expect(sex.shortNames == ["F", "M"])
        #expect(sex.codes == [0, 0, 1, 1, 0, 1, 1, 0])
        let age = d.attributes[1]
        #expect(age.name == "age")
        #expect(age.levels == ["≤25", "26-50", "51-75", ">75"])
        #expect(age.shortNames == ["A1", "A2", "A3", "A4"])
        #expect(age.codes == [0, 0, 1, 1, 2, 2, 3, -1])  // 18 25 | 26 50 | 51 75 | 76 | missing
        #expect(d.groupKeys() == ["F,A1", "F,A1", "M,A2", "M,A2", "F,A3", "M,A3", "M,A4", "UNK"])
        #expect(abs(d.unknownFraction - 1.0 / 8) < 1e-12)
    }

    @Test("scaling: numeric columns standardised with the mean and std of present values, missing become 0")
    func scaling() throws {
        let d = try CSVLoader.load(path: Fixtures.csv("patients.csv"), roles: patientRoles())
        let bp = [120.5, 130, 140.25, 150, 160, 170]
        let mean = bp.reduce(0, +) / 6
        let std = (bp.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 6).squareRoot()
        #expect(abs(d.scaler.means[2] - mean) < 1e-9)
        #expect(abs(d.scaler.stds[2] - std) < 1e-9)
        #expect(d.scaler.fittedRows == 8)
        let scaled = rows(d.features)
        #expect(abs(scaled[0][2] - (120.5 - mean) / std) < 1e-5)
        #expect(scaled[2][2] == 0)  // missing bp
        #expect(scaled[4][0] == 0 && scaled[4][1] == 0)  // missing smoker: one-hot left at zero
        #expect(scaled[0][1] == 1)  // one-hot columns are not scaled
    }

    @Test("an explicit delimiter overrides detection")
    func explicitDelimiter() throws {
        let d = try CSVLoader.load(path: Fixtures.csv("patients_semicolon.csv"), roles: patientRoles(delimiter: UInt8(ascii: ";")))
        #expect(d.count == 8)
        // Forcing the wrong delimiter leaves one column, so the label column does not exist.
        #expect(throws: DataError.self) {
            try CSVLoader.load(path: Fixtures.csv("patients_semicolon.csv"), roles: patientRoles(delimiter: UInt8(ascii: ",")))
        }
    }

    @Test("missing values: empty, NA, N/A, NaN, nan, null, NULL and ?; rows without a label are dropped with a note")
    func missingValues() throws {
        let d = try CSVLoader.load(path: Fixtures.csv("missing_values.csv"), roles: CSVRoles(label: "label"))
        #expect(d.count == 10)
        #expect(d.notes.contains("2 rows without a label were dropped"))
        #expect(d.classNames == ["a", "b"])
        #expect(d.labels == [0, 1, 0, 1, 0, 1, 0, 1, 0, 1])
        #expect(d.featureNames == ["x", "y"])
        #expect(d.scaler.numeric == [true, true])  // y stays numeric despite 8 spellings of missing
        #expect(sameValues(rawColumn(d, 0), [1, 2, 3, 4, 5, 6, 7, 8, 11, 12]))
        #expect(sameValues(rawColumn(d, 1), [Double](repeating: .nan, count: 8) + [4, 6]))
        // Default ids are the data-row numbers (line − 1), so dropped rows leave gaps.
        #expect(d.ids == ["1", "2", "3", "4", "5", "6", "7", "8", "11", "12"])
    }

    @Test("missing-value spellings seen by the reader", arguments: [
        ("", true), ("NA", true), ("N/A", true), ("NaN", true), ("nan", true), ("NAN", true), ("null", true),
        ("NULL", true), ("?", true), ("  NA  ", true), ("0", false), ("n", false), ("none", false), ("-", false),
        ("NA?", false), ("nulls", false),
    ])
    func missingSpellings(text: String, missing: Bool) throws {
        let reader = try CSVReader(bytes: Array("h\n\(text)\n".utf8), file: "mem.csv")
        var seen: [Bool] = []
        try reader.forEachRecord { line, fields in if line == 2 { seen.append(reader.isMissing(fields[0])) } }
        if text.isEmpty {
            // An empty line is skipped, not a record with an empty field.
            #expect(seen.isEmpty)
        } else {
            #expect(seen == [missing])
        }
    }

    @Test("numbers: plain decimals, signs, exponents; hex and junk are not numbers", arguments: [
        ("120.5", 120.5), ("-2.5e1", -25), ("+5", 5), (".5", 0.5), ("5.", 5), ("  7  ", 7), ("0.1", 0.1),
        ("-0.000001", -0.000001), ("123456789012345678901234", 123456789012345678901234.0),
        ("3.14159265358979323846", 3.141592653589793), ("1E3", 1000), ("0x10", nil), ("12O", nil),
        ("1.2.3", nil), ("--1", nil), ("abc", nil), (".", nil), ("-", nil),
    ] as [(String, Double?)])
    func numbers(text: String, value: Double?) throws {
        let reader = try CSVReader(bytes: Array("h\n\(text)\n".utf8), file: "mem.csv")
        var parsed: [Double?] = []
        try reader.forEachRecord { line, fields in if line == 2 { parsed.append(reader.number(fields[0])) } }
        #expect(parsed.count == 1)
        #expect(parsed.first! == value)
    }

    @Test("decimals with 6 fraction digits parse exactly as Double(String) does")
    func decimalsAreCorrectlyRounded() throws {
        var rng = SeededGenerator(seed: 7)
        var texts: [String] = []
        for _ in 0..<3000 {
            let whole = rng.nextIndex(below: 100_000) - 50_000
            let frac = rng.nextIndex(below: 1_000_000)
            var f = String(frac)
            while f.count < 6 { f = "0" + f }
            texts.append("\(whole).\(f)")
        }
        let reader = try CSVReader(bytes: Array(("v\n" + texts.joined(separator: "\n") + "\n").utf8), file: "mem.csv")
        var parsed: [Double] = []
        try reader.forEachRecord { line, fields in if line > 1 { parsed.append(reader.number(fields[0]) ?? .nan) } }
        let expected = texts.map { Double($0)! }
        #expect(parsed.count == expected.count)
        let wrong = zip(texts, zip(parsed, expected)).filter { $1.0 != $1.1 }
        #expect(wrong.isEmpty, "first mismatch: \(String(describing: wrong.first))")
    }

    @Test("a categorical feature with many words is one-hot encoded in natural order")
    func oneHotNaturalOrder() throws {
        let text = "stage,label\n12-17,0\n2-11,1\n0-1,0\n18+,1\n2-11,0\n"
        let d = try CSVLoader.load(bytes: Array(text.utf8), file: "stages.csv", roles: CSVRoles(label: "label"), name: "stages")
        #expect(d.featureNames == ["stage=0-1", "stage=2-11", "stage=12-17", "stage=18+"])
        #expect(rows(d.rawFeatures)[0] == [0, 0, 1, 0])
    }

    @Test("numeric labels with different spellings of the same number are one class")
    func numericLabelSpellings() throws {
        let text = "x,label\n1,0\n2,1\n3,1.0\n4,0.0\n5,01\n"
        let d = try CSVLoader.load(bytes: Array(text.utf8), file: "labels.csv", roles: CSVRoles(label: "label"), name: "labels")
        #expect(d.classNames == ["0", "1"])
        #expect(d.labels == [0, 1, 1, 0, 1])
    }

    @Test("a label that parses as NaN counts as missing instead of crashing")
    func nanLabels() throws {
        let text = "x,label\n1,0\n2,-nan\n3,1\n4,+nan\n"
        let d = try CSVLoader.load(bytes: Array(text.utf8), file: "labels.csv", roles: CSVRoles(label: "label"), name: "labels")
        #expect(d.count == 2)
        #expect(d.classNames == ["0", "1"])
    }

    @Test("a doubled quote is unescaped even when a combining mark follows it")
    func doubledQuoteBeforeCombiningMark() throws {
        // "q""́" is q, an escaped quote, and U+0301 (which joins the quote into one Character).
        let text = "x,label\n1,\"q\"\"\u{301}\"\n2,\"\"\"\u{301}a\"\"\"\n"
        let d = try CSVLoader.load(bytes: Array(text.utf8), file: "accents.csv", roles: CSVRoles(label: "label"), name: "accents")
        #expect(Set(d.classNames) == ["q\"\u{301}", "\"\u{301}a\""])
    }

    @Test("features=, drop= and a label given twice as feature are handled")
    func featureSelection() throws {
        var roles = patientRoles()
        roles.features = ["chol", "bp"]
        let d = try CSVLoader.load(path: Fixtures.csv("patients.csv"), roles: roles)
        #expect(d.featureNames == ["chol", "bp"])
        roles.features = nil
        roles.drop = ["smoker", "chol"]
        #expect(try CSVLoader.load(path: Fixtures.csv("patients.csv"), roles: roles).featureNames == ["bp"])
        roles.drop = []
        roles.features = ["bp", "label"]
        let path = Fixtures.csv("patients.csv")
        #expect(throws: DataError.badFile(file: path, reason: "column 'label' cannot be both a feature and the label, an attribute, the domain, an id or dropped")) {
            try CSVLoader.load(path: path, roles: roles)
        }
    }

    @Test("age bins other than the paper's")
    func customAgeBins() throws {
        var roles = patientRoles()
        roles.ageBins = [40, 60]
        let age = try CSVLoader.load(path: Fixtures.csv("patients.csv"), roles: roles).attributes[1]
        #expect(age.levels == ["≤40", "41-60", ">60"])
        #expect(age.codes == [0, 0, 0, 1, 1, 2, 2, -1])  // 18 25 26 50 51 75 76 missing
    }

    @Test("role columns keep their text as written, even when it looks like a number")
    func roleColumnsKeepText() throws {
        let text = "id,patient,site,x,label\n007,0012345678901234567,01,1,0\n1.50,12,02,2,1\n10,12,1,3,0\n"
        var roles = CSVRoles(label: "label")
        roles.id = "id"
        roles.groupID = "patient"
        roles.domain = "site"
        let d = try CSVLoader.load(bytes: Array(text.utf8), file: "ids.csv", roles: roles, name: "ids")
        #expect(d.ids == ["007", "1.50", "10"])
        #expect(d.groupIDs == ["0012345678901234567", "12", "12"])
        #expect(d.domainNames == ["01", "1", "02"])
    }

    @Test("blank lines before the header are skipped like blank lines elsewhere")
    func blankLinesBeforeHeader() throws {
        let text = "\n\r\na,label\n\n1,0\n\n2,1\n"
        let d = try CSVLoader.load(bytes: Array(text.utf8), file: "blank.csv", roles: CSVRoles(label: "label"), name: "blank")
        #expect(d.count == 2)
        #expect(d.featureNames == ["a"])
    }

    @Test("a file of only blank lines (spaces, tabs, CR) is empty; the header is not looked for past the end",
          arguments: ["  \t\n", "\u{FEFF}\t\r\n \n"])
    func blankOnlyFile(text: String) {
        // Run on a thread with a deadline: the header search can loop forever here.
        let outcome = withDeadline(5) { () -> String in
            do {
                _ = try CSVLoader.load(bytes: Array(text.utf8), file: "blank.csv", roles: CSVRoles(label: "label"), name: "blank")
                return "loaded"
            } catch {
                return "\(error)"
            }
        }
        #expect(outcome != nil, "load did not return within 5 s")
        #expect(outcome == "blank.csv:1: the file is empty (expected a header line)")
    }

    @Test("a large file without quotes (parsed on two threads) loads like the same file parsed serially")
    func largeFileMatchesSmall() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        var rng = SeededGenerator(seed: 3)
        var lines = ["a,b,sex,label"]
        for i in 0..<60_000 {
            let a = formatFixed(rng.nextNormal() * 10, 3), b = i % 97 == 0 ? "NA" : formatFixed(rng.nextUnitDouble(), 6)
            lines.append("\(a),\(b),\(i % 3 == 0 ? "female" : "male"),\(rng.nextIndex(below: 3))")
        }
        let text = lines.joined(separator: "\n") + "\n"
        #expect(text.utf8.count > 1 << 20)
        let path = try dir.write("big.csv", text)
        var roles = CSVRoles(label: "label")
        roles.attributes = ["sex"]
        let big = try CSVLoader.load(path: path, roles: roles)
        // The same rows with a quoted header force the serial path.
        let quoted = "\"a\",b,sex,label\n" + lines.dropFirst().joined(separator: "\n") + "\n"
        let serial = try CSVLoader.load(bytes: Array(quoted.utf8), file: "serial.csv", roles: roles, name: "big")
        #expect(big.count == 60_000)
        #expect(big.labels == serial.labels)
        #expect(big.ids == serial.ids)
        #expect(big.attributes[0].codes == serial.attributes[0].codes)
        #expect(big.rawFeatures.scalars.map(\.bitPattern) == serial.rawFeatures.scalars.map(\.bitPattern))
        #expect(big.ids.last == "60000")
    }

    @Test("a ragged row in the second half of a large file reports its own line")
    func largeFileRaggedLine() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        var lines = ["a,b,label"]
        for i in 0..<120_000 { lines.append(i == 100_000 ? "1,2" : "\(i).25,\(i % 7).5,\(i % 2)") }
        let path = try dir.write("ragged_big.csv", lines.joined(separator: "\n") + "\n")
        #expect(throws: DataError.malformed(file: path, line: 100_002, column: nil, reason: "this row has 2 fields but the header has 3")) {
            try CSVLoader.load(path: path, roles: CSVRoles(label: "label"))
        }
    }

    // MARK: - Malformed files: each error names the file, the line (and column) and what was expected

    struct Malformed: CustomTestStringConvertible, Sendable {
        var file: String
        var line: Int
        var column: Int?
        var reason: String
        var testDescription: String { file }
    }

    static let malformed: [Malformed] = [
        Malformed(file: "unterminated_quote.csv", line: 3, column: 3, reason: "unterminated quoted field (no closing \")"),
        Malformed(file: "ragged.csv", line: 3, column: nil, reason: "this row has 2 fields but the header has 3"),
        Malformed(file: "ragged_after_multiline.csv", line: 4, column: nil, reason: "this row has 4 fields but the header has 3"),
        Malformed(file: "non_numeric.csv", line: 12, column: 5,
                  reason: "column 'bp' holds numbers but this value is '12O' (expected a number or a missing value: empty, NA, NaN)"),
        Malformed(file: "empty.csv", line: 1, column: nil, reason: "the file is empty (expected a header line)"),
        Malformed(file: "header_only.csv", line: 2, column: nil, reason: "the file has a header but no rows"),
        Malformed(file: "duplicate_header.csv", line: 1, column: nil, reason: "column name 'a' appears twice in the header"),
        Malformed(file: "stray_quote.csv", line: 2, column: 4,
                  reason: "stray quote inside an unquoted field (quote the whole field and double the quote)"),
        Malformed(file: "after_closing_quote.csv", line: 2, column: 6,
                  reason: "unexpected character after a closing quote (expected a delimiter or the end of the line)"),
    ]

    @Test("malformed files are rejected with file, line, column and reason", arguments: malformed)
    func malformedFile(_ m: Malformed) throws {
        let path = Fixtures.csv(m.file)
        let expected = DataError.malformed(file: path, line: m.line, column: m.column, reason: m.reason)
        #expect(throws: expected) { try CSVLoader.load(path: path, roles: CSVRoles(label: "label")) }
        // The message shows them as file:line:column: reason.
        let location = m.column.map { "\(path):\(m.line):\($0)" } ?? "\(path):\(m.line)"
        #expect(expected.description == "\(location): \(m.reason)")
    }

    @Test("error columns count characters, not bytes, after non-ASCII text")
    func nonASCIIColumn() throws {
        let path = Fixtures.csv("non_numeric_utf8.csv")
        // Line 12 is `"café",12O,1`: the bad field starts at character 8 (byte 9).
        #expect(throws: DataError.malformed(file: path, line: 12, column: 8,
                                            reason: "column 'bp' holds numbers but this value is '12O' (expected a number or a missing value: empty, NA, NaN)")) {
            try CSVLoader.load(path: path, roles: CSVRoles(label: "label"))
        }
    }

    @Test("a role naming a column that does not exist lists the columns", arguments: [
        ("label", "outcome"), ("attribute", "gender"), ("domain", "hospital"), ("id", "key"), ("group_id", "subject"),
        ("feature", "weight"), ("drop", "notes"),
    ])
    func unknownRoleColumn(role: String, name: String) throws {
        var roles = patientRoles()
        switch role {
        case "label": roles.label = name
        case "attribute": roles.attributes = ["sex", name]
        case "domain": roles.domain = name
        case "id": roles.id = name
        case "group_id": roles.groupID = name
        case "feature": roles.features = ["bp", name]
        default: roles.drop = [name]
        }
        let path = Fixtures.csv("patients.csv")
        let header = ["id", "patient", "site", "sex", "age", "smoker", "bp", "chol", "label"]
        let expected = DataError.unknownColumn(file: path, role: role, name: name, available: header)
        #expect(throws: expected) { try CSVLoader.load(path: path, roles: roles) }
        #expect(expected.description == "\(path): \(role) column '\(name)' does not exist; the columns are: id, patient, site, sex, age, smoker, bp, chol, label")
    }

    @Test("a file that does not exist is an error naming it")
    func missingFile() {
        let path = Fixtures.csv("no_such_file.csv")
        do {
            _ = try CSVLoader.load(path: path, roles: CSVRoles(label: "label"))
            Issue.record("loading a missing file succeeded")
        } catch {
            #expect("\(error)".contains(path))
        }
    }

    @Test("a column of only missing values is numeric and scales to zeros; a file of only unlabelled rows is an error")
    func degenerateColumns() throws {
        let d = try CSVLoader.load(bytes: Array("a,b,label\n,1,x\nNA,2,y\n".utf8), file: "m.csv", roles: CSVRoles(label: "label"), name: "m")
        #expect(d.scaler.numeric == [true, true])
        #expect(rows(d.features).map { $0[0] } == [0, 0])
        #expect(throws: DataError.badFile(file: "m.csv", reason: "no row has a label in column 'label'")) {
            try CSVLoader.load(bytes: Array("a,label\n1,\n2,NA\n".utf8), file: "m.csv", roles: CSVRoles(label: "label"), name: "m")
        }
    }
}
