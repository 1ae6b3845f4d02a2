#if canImport(Glibc)
import Glibc
#endif

/// The real clinical tables shipped in `data/clinical/` (each with a .md
/// beside it giving its source, licence, columns and group sizes), loadable
/// by name with the right column roles.
public enum Catalog {
    public struct Entry: Sendable {
        public let name: String
        public let file: String
        public let summary: String
        public let roles: CSVRoles
    }

    public static let entries: [Entry] = [
        entry("heart_cleveland", "heart_cleveland_orange.numeric.csv",
              "UCI heart disease, Cleveland Clinic: 303 patients, coronary disease yes/no; sex and age",
              label: "fg_label", attributes: ["fg_sex", "fg_age"], drop: ["fg_age_group"]),
        entry("nhefs_death", "nhefs_death.numeric.csv",
              "NHEFS cohort (CDC/NCHS): death by 1992, 1,629 adults, 20% positive; sex and age",
              label: "fg_label", attributes: ["fg_sex", "fg_age"], drop: ["fg_age_group", "fg_race"]),
        entry("covid_testing", "covid_testing_chop.numeric.csv",
              "SARS-CoV-2 PCR tests at CHOP, 2020: 15,223 tests, ~6% positive; sex and pediatric age group; 7 sites",
              label: "fg_label", attributes: ["fg_sex", "fg_age_group"], domain: "fg_site", groupID: "fg_patient_id",
              drop: ["fg_age"]),
        entry("pbc_mayo", "pbc_mayo_stage.numeric.csv",
              "Mayo Clinic primary biliary cholangitis trial: histologic stage 1-4; sex and age",
              label: "fg_label", attributes: ["fg_sex", "fg_age"], drop: ["fg_age_group"]),
    ]

    private static func entry(_ name: String, _ file: String, _ summary: String, label: String, attributes: [String],
                              domain: String? = nil, groupID: String? = nil, drop: [String]) -> Entry {
        var roles = CSVRoles(label: label)
        roles.attributes = attributes
        roles.domain = domain
        roles.groupID = groupID
        roles.drop = drop
        return Entry(name: name, file: file, summary: summary, roles: roles)
    }

    /// Where the tables are: $FAIRGRPO_DATA, else a `data/clinical` folder in
    /// the checkout that holds the running binary (searched upwards from it),
    /// else `data/clinical` under the current directory.
    public static func directory() -> String? {
        if let env = getenv("FAIRGRPO_DATA") {
            let dir = String(cString: env)
            return exists(dir) ? dir : nil
        }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 {
            var dir = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            for _ in 0..<6 {
                guard let slash = dir.lastIndex(of: "/") else { break }
                dir = String(dir[..<slash])
                if exists(dir + "/data/clinical") { return dir + "/data/clinical" }
            }
        }
        return exists("data/clinical") ? "data/clinical" : nil
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    public static func load(_ name: String) throws -> Dataset {
        // The file's own name (covid_testing_chop, as in the .md files) works too.
        guard let entry = entries.first(where: { $0.name == name || $0.file == name + ".numeric.csv" }) else {
            throw DataError.invalidArgument("no dataset named '\(name)'; available: \(entries.map(\.name).joined(separator: ", "))")
        }
        guard let dir = directory() else {
            throw DataError.invalidArgument("cannot find the data/clinical folder; set FAIRGRPO_DATA to its path")
        }
        var data = try CSVLoader.load(path: dir + "/" + entry.file, roles: entry.roles, name: entry.name)
        // Short attribute names read better in group keys and reports.
        for i in data.attributes.indices {
            data.attributes[i].name = data.attributes[i].name.replacingPrefix("fg_", with: "").replacingPrefix("age_group", with: "age")
        }
        data.notes.append("source and licence: \(dir)/\(entry.file.replacingSuffix(".numeric.csv", with: ".md"))")
        return data
    }
}

extension String {
    func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
    func replacingSuffix(_ suffix: String, with replacement: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + replacement : self
    }
}
