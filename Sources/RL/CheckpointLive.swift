import Data
import Tensors

/// The "live" section (format version 3 on) with the live-prompt columns of
/// the step and group logs and the dead-group counters (so a resumed run
/// warns exactly when the uninterrupted one would).
extension Checkpoint {
    static let liveSection = "live"

    static func liveSectionBody(_ t: Trainer) -> BinaryWriter {
        var w = BinaryWriter()
        w.write(UInt32(t.history.count))
        for l in t.history { for v in [l.liveShare, l.liveGradientShare, l.drawn, l.kept, l.dropped, l.liveDrawnShare] { w.write(v) } }
        w.write(UInt32(t.groupHistory.count))
        for logs in t.groupHistory {
            w.write(UInt32(logs.count))
            for l in logs { w.write(l.liveShare); w.write(l.liveGradientShare); w.write(l.deadSteps) }
        }
        w.write(UInt32(t.deadStreaks.count))
        for (text, key) in t.deadStreaks.keys.map({ (cellText($0), $0) }).sorted(by: { $0.0 < $1.0 }) { w.write(text); w.write(t.deadStreaks[key]!) }
        writeStrings(t.warnedGroups.map(cellText).sorted(), &w)
        return w
    }

    static func readLive(_ r: inout BinaryReader, into t: Trainer) throws {
        var history = t.history, groups = t.groupHistory
        guard Int(try r.readUInt32()) == history.count else { throw ArchiveError.corrupt("the live-prompt log disagrees with the history") }
        for i in history.indices {
            let v = try (0..<6).map { _ in try r.readDouble() }
            (history[i].liveShare, history[i].liveGradientShare, history[i].drawn) = (v[0], v[1], v[2])
            (history[i].kept, history[i].dropped, history[i].liveDrawnShare) = (v[3], v[4], v[5])
        }
        guard Int(try r.readUInt32()) == groups.count else { throw ArchiveError.corrupt("the live-prompt group log disagrees with the history") }
        for i in groups.indices {
            guard Int(try r.readUInt32()) == groups[i].count else { throw ArchiveError.corrupt("the live-prompt group log of step \(i + 1) disagrees with the history") }
            for j in groups[i].indices {
                groups[i][j].liveShare = try r.readDouble(); groups[i][j].liveGradientShare = try r.readDouble()
                groups[i][j].deadSteps = try r.readInt()
            }
        }
        t.restoreHistory(history, groups)
        let n = Int(try r.readUInt32())
        guard n <= r.remaining / 12 else { throw ArchiveError.corrupt("dead-group table too long") }
        var streaks: [GroupKey: Int] = [:]
        for _ in 0..<n { let key = try cell(try r.readString()); streaks[key] = try r.readInt() }
        t.deadStreaks = streaks
        t.warnedGroups = Set(try readStrings(&r).map(cell))
    }
}
