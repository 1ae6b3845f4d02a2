import Data
import Testing
import TestSupport

/// The shipped clinical tables against the sizes and class balance in data/clinical/*.md.
@Suite("Clinical catalog")
struct CatalogTests {
    struct Expected: CustomTestStringConvertible, Sendable {
        var name: String
        var rows: Int
        var classCounts: [Int]
        var sexCounts: [String: Int]
        var domains: [String: Int]?
        var testDescription: String { name }
    }

    static let tables: [Expected] = [
        Expected(name: "heart_cleveland", rows: 303, classCounts: [164, 139], sexCounts: ["female": 97, "male": 206]),
        Expected(name: "nhefs_death", rows: 1629, classCounts: [1311, 318], sexCounts: ["female": 830, "male": 799]),
        Expected(name: "covid_testing", rows: 15223, classCounts: [14358, 865], sexCounts: ["female": 7686, "male": 7537],
                 domains: ["clinical lab": 7402, "emergency dept": 3354, "other (82 smaller clinics/wards)": 3147,
                           "oncology day hosp": 511, "nicu": 287, "laboratory": 262, "picu": 260]),
        Expected(name: "pbc_mayo", rows: 412, classCounts: [21, 92, 155, 144], sexCounts: ["female": 368, "male": 44]),
    ]

    @Test("sizes, class balance, sex counts and domains match the data cards", arguments: tables)
    func table(_ e: Expected) throws {
        Fixtures.useShippedClinicalData()
        let d = try Catalog.load(e.name)
        #expect(d.name == e.name)
        #expect(d.count == e.rows)
        #expect(d.classNames == (0..<e.classCounts.count).map(String.init))
        let counts = histogram(d.labels)
        #expect((0..<e.classCounts.count).map { counts[$0] ?? 0 } == e.classCounts)
        #expect(d.attributes.map(\.name) == ["sex", "age"])
        #expect(histogram(levelNames(d.attributes[0])) == e.sexCounts)
        if let domains = e.domains {
            #expect(d.domainNames.count == domains.count)
            #expect(histogram(domainNames(d)) == domains)
        } else {
            #expect(d.domainNames == [e.name])
        }
        #expect(!d.featureNames.contains { $0.hasPrefix("fg_") })
        #expect(d.notes.last?.hasPrefix("source and licence: ") == true)
        #expect(d.notes.last?.hasSuffix(".md") == true)
        #expect(!d.features.scalars.contains { $0.isNaN })
    }

    @Test("heart: age binned [25, 50, 75] from the age column (29-77)")
    func heartAges() throws {
        Fixtures.useShippedClinicalData()
        let heart = try Catalog.load("heart_cleveland")
        let age = heart.attributes[1]
        #expect(age.levels == ["≤25", "26-50", "51-75", ">75"])
        #expect(!age.codes.contains(0) && !age.codes.contains(-1))
        #expect(age.codes.contains(3))  // the two patients over 75
        #expect(Set(heart.groupKeys()).isSubset(of: ["F,A2", "F,A3", "F,A4", "M,A2", "M,A3", "M,A4"]))
    }

    @Test("covid: pediatric age groups in natural order; tests grouped by patient")
    func covidGroups() throws {
        Fixtures.useShippedClinicalData()
        let covid = try Catalog.load("covid_testing")
        #expect(covid.attributes[1].levels == ["0-1", "2-11", "12-17", "18+"])
        #expect(histogram(levelNames(covid.attributes[1])) == ["0-1": 3181, "2-11": 5406, "12-17": 2425, "18+": 4211])
        let patients = try #require(covid.groupIDs)
        #expect(Set(patients).count < covid.count)  // repeat tests of the same patient
    }

    @Test("a table also loads by its file's name, under its short name")
    func fileNames() throws {
        Fixtures.useShippedClinicalData()
        let byFile = try Catalog.load("covid_testing_chop"), byName = try Catalog.load("covid_testing")
        #expect(byFile.name == "covid_testing")
        #expect(byFile.count == byName.count && byFile.labels == byName.labels)
        #expect(throws: DataError.self) { try Catalog.load("covid_testing_chop.numeric") }
    }

    @Test("an unknown name lists the available tables")
    func unknownName() {
        #expect(throws: DataError.invalidArgument("no dataset named 'iris'; available: heart_cleveland, nhefs_death, covid_testing, pbc_mayo")) {
            try Catalog.load("iris")
        }
    }
}
