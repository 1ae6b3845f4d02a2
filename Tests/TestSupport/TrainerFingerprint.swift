import Data
import RL

/// Everything a step can change, for comparing two trainers bit for bit
/// (the per-step wall time excepted).
public struct TrainerFingerprint: Equatable {
    public var parameters: [[Float]], reference: [[Float]]
    public var firstMoments: [[Float]], secondMoments: [[Float]], adamSteps: Int
    public var rng: [UInt64], order: [Int], cursor: Int, epoch: Int, steps: Int
    public var fair: FairWeighting.State, dro: [GroupKey: Double]?
    public var history: [[Double]], groups: [String]

    public init(_ t: Trainer) {
        parameters = t.policy.parameters.map { $0.value.scalars }
        reference = t.policy.reference.parameters.map { $0.value.scalars }
        firstMoments = t.optimizer.firstMoments
        secondMoments = t.optimizer.secondMoments
        adamSteps = t.optimizer.stepCount
        let s = t.rng.state
        rng = [s.0, s.1, s.2, s.3]
        order = t.order; cursor = t.cursor; epoch = t.epoch; steps = t.stepCount
        fair = t.fair.state
        dro = t.dro?.weights
        history = t.history.map { Array($0.values.dropLast()) }  // all but milliseconds
        groups = t.groupHistory.flatMap { $0 }.map { l in
            "\(l.step) \(l.domain) \(l.group) \(l.batchPrompts) \(l.nDomain) \(l.muDomain) \(l.tDomain) \(l.nGroup) \(l.muGroup) \(l.factor) \(l.weight) \(l.meanAbsAdvantage) \(l.gradientShare) \(l.livePrompts)"
        }
    }
}
