import Render
import Data
import Testing
import TestSupport

@Suite("describe and head")
struct SummaryTests {
    func patients() throws -> Dataset { try CSVLoader.load(path: Fixtures.csv("patients.csv"), roles: patientRoles()) }

    /// The table lines of `text` whose first cell is `first`, split into cells.
    func rowsStarting(_ first: String, in text: String) -> [[String]] {
        text.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            .filter { $0.first == first }
    }

    @Test("describe: headline, per-domain and per-group sizes and label balance, attribute levels, notes")
    func describePatients() throws {
        let text = try patients().describe()
        // The headline, broken at a " · " where it is wider than the terminal.
        #expect(text.hasPrefix("patients: 8 prompts · 3 domains · 2 classes · 4 features · attributes sex, age"))
        #expect(text.hasPrefix(try patients().headline(width: Terminal.width) + "\n"))
        #expect(try patients().headline(width: 200) == "patients: 8 prompts · 3 domains · 2 classes · 4 features · attributes sex, age · 13% without demographics")
        // Domains: east r5 r6 (0, 1); north r1 r2 r7 (0, 1, 0); south r3 r4 r8 (0, 1, 1).
        #expect(rowsStarting("east", in: text).first == ["east", "2", "0.50", "0.50"])
        #expect(rowsStarting("north", in: text).first == ["north", "3", "0.67", "0.33"])
        #expect(rowsStarting("south", in: text).first == ["south", "3", "0.33", "0.67"])
        // Groups within domains, with their share of the domain.
        #expect(rowsStarting("north", in: text).contains(["north", "F,A1", "2", "66.7%", "0.50", "0.50"]))
        #expect(rowsStarting("south", in: text).contains(["south", "UNK", "1", "33.3%", "0.00", "1.00"]))
        // Attribute levels, with short names where they differ, and the missing row.
        #expect(rowsStarting("female", in: text).first == ["female", "(F)", "4", "0.50", "0.50"])
        #expect(rowsStarting("≤25", in: text).first == ["≤25", "(A1)", "2", "0.50", "0.50"])
        #expect(rowsStarting("missing", in: text).first == ["missing", "1", "0.00", "1.00"])
        #expect(text.contains("features: 4 (2 numeric, standardised with statistics of 8 rows)"))
        #expect(text.hasSuffix("note: 'smoker' one-hot encoded into 2 columns"))
    }

    @Test("describe after split reports the training rows the scaler was fitted on")
    func describeAfterSplit() throws {
        let (train, test) = try patients().split(test: 0.25, seed: 0)
        #expect(test.describe().contains("standardised with statistics of \(train.count) rows"))
    }

    @Test("describe with more than six classes shows the majority class instead of one column each")
    func describeManyClasses() throws {
        let text = try DemoTests.demo(n: 1000).describe()
        #expect(text.contains("classes  majority"))
        var config = SynthConfig()
        config.n = 1000
        let size = config.domainSizes()[0]
        #expect(rowsStarting("chest_xray", in: text).first?.prefix(4) == ["chest_xray", "\(size)", "3", "chest_xray/normal"])
    }

    @Test("head: ids, domain, group, attributes (missing when unknown), label and the scaled features, as a table")
    func headPatients() throws {
        // Without r3, whose id holds a newline.
        let d = try patients().subset([0, 1, 3, 4, 5, 6, 7])
        let table = d.head(8)
        #expect(table.rowCount == 7)
        #expect(table.names == ["id", "domain", "group", "sex", "age", "label", "smoker=no", "smoker=yes", "bp", "chol"])
        #expect(table.row(3).first?.1 == .text("r5"))
        let last = table.row(6).map(\.1)
        #expect(Array(last.prefix(6)) == [.text("r8"), .text("south"), .text("UNK"), .text("female"), .missing, .text("1")])
        #expect(last[6] == .number(0) && last[7] == .number(1))
        // bp 170 scaled with the mean 145.125 and std of the six present values (raw, as the policy sees it).
        let bp = [120.5, 130, 140.25, 150, 160, 170]
        let std = (bp.map { ($0 - 145.125) * ($0 - 145.125) }.reduce(0, +) / 6).squareRoot()
        #expect(abs(last[8].number! - (170 - 145.125) / std) < 1e-6)
        #expect(d.head(0).rowCount == 0)
        let lines = table.render(width: 200, maxRows: 60, digits: 4).split(separator: "\n")
        #expect(lines.count == 8 && lines[7].hasPrefix("r8 "))
    }
}
