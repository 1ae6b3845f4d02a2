import Render

/// A CSV file read back as a table (`load_table`): the header names the
/// columns; a column whose present fields all parse as numbers is numeric,
/// others are text; empty fields (and NA, NaN, null, ?) are missing. What
/// `to_csv` writes reads back with the same values.
public enum TableLoader {
    public static func load(path: String) throws -> DataTable {
        try table(CSVReader(mapping: path))
    }

    public static func load(bytes: [UInt8], file: String) throws -> DataTable {
        try table(CSVReader(bytes: bytes, file: file))
    }

    static func table(_ reader: CSVReader) throws -> DataTable {
        var header: [String] = [], fields: [[String?]] = []
        try reader.forEachRecord { line, record in
            if header.isEmpty && fields.isEmpty && line == 1 {
                header = record.map { reader.text($0) }
                return
            }
            if record.count == 1 && reader.text(record[0]).isEmpty && !record[0].quoted && header.count > 1 { return }  // blank line
            guard record.count == header.count else {
                throw DataError.malformed(file: reader.file, line: line, column: nil, reason: "\(record.count) fields, but the header has \(header.count)")
            }
            fields.append(record.map { reader.isMissing($0) && !$0.quoted ? nil : reader.text($0) })
        }
        guard !header.isEmpty else { throw DataError.badFile(file: reader.file, reason: "no header line") }
        let columns = header.indices.map { c -> Column in
            let texts = fields.map { $0[c] }
            let numbers = texts.map { $0.flatMap(Double.init) }
            let numeric = zip(texts, numbers).allSatisfy { $0 == nil || $1 != nil }
            return numeric ? Column(header[c], numbers: numbers)
                           : Column(header[c], format: .text, cells: texts.map { $0.map(Cell.text) ?? .missing })
        }
        return DataTable(columns)
    }
}
