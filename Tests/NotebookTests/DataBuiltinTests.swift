import Data
import Lang
import Notebook
import Testing
import TestSupport

/// The data builtins as a notebook user calls them.
@Suite("Data builtins")
struct DataBuiltinTests {
    func demo(n: Int, seed: UInt64 = 0) throws -> Dataset {
        var config = SynthConfig()
        config.n = n
        config.seed = seed
        return try Dataset.synthesize(config)
    }

    @Test("describe(demo(n=2000)) prints the dataset's description")
    func describe() throws {
        let t = Transcript()
        let (status, output) = t.run("describe(demo(n=2000))")
        #expect(status == .ok)
        let expected = try demo(n: 2000).describe() + "\n"
        #expect(output == expected)
        #expect(output.hasPrefix("demo: 2000 prompts · 7 domains · 17 classes · 23 features · attributes sex, age"))
        for needle in ["chest_xray", "ultrasound", "M,A3", "F,A1", "≤25 (A1)", "note: synthetic (seed 0)"] {
            #expect(output.contains(needle), "missing \(needle)")
        }
        // The method form prints the same.
        t.run("d = demo(n=2000)")
        #expect(t.run("d.describe()").output == expected)
    }

    @Test("train, test = split(...) gives the same parts as the library")
    func split() throws {
        let t = Transcript()
        let (status, output) = t.run("""
            data = demo(n=2000, seed=1)
            train, test = split(data, test=0.25, seed=3, stratify="label")
            print(train.count, test.count, len(train.labels), train.name)
            """)
        #expect(status == .ok, "\(output)")
        let (train, test) = try demo(n: 2000, seed: 1).split(test: 0.25, seed: 3, stratify: .label)
        #expect(output == "\(train.count) \(test.count) \(train.count) demo/train\n")
        #expect(t.dataset("train")?.ids == train.ids)
        #expect(t.dataset("test")?.ids == test.ids)
        #expect(t.dataset("test")?.scaler.means == train.scaler.means)
    }

    @Test("split with by=\"group_id\" and its errors")
    func splitErrors() {
        let t = Transcript()
        t.run("data = demo(n=500)")
        var r = t.run("split(data, stratify=\"sex\")")
        #expect(r.status == .runtimeError)
        #expect(r.output.contains("split(): stratify must be \"none\", \"label\" or \"group\""))
        r = t.run("split(data, by=\"group_id\")")
        #expect(r.status == .runtimeError)
        #expect(r.output.contains("split(): by=\"group_id\" needs a dataset loaded with group_id="))
        r = t.run("split(data, test=2)")
        #expect(r.output.contains("split(): test must be a fraction between 0 and 1, got 2.0"))
    }

    @Test("a library error is reported under the builtin that let it through, at the call")
    func libraryErrorsNamed() {
        let t = Transcript()
        // Dataset.synthesize's message has no builtin name: demo() and synth() each add theirs.
        var r = t.run("x = 1\ndemo(n=10)")
        #expect(r.status == .runtimeError)
        #expect(r.output.contains("demo(): n must be at least 140 (20 rows per domain), got 10"))
        #expect(r.output.contains(":2:"))
        r = t.run("synth(n=10)")
        #expect(r.output.contains("synth(): n must be at least 140"))
        // A file's problem names the file, not the builtin.
        r = t.run("load_csv(\"/nonexistent/x.csv\", label=\"y\")")
        #expect(r.status == .runtimeError)
        #expect(!r.output.contains("load_csv(): /nonexistent"))
    }

    @Test("head(data, n) is a table of n rows")
    func head() throws {
        let t = Transcript()
        let (status, output) = t.run("print(head(demo(n=200), 3))")
        #expect(status == .ok)
        #expect(output == (try demo(n: 200).head(3)).text + "\n")
        let lines = output.split(separator: "\n")
        #expect(lines.count == 5)  // header, three rows, the size (columns were elided)
        #expect(lines[4] == "3 rows × 29 columns")
        #expect(lines[0].hasPrefix("id"))
        for word in ["domain", "group", "sex", "age", "label", "x0", "…"] { #expect(lines[0].contains(word)) }
        #expect(lines[1].hasPrefix("chest_xray-0"))
        // More rows than the dataset has: all of them; the default is 5.
        t.run("small = filter(demo(n=200), domain=\"ultrasound\")")
        #expect(t.run("len(head(small, 100))").status == .ok)
        #expect(t.run("print(len(head(small, 100)), len(head(small)))").output == "20 5\n")
    }

    @Test("head with a negative count is an error, not a crash")
    func headNegative() {
        let t = Transcript()
        t.run("d = demo(n=200)")
        let r = t.run("head(d, -1)")
        #expect(r.status == .runtimeError)
        #expect(r.output.contains("head(): n must be at least 0, got -1"))
        let m = t.run("d.head(-2)")
        #expect(m.status == .runtimeError)
        #expect(m.output.contains("head(): n must be at least 0, got -2"))
    }

    @Test("demo and synth refuse a negative seed instead of crashing")
    func negativeSeed() {
        let t = Transcript()
        for call in ["demo(n=200, seed=-1)", "synth(n=200, seed=-5)"] {
            let r = t.run(call)
            #expect(r.status == .runtimeError, "\(call)")
            #expect(r.output.contains("seed must be non-negative"), "\(call): \(r.output)")
        }
    }

    @Test("synth(domains=, concept_shift=, covariate_shift=): one domain with minority rules; bad values are refused")
    func synthMinorityRules() {
        let t = Transcript()
        let ok = t.run("d = synth(n=400, domains=1, difficulty=0, label_noise=0, missing=0, concept_shift=1, covariate_shift=1)\nprint(d.domain_names, d.classes)")
        #expect(ok.status == .ok, "\(ok.output)")
        #expect(ok.output.contains("[\"chest_xray\"] [\"chest_xray/normal\", \"chest_xray/pneumonia\", \"chest_xray/effusion\"]"), "\(ok.output)")
        for (call, message) in [("synth(n=400, domains=0)", "synth(): domains must be between 1 and 7, got 0"),
                                ("synth(n=400, concept_shift=2)", "synth(): concept_shift must lie in [0, 1], got 2"),
                                ("synth(n=400, covariate_shift=-1)", "synth(): covariate_shift must be non-negative, got -1")] {
            let r = t.run(call)
            #expect(r.status == .runtimeError, "\(call)")
            // As one line: errors wrap between words at the display width.
            #expect(unwrapped(r.output).contains(message), "\(call): \(r.output)")
        }
    }

    @Test("load_csv with every role, from the fixtures")
    func loadCSV() throws {
        let t = Transcript()
        let path = DataFixtures.csv("patients_tab.tsv")
        let (status, output) = t.run("""
            p = load_csv("\(path)", label="label", attributes=["sex", "age"], domain="site", id="id", group_id="patient", delimiter="\\t")
            print(p.count, p.domain_names, p.groups)
            print(p.sex)
            """)
        #expect(status == .ok, "\(output)")
        let lines = output.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("8 ") == true)
        #expect(output.contains("UNK"))
        let loaded = try #require(t.dataset("p"))
        let direct = try CSVLoader.load(path: path, roles: patientRoles())
        #expect(loaded.ids == direct.ids && loaded.labels == direct.labels && loaded.groupIDs == direct.groupIDs)
        #expect(loaded.name == "patients_tab")
    }

    @Test("load_csv names a bad role column and lists the columns")
    func badRoleColumn() {
        // Messages compared as one line: errors wrap between words at the display width.
        let t = Transcript()
        let path = DataFixtures.csv("patients.csv")
        var r = t.run("load_csv(\"\(path)\", label=\"outcome\")")
        #expect(r.status == .runtimeError)
        #expect(unwrapped(r.output).contains("\(path): label column 'outcome' does not exist; the columns are: id, patient, site, sex, age, smoker, bp, chol, label"), "\(r.output)")
        r = t.run("load_csv(\"\(path)\", label=\"label\", attributes=[\"gender\"])")
        #expect(unwrapped(r.output).contains("attribute column 'gender' does not exist"))
        r = t.run("load_csv(\"\(path)\", label=\"label\", attributes=[1])")
        #expect(unwrapped(r.output).contains("load_csv(): 'attributes' must be a list of column names, found number"))
        r = t.run("load_csv(\"\(path)\", label=\"label\", age_bins=[50, 25])")
        #expect(unwrapped(r.output).contains("age_bins must be increasing upper bounds"))
        r = t.run("load_csv(\"\(path)\", label=\"label\", delimiter=\";;\")")
        #expect(unwrapped(r.output).contains("delimiter must be one character"))
        r = t.run("load_csv(\"\(DataFixtures.csv("ragged.csv"))\", label=\"label\")")
        #expect(unwrapped(r.output).contains("\(DataFixtures.csv("ragged.csv")):3: this row has 2 fields but the header has 3"))
    }

    @Test("load_images from the fixture manifest")
    func loadImages() {
        let t = Transcript()
        let r = t.run("""
            imgs = load_images("\(DataFixtures.png("manifest.csv"))", label="finding", attributes=["sex"], domain="site", size=2)
            print(imgs.count, imgs.feature_names, imgs.classes)
            """)
        #expect(r.status == .ok, "\(r.output)")
        #expect(r.output.hasPrefix("4 "))
        #expect(r.output.contains("abnormal"))
    }

    @Test("dataset(name) loads a shipped table")
    func catalog() {
        DataFixtures.useShippedClinicalData()
        let t = Transcript()
        let r = t.run("heart = dataset(\"heart_cleveland\")\nprint(heart.count, heart.attributes, heart.classes)")
        #expect(r.status == .ok, "\(r.output)")
        #expect(r.output.hasPrefix("303 "))
        let bad = t.run("dataset(\"nope\")")
        #expect(bad.status == .runtimeError)
        #expect(bad.output.contains("no dataset named 'nope'"))
    }

    @Test("mask, filter and save_csv, then load_csv again")
    func maskFilterSave() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("blind.csv")
        let t = Transcript()
        let r = t.run("""
            blind = mask(synth(n=1000, missing=0), "sex", 0.5, seed=0)
            xr = filter(blind, domain="chest_xray")
            save_csv(xr, "\(path)")
            back = load_csv("\(path)", label="label", attributes=["sex", "age"], domain="domain", id="id")
            print(len(xr.ids), back.count)
            """)
        #expect(r.status == .ok, "\(r.output)")
        let xr = try #require(t.dataset("xr")), back = try #require(t.dataset("back"))
        #expect(r.output == "wrote \(path) (\(xr.count) rows)\n\(xr.count) \(xr.count)\n")
        #expect(levelNames(back.attributes[0]) == levelNames(xr.attributes[0]))
        #expect(xr.attributes[0].codes.filter { $0 < 0 }.count > 0)
        #expect(Set(domainNames(xr)) == ["chest_xray"])
        let bad = t.run("mask(blind, \"race\")")
        #expect(bad.output.contains("mask(): no attribute 'race'; the attributes are sex, age"))
    }

    @Test("dataset members")
    func members() {
        let t = Transcript()
        t.run("d = demo(n=140)")
        #expect(t.run("print(d.count, len(d.features.shape), len(d.domain_names), len(d.groups), d.name)").output == "140 2 7 140 demo\n")
        #expect(t.run("print(d.domains[0], d.ids[0], d.classes[0])").output == "chest_xray chest_xray-0 chest_xray/normal\n")
        #expect(t.run("d.nothing").status == .runtimeError)
    }
}
