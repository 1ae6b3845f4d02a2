import Tensors

/// Version 2 of the checkpoint format adds, after the logged history, a list
/// of named sections (u32 count; each: name, u32 byte length, payload), so
/// later additions do not disturb the fixed part. Version 1 files still load, with the
/// defaults for everything added since (the reference's clustering, no
/// per-prompt rows, so no scores against the truth for the history before).
extension Checkpoint {
    static let clusteringSection = "clustering"

    static func writeSections(_ t: Trainer, _ w: inout BinaryWriter) {
        var sections: [(String, BinaryWriter)] = []
        var c = BinaryWriter()
        let fair = t.fair.state
        c.write(fair.batches)
        c.write(UInt32(fair.unknownRows.count))
        for key in fair.unknownRows.keys.sorted() { c.write(key); writeInts(fair.unknownRows[key]!, &c) }
        c.write(UInt32(fair.latent.count))
        for key in fair.latent.keys.sorted() {
            let l = fair.latent[key]!
            c.write(key)
            c.write(UInt32(l.centroids.count))
            for centre in l.centroids { writeDoubles(centre, &c) }
            writeInts(l.labels, &c); writeInts(l.sizes, &c)
            writeDoubles(l.means, &c); writeDoubles(l.rewardCounts, &c)
            c.write(l.fittedAt)
        }
        c.write(UInt32(t.clusterHistory.count))
        for log in t.clusterHistory {
            c.write(log.step); c.write(log.clusters); c.write(log.known); c.write(log.reclustered)
            c.write(log.ari); c.write(log.nmi); c.write(log.milliseconds)
        }
        sections.append((clusteringSection, c))
        sections.append((liveSection, liveSectionBody(t)))
        w.write(UInt32(sections.count))
        for (name, body) in sections {
            w.write(name)
            w.write(UInt32(body.bytes.count))
            w.writeBytes(body.bytes)
        }
    }

    static func readSections(_ r: inout BinaryReader, into t: Trainer) throws {
        let n = Int(try r.readUInt32("the number of sections"))
        guard n <= 1024 else { throw ArchiveError.corrupt("\(n) sections") }
        for _ in 0..<n {
            let name = try r.readString("a section name")
            let length = Int(try r.readUInt32("a section length"))
            var body = BinaryReader(try r.readBytes(length, "section \(name)"))
            switch name {
            case clusteringSection: try readClustering(&body, into: t)
            case liveSection: try readLive(&body, into: t)
            default: throw ArchiveError.corrupt("unknown section \"\(name)\" (written by a newer build?)")
            }
            guard body.remaining == 0 else { throw ArchiveError.corrupt("\(body.remaining) unexpected bytes at the end of section \(name)") }
        }
    }

    static func readClustering(_ r: inout BinaryReader, into t: Trainer) throws {
        var fair = t.fair.state
        fair.batches = try r.readInt()
        guard fair.batches >= 0 else { throw ArchiveError.corrupt("negative batch count") }
        let rowCount = Int(try r.readUInt32())
        guard rowCount <= r.remaining / 8 else { throw ArchiveError.corrupt("row table too long") }
        for _ in 0..<rowCount {
            let key = try r.readString(), rows = try readInts(&r)
            guard rows.count == fair.unknownHistory[key]?.count, rows.allSatisfy({ $0 >= -1 && $0 < t.data.count }) else {
                throw ArchiveError.corrupt("the rows of domain \(key)'s unknown-prompt history disagree with it")
            }
            fair.unknownRows[key] = rows
        }
        let latentCount = Int(try r.readUInt32())
        guard latentCount <= r.remaining / 8 else { throw ArchiveError.corrupt("clustering table too long") }
        for _ in 0..<latentCount {
            let key = try r.readString()
            let k = Int(try r.readUInt32())
            guard k >= 1, k <= r.remaining / 8 else { throw ArchiveError.corrupt("clustering of \(key) has \(k) clusters") }
            let centroids = try (0..<k).map { _ in try readDoubles(&r) }
            let labels = try readInts(&r), sizes = try readInts(&r), means = try readDoubles(&r), counts = try readDoubles(&r)
            let fittedAt = try r.readInt()
            let history = fair.unknownHistory[key]?.count ?? -1
            guard labels.count == history, labels.allSatisfy({ $0 >= 0 && $0 < k }), sizes.count == k, means.count == k, counts.count == k,
                  Set(centroids.map(\.count)).count == 1 else {
                throw ArchiveError.corrupt("the clustering of domain \(key) is inconsistent")
            }
            fair.latent[key] = DomainClustering(centroids: centroids, labels: labels, sizes: sizes, means: means, rewardCounts: counts, fittedAt: fittedAt)
        }
        t.fair.state = fair
        let logCount = Int(try r.readUInt32())
        guard logCount <= r.remaining / 41 else { throw ArchiveError.corrupt("cluster log too long") }
        t.clusterHistory = try (0..<logCount).map { _ in
            ClusterLog(step: try r.readInt(), clusters: try r.readInt(), known: try r.readInt(), reclustered: try r.readBool(),
                       ari: try r.readDouble(), nmi: try r.readDouble(), milliseconds: try r.readDouble())
        }
    }

    static func writeDoubles(_ a: [Double], _ w: inout BinaryWriter) { writeList(a, &w) { $1.write($0) } }
    static func readDoubles(_ r: inout BinaryReader) throws -> [Double] { try readList(&r, of: "numbers") { try $0.readDouble() } }
}
