/// One (domain, group) cell: the unit FairGRPO keeps statistics for, Group
/// DRO weighs, the dead-group warnings count and the split stratifies by.
/// A group's name alone is not enough (two domains may both have a group
/// "F"), and a joined string is ambiguous once a name contains the joiner,
/// so code names a cell by this value and builds text from it only to show it.
public struct GroupKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var domain: String
    /// The group's name within its domain ("UNK" without demographics, "UNK#c" for a cluster).
    public var group: String

    public init(_ domain: String, _ group: String) {
        self.domain = domain
        self.group = group
    }

    /// By domain, then group.
    public static func < (a: GroupKey, b: GroupKey) -> Bool {
        a.domain != b.domain ? a.domain < b.domain : a.group < b.group
    }

    /// "domain/group", as reports and warnings show a cell.
    public var description: String { domain + "/" + group }
}

extension Dataset {
    /// Each row's (domain, group) cell; `truth` as in `groupKeys(truth:)`.
    public func groupCells(truth: Bool = false) -> [GroupKey] {
        let keys = groupKeys(truth: truth)
        return keys.indices.map { GroupKey(domainNames[domains[$0]], keys[$0]) }
    }
}
