import Data

/// Where the learning signal is: a prompt is *live* when its rollouts'
/// rewards disagree, so its group-relative advantage is non-zero. Once a
/// policy answers a prompt the same way every time, GRPO's advantage for it
/// is exactly zero and FairGRPO's weights multiply zeros: with a rare
/// positive class most prompts die soon after the policy learns to answer
/// the majority class.
public enum LiveSignal {
    public struct Share: Sendable, Equatable {
        /// Live prompts among the members.
        public var live: Int
        /// live / members.
        public var share: Double
        /// Σ|A| over the members' live prompts / Σ|A| over the whole batch (0 when the batch has none).
        public var gradientShare: Double
    }

    /// For each set of prompt indices in `members` (e.g. one per (domain, group)).
    public static func measure(rewards: [[Double]], advantages: [[Double]], members: [[Int]]) -> [Share] {
        var total = 0.0
        for row in advantages { for v in row { total += abs(v) } }
        return members.map { qs in
            var live = 0, mass = 0.0
            for q in qs where Trainer.isLive(rewards[q]) {
                live += 1
                for v in advantages[q] { mass += abs(v) }
            }
            return Share(live: live, share: qs.isEmpty ? .nan : Double(live) / Double(qs.count), gradientShare: total > 0 ? mass / total : 0)
        }
    }
}

extension Trainer {
    /// Updates each (domain, group)'s count of consecutive dead steps from
    /// this step's logs (a group absent from the batch keeps its count) and
    /// returns the names of the groups that reached `deadStepWarning` now ("domain/group"
    /// when the data has several domains). Every method is affected alike: a group whose
    /// rollouts all agree has a zero advantage under GRPO as under FairGRPO's weights.
    /// A group is reported once until it has a live prompt again.
    func trackDeadGroups(_ logs: inout [GroupLog]) -> [String] {
        Trainer.trackDeadGroups(&logs, streaks: &deadStreaks, warned: &warnedGroups, limit: config.deadStepWarning, multiDomain: multiDomain)
    }

    /// The dead-group bookkeeping itself, on the given state (a trainer's or a replay's).
    static func trackDeadGroups(_ logs: inout [GroupLog], streaks deadStreaks: inout [GroupKey: Int], warned warnedGroups: inout Set<GroupKey>,
                                limit: Int, multiDomain: Bool) -> [String] {
        var dead: [String] = []
        for i in logs.indices {
            let key = GroupKey(logs[i].domain, logs[i].group)
            if logs[i].livePrompts > 0 {
                deadStreaks[key] = 0
                warnedGroups.remove(key)
            } else {
                deadStreaks[key, default: 0] += 1
            }
            logs[i].deadSteps = deadStreaks[key] ?? 0
            if limit > 0, logs[i].deadSteps >= limit, !warnedGroups.contains(key) {
                warnedGroups.insert(key)
                dead.append(multiDomain ? key.description : key.group)
            }
        }
        return dead
    }
}
