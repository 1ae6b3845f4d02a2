import Render
import Data
import Tensors
import Testing
import TestSupport

@Suite("split, mask, filter, save_csv")
struct OperationsTests {
    static let demo: Dataset = try! DemoTests.demo(n: 4000, seed: 2)

    // MARK: - split

    @Test("train and test are disjoint and together hold every row once", arguments: [
        Dataset.Stratification.none, .label, .group,
    ])
    func disjointAndComplete(stratify: Dataset.Stratification) throws {
        let (train, test) = try Self.demo.split(test: 0.25, seed: 1, stratify: stratify)
        #expect(Set(train.ids).isDisjoint(with: test.ids))
        #expect(train.count + test.count == Self.demo.count)
        #expect(Set(train.ids + test.ids) == Set(Self.demo.ids))
        #expect(abs(Double(test.count) - 0.25 * Double(Self.demo.count)) <= 20)
        #expect(train.name == "demo/train" && test.name == "demo/test")
        // Rows keep their labels, attributes and domains.
        let byID = Dictionary(uniqueKeysWithValues: Self.demo.ids.enumerated().map { ($1, $0) })
        for part in [train, test] {
            for (r, id) in part.ids.enumerated() {
                let o = byID[id]!
                #expect(part.labels[r] == Self.demo.labels[o] && part.domains[r] == Self.demo.domains[o])
                #expect(part.attributes[0].codes[r] == Self.demo.attributes[0].codes[o])
            }
        }
    }

    @Test("the same seed gives the same split; another seed another")
    func reproducible() throws {
        let a = try Self.demo.split(test: 0.2, seed: 9, stratify: .label)
        let b = try Self.demo.split(test: 0.2, seed: 9, stratify: .label)
        let c = try Self.demo.split(test: 0.2, seed: 10, stratify: .label)
        #expect(a.0.ids == b.0.ids && a.1.ids == b.1.ids)
        #expect(Set(a.1.ids) != Set(c.1.ids))
    }

    @Test("stratified by label: each class's test share is its count × fraction, within one row",
          arguments: [0.1, 0.2, 0.33, 0.5])
    func stratifiedByLabel(fraction: Double) throws {
        let (train, test) = try Self.demo.split(test: fraction, seed: 4, stratify: .label)
        let all = histogram(Self.demo.labels), inTest = histogram(test.labels), inTrain = histogram(train.labels)
        for (label, n) in all {
            #expect(abs(Double(inTest[label] ?? 0) - Double(n) * fraction) <= 1, "class \(Self.demo.classNames[label])")
            #expect((inTest[label] ?? 0) + (inTrain[label] ?? 0) == n)
        }
    }

    @Test("stratified by group: each domain/group's test share is its count × fraction, within one row")
    func stratifiedByGroup() throws {
        let fraction = 0.3
        let (_, test) = try Self.demo.split(test: fraction, seed: 4, stratify: .group)
        func strata(_ d: Dataset) -> [String: Int] {
            let keys = d.groupKeys()
            return histogram((0..<d.count).map { d.domainNames[d.domains[$0]] + "/" + keys[$0] })
        }
        let all = strata(Self.demo), inTest = strata(test)
        #expect(all.count > 40)
        for (key, n) in all { #expect(abs(Double(inTest[key] ?? 0) - Double(n) * fraction) <= 1, "\(key)") }
    }

    @Test("a grouped split never puts one patient on both sides", arguments: [Dataset.Stratification.none, .label])
    func groupedByPatient(stratify: Dataset.Stratification) throws {
        // 300 patients with 1-5 rows each.
        var rng = SeededGenerator(seed: 8)
        var lines = ["patient,x,label"]
        for p in 0..<300 {
            for _ in 0...rng.nextIndex(below: 5) { lines.append("p\(p),\(formatFixed(rng.nextNormal(), 4)),\(p % 3)") }
        }
        var roles = CSVRoles(label: "label")
        roles.groupID = "patient"
        let d = try CSVLoader.load(bytes: Array((lines.joined(separator: "\n") + "\n").utf8), file: "patients.csv", roles: roles, name: "p")
        let (train, test) = try d.split(test: 0.25, seed: 3, stratify: stratify, groupedByID: true)
        let trainPatients = Set(train.groupIDs!), testPatients = Set(test.groupIDs!)
        #expect(trainPatients.isDisjoint(with: testPatients))
        #expect(trainPatients.count + testPatients.count == 300)
        #expect(train.count + test.count == d.count)
        // Stratifying patients by label (constant per patient here) splits patients 25% per class.
        if stratify == .label {
            for c in 0..<3 {
                let n = testPatients.filter { Int($0.dropFirst())! % 3 == c }.count
                #expect(abs(Double(n) - 25) <= 1)
            }
        }
    }

    @Test("grouped split of the shipped COVID tests keeps every patient on one side")
    func groupedCovid() throws {
        Fixtures.useShippedClinicalData()
        let covid = try Catalog.load("covid_testing")
        let (train, test) = try covid.split(test: 0.2, seed: 0, groupedByID: true)
        #expect(Set(train.groupIDs!).isDisjoint(with: Set(test.groupIDs!)))
        #expect(train.count + test.count == covid.count)
    }

    @Test("features are rescaled with statistics of the training rows only")
    func scalerFittedOnTrain() throws {
        let (train, test) = try Self.demo.split(test: 0.3, seed: 6)
        #expect(train.scaler.fittedRows == train.count)
        #expect(test.scaler.fittedRows == train.count)
        #expect(test.scaler.means == train.scaler.means && test.scaler.stds == train.scaler.stds)
        #expect(train.scaler.means != Self.demo.scaler.means)
        let trainRows = rows(train.features), testRows = rows(test.features)
        let testRaw = rows(test.rawFeatures)
        for c in 0..<16 {
            let column = trainRows.map { $0[c] }
            let mean = column.reduce(0, +) / Double(column.count)
            let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(column.count)
            #expect(abs(mean) < 1e-4, "column \(c) train mean \(mean)")
            #expect(abs(variance - 1) < 1e-3)
            // The test rows use the training mean and std.
            for r in 0..<min(50, test.count) {
                let expected = (testRaw[r][c] - train.scaler.means[c]) / train.scaler.stds[c]
                #expect(abs(testRows[r][c] - expected) < 1e-4)
            }
        }
        // The test part's own mean is not forced to zero.
        let testMean = testRows.map { $0[0] }.reduce(0, +) / Double(test.count)
        #expect(testMean != 0)
        // Domain one-hot columns are left as 0/1.
        #expect(Set(trainRows.map { $0[16] }).isSubset(of: [0, 1]))
    }

    @Test("split arguments are checked")
    func splitErrors() throws {
        #expect(throws: DataError.invalidArgument("test must be a fraction between 0 and 1, got 1.0")) {
            try Self.demo.split(test: 1, seed: 0)
        }
        #expect(throws: DataError.invalidArgument("by=\"group_id\" needs a dataset loaded with group_id=")) {
            try Self.demo.split(test: 0.2, seed: 0, groupedByID: true)
        }
        let one = try Self.demo.subset([0])
        #expect(throws: DataError.invalidArgument("needs at least 2 rows, the dataset has 1")) {
            try one.split(test: 0.5, seed: 0)
        }
        // Two rows and a small fraction still give two non-empty sides.
        let (a, b) = try Self.demo.subset([0, 1]).split(test: 0.1, seed: 0)
        #expect(a.count == 1 && b.count == 1)
    }

    // MARK: - mask

    @Test("mask hides the requested fraction, keeps the truth, and those rows become UNK", arguments: [0.0, 0.25, 0.5, 1.0])
    func mask(fraction: Double) throws {
        var config = SynthConfig()
        config.n = 2000
        config.missing = 0
        let d = try Dataset.synthesize(config)
        let masked = try d.masked(attribute: "sex", fraction: fraction, seed: 3)
        let sex = masked.attributes[0]
        let hidden = (0..<d.count).filter { sex.codes[$0] == -1 && d.attributes[0].codes[$0] != -1 }
        let recordsSex = (0..<d.count).filter { d.attributes[0].codes[$0] != -1 }
        // The fraction is of all rows; rows of age-only domains have no sex to hide.
        let chosen = Int((Double(d.count) * fraction).rounded())
        #expect(hidden.count <= chosen)
        #expect(abs(Double(hidden.count) - Double(chosen) * Double(recordsSex.count) / Double(d.count)) <= 4 * (Double(chosen) * 0.02).squareRoot() + 1)
        #expect(sex.trueCodes == d.attributes[0].codes)
        #expect(masked.attributes[1].codes == d.attributes[1].codes)  // age untouched
        #expect(masked.attributes[1].trueCodes == nil)
        let keys = masked.groupKeys(), truth = masked.groupKeys(truth: true)
        for r in hidden { #expect(keys[r] == "UNK") }
        #expect(truth == d.groupKeys())
        #expect(abs(masked.unknownFraction - Double(hidden.count) / Double(d.count)) < 1e-12)
    }

    @Test("mask without an attribute hides all of them for exactly round(n × fraction) rows")
    func maskAll() throws {
        var config = SynthConfig()
        config.n = 1000
        config.missing = 0
        let d = try Dataset.synthesize(config)
        let masked = try d.masked(attribute: nil, fraction: 0.3, seed: 1)
        let hiddenAge = (0..<d.count).filter { masked.attributes[1].codes[$0] == -1 }
        #expect(hiddenAge.count == 300)
        #expect(masked.unknownFraction == 0.3)
        for r in hiddenAge { #expect(masked.attributes[0].codes[r] == -1) }
        // Masking again keeps the original truth.
        let twice = try masked.masked(attribute: nil, fraction: 0.5, seed: 2)
        #expect(twice.attributes[1].trueCodes == d.attributes[1].codes)
        #expect(try d.masked(attribute: nil, fraction: 0.3, seed: 1).attributes[1].codes == masked.attributes[1].codes)
    }

    @Test("mask arguments are checked")
    func maskErrors() {
        #expect(throws: DataError.invalidArgument("no attribute 'race'; the attributes are sex, age")) {
            try Self.demo.masked(attribute: "race", fraction: 0.5, seed: 0)
        }
        #expect(throws: DataError.invalidArgument("fraction must be in [0, 1], got 1.5")) {
            try Self.demo.masked(attribute: nil, fraction: 1.5, seed: 0)
        }
    }

    // MARK: - filter

    @Test("filter by domain, by group, by both")
    func filter() throws {
        let xr = try Self.demo.filtered(domain: "chest_xray", group: nil)
        #expect(xr.count == Self.demo.domains.filter { $0 == 0 }.count)
        #expect(Set(xr.domains) == [0])
        let fa1 = try Self.demo.filtered(domain: nil, group: "F,A1")
        #expect(fa1.count == Self.demo.groupKeys().filter { $0 == "F,A1" }.count)
        #expect(Set(fa1.groupKeys()) == ["F,A1"])
        let both = try Self.demo.filtered(domain: "fundus", group: "M,A3")
        #expect(both.count > 0)
        #expect(Set(both.domains) == [2] && Set(both.groupKeys()) == ["M,A3"])
        let ageOnly = try Self.demo.filtered(domain: "dermatology", group: "A3")
        #expect(Set(ageOnly.groupKeys()) == ["A3"])
        // A group that exists elsewhere but not in the domain: an empty dataset that still describes.
        let none = try Self.demo.filtered(domain: "ultrasound", group: "M,A1")
        #expect(none.count == 0)
        #expect(none.describe().hasPrefix("demo: 0 prompts"))
        #expect(throws: DataError.invalidArgument("no domain 'mri'; the domains are chest_xray, dermatology, fundus, ecg, ct, pathology, ultrasound")) {
            try Self.demo.filtered(domain: "mri", group: nil)
        }
        #expect(throws: DataError.self) { try Self.demo.filtered(domain: nil, group: "X,A9") }
    }

    // MARK: - save_csv

    @Test("save_csv round-trips through load_csv: labels, attributes, domains, ids and raw features")
    func saveAndLoad() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let d = try Self.demo.subset(Array(0..<Self.demo.count).filter { $0 % 7 == 0 })
        let path = dir.file("demo.csv")
        try d.saveCSV(to: path)
        var roles = CSVRoles(label: "label")
        roles.attributes = ["sex", "age"]
        roles.domain = "domain"
        roles.id = "id"
        let back = try CSVLoader.load(path: path, roles: roles)
        #expect(back.count == d.count)
        #expect(back.ids == d.ids)
        #expect(classNames(back) == classNames(d))
        #expect(domainNames(back) == domainNames(d))
        #expect(levelNames(back.attributes[0]) == levelNames(d.attributes[0]))
        #expect(levelNames(back.attributes[1]) == levelNames(d.attributes[1]))
        #expect(back.featureNames == d.featureNames)
        #expect(back.rawFeatures.scalars.map(\.bitPattern) == d.rawFeatures.scalars.map(\.bitPattern))
    }

    @Test("save_csv keeps patient ids and quotes awkward text", arguments: CSVLoaderTests.patientFiles)
    func saveQuoted(file: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let d = try CSVLoader.load(path: Fixtures.csv(file), roles: patientRoles())
        try d.saveCSV(to: dir.file("p.csv"))
        var roles = patientRoles()
        roles.domain = "domain"
        roles.groupID = "group_id"
        let back = try CSVLoader.load(path: dir.file("p.csv"), roles: roles)
        #expect(back.ids == d.ids)  // with a comma, a newline and quotes
        #expect(back.groupIDs == d.groupIDs)
        #expect(classNames(back) == classNames(d))
        #expect(levelNames(back.attributes[0]) == levelNames(d.attributes[0]))
        #expect(levelNames(back.attributes[1]) == levelNames(d.attributes[1]))
        #expect(domainNames(back) == domainNames(d))
        #expect(sameValues(back.rawFeatures.scalars.map(Double.init), d.rawFeatures.scalars.map(Double.init)))
    }

    @Test("save_csv of a table whose features share names with attributes still loads back",
          arguments: ["heart_cleveland", "nhefs_death", "pbc_mayo", "covid_testing"])
    func saveCatalogTable(name: String) throws {
        Fixtures.useShippedClinicalData()
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let d = try Catalog.load(name)
        try d.saveCSV(to: dir.file("t.csv"))
        var roles = CSVRoles(label: "label")
        roles.attributes = d.attributes.map(\.name)
        roles.domain = "domain"
        roles.id = "id"
        if d.groupIDs != nil { roles.groupID = "group_id" }
        let back = try CSVLoader.load(path: dir.file("t.csv"), roles: roles)
        #expect(back.count == d.count)
        #expect(classNames(back) == classNames(d))
        for a in d.attributes.indices { #expect(levelNames(back.attributes[a]) == levelNames(d.attributes[a])) }
        #expect(domainNames(back) == domainNames(d))
        #expect(back.groupIDs == d.groupIDs)
        #expect(back.featureCount == d.featureCount)
        #expect(sameValues(back.rawFeatures.scalars.map(Double.init), d.rawFeatures.scalars.map(Double.init)))
    }

    @Test("save_csv quotes names and values the reader would otherwise split or trim")
    func saveAwkwardText() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        // A feature name full of semicolons (the reader detects the delimiter from the header),
        // a label with a leading space, one with CRLF inside, one with a quote.
        let text = "\"x;y;z\",w,label\n1,2,\" a\"\n3,4,\"b\r\nc\"\n5,6,\"q\"\"|\"\n"
        let d = try CSVLoader.load(bytes: Array(text.utf8), file: "awkward.csv", roles: CSVRoles(label: "label"), name: "awkward")
        #expect(d.featureNames == ["x;y;z", "w"])
        #expect(classNames(d) == [" a", "b\r\nc", "q\"|"])
        try d.saveCSV(to: dir.file("a.csv"))
        var roles = CSVRoles(label: "label")
        roles.domain = "domain"
        roles.id = "id"
        let back = try CSVLoader.load(path: dir.file("a.csv"), roles: roles)
        #expect(back.featureNames == d.featureNames)
        #expect(classNames(back) == classNames(d))
        #expect(back.rawFeatures.scalars == d.rawFeatures.scalars)
    }

    @Test("save_csv keeps id, domain and label as the fixed columns when an attribute is named like one")
    func saveFixedColumnNames() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        var roles = CSVRoles(label: "y")
        roles.attributes = ["label", "domain"]
        let d = try CSVLoader.load(bytes: Array("label,domain,x,y\nF,a,1,0\nM,b,2,1\nM,a,3,1\n".utf8), file: "names.csv",
                                   roles: roles, name: "names")
        try d.saveCSV(to: dir.file("n.csv"))
        let header = try FileIO.read(dir.file("n.csv")).split(separator: 10).first.map { String(decoding: $0, as: UTF8.self) }
        #expect(header == "id,domain,label.1,domain.1,label,x")
        var back = CSVRoles(label: "label")
        back.attributes = ["label.1", "domain.1"]
        back.domain = "domain"
        let reloaded = try CSVLoader.load(path: dir.file("n.csv"), roles: back)
        #expect(classNames(reloaded) == classNames(d))
        #expect(levelNames(reloaded.attributes[0]) == ["F", "M", "M"])
        #expect(levelNames(reloaded.attributes[1]) == ["a", "b", "a"])
    }

    @Test("an infinite or overflowing number counts as missing when scaling, and head still prints")
    func infiniteValues() throws {
        let text = "a,b,label\n1,5,0\n3,6,1\n1e39,7,0\ninf,8,1\n-inf,9,0\n"
        let d = try CSVLoader.load(bytes: Array(text.utf8), file: "inf.csv", roles: CSVRoles(label: "label"), name: "inf")
        #expect(rawColumn(d, 0) == [1, 3, .infinity, .infinity, -.infinity])
        // Mean 2 and std 1 from the finite values; the others become 0 like missing ones.
        #expect(rows(d.features).map { $0[0] } == [-1, 1, 0, 0, 0])
        #expect(!d.features.scalars.contains { !$0.isFinite })
        let shown = d.head(5)
        #expect(shown.rowCount == 5)
        #expect(shown.column("a")!.cells.map(\.number) == [-1, 1, 0, 0, 0])
        #expect(formatFixed(.infinity, 3) == "inf" && formatFixed(-.infinity, 2) == "-inf")
        #expect(formatFixed(1e300, 3) == "1e+300")
        #expect(formatFixed(-2.5, 0) == "-3" && formatFixed(0.125, 2) == "0.13")
    }
}

