import Lang
import RL
import Tensors

/// The `reward=` argument of trainer() and load(), and the step line's live-prompt part.
extension TrainingBuiltins {
    static let rewardHelp = """
        reward: "correct" (default, the paper's: 1 if answer == label else 0); "balanced" (a correct answer on class c earns \
        w_c = 1/(K'·π_c), π_c the share of c among the training labels, K' the number of classes present, so Σ π_c·w_c = 1 and \
        an always-right policy still earns 1 on average; use it when a class is rare); a K×K cost matrix (list of lists or tensor, \
        rows = true class, columns = answer, costs ≥ 0: reward = 1 − cost[true][answer]/max(cost), in [0, 1] as FairGRPO's \
        statistics need; [[0,1],[1,0]] is "correct"); or a function fn(answer, label) or fn(answer, label, row) returning a finite \
        number (called once per rollout; keep it in [0, 1] for fairgrpo). Under scale_rewards="group" (and in FairGRPO's own \
        GRPO step) a per-prompt reward scale cancels in (r − mean)/std, so "balanced" changes GRPO only with scale_rewards= \
        "batch" or "none", and FairGRPO through its μ statistics.
        """

    /// A reward option from `reward=`: a table option, or a function (returned separately: it cannot be stored in a checkpoint).
    static func rewardArgument(_ v: Value, classes k: Int, interp: Interpreter, callee: String)
        throws -> (option: RewardOption, function: ((Int, Int, Int) throws -> Double)?) {
        switch v {
        case .none: return (.correct, nil)
        case .string(let s):
            switch s {
            case "correct": return (.correct, nil)
            case "balanced": return (.balanced, nil)
            default: throw RuntimeError("\(callee): reward must be \"correct\", \"balanced\", a \(k)×\(k) cost matrix or a function, got \"\(s)\"")
            }
        case .function(let f):
            let n = f.parameters.filter { $0.defaultValue == nil && $0.kind == .regular }.count
            guard n == 2 || n == 3 else {
                throw RuntimeError("\(callee): the reward function must take (answer, label) or (answer, label, row); \(f.name) takes \(n) required arguments")
            }
            return (.correct, { answer, label, row in
                let args: [Value] = [.number(Double(answer)), .number(Double(label))] + (n == 3 ? [.number(Double(row))] : [])
                let r = try interp.call(v, positional: args)
                guard case .number(let x) = r, x.isFinite else {
                    throw RuntimeError("reward function \(f.name)(answer=\(answer), label=\(label)) returned \(r.typeName == "number" ? "a non-finite number" : r.typeName), expected a finite number")
                }
                return x
            })
        case .list, .object:
            return (.cost(try costMatrix(v, callee: callee)), nil)
        default:
            throw RuntimeError("\(callee): reward must be \"correct\", \"balanced\", a \(k)×\(k) cost matrix or a function, got \(v.typeName)")
        }
    }

    /// A list of lists of numbers, or a 2-D tensor, as rows of doubles.
    static func costMatrix(_ v: Value, callee: String) throws -> [[Double]] {
        if case .list(let rows) = v {
            return try rows.items.enumerated().map { i, row in
                guard case .list(let cells) = row else { throw RuntimeError("\(callee): cost matrix row \(i) is a \(row.typeName), expected a list of numbers") }
                return try cells.items.enumerated().map { j, c in
                    guard case .number(let x) = c else { throw RuntimeError("\(callee): cost[\(i)][\(j)] is a \(c.typeName), expected a number") }
                    return x
                }
            }
        }
        let t = try TensorBuiltins.tensor(from: v, what: "\(callee): the cost matrix")
        guard t.rank == 2 else { throw RuntimeError("\(callee): the cost matrix must be 2-D, got shape \(t.shape)") }
        let s = t.scalars
        return (0..<t.shape[0]).map { i in (0..<t.shape[1]).map { Double(s[i * t.shape[1] + $0]) } }
    }

    /// " | live 12% (grad 100%)", plus the dynamic-sampling counts when it is on.
    static func liveSuffix(_ log: StepLog, dynamic: Bool) -> String {
        guard !log.liveShare.isNaN else { return "" }
        var s = " | live \(format(log.liveShare * 100, 0))% (grad \(format(log.liveGradientShare * 100, 0))%)"
        if dynamic {
            s += " | drawn \(format(log.drawn, 0)) (live \(format(log.liveDrawnShare * 100, 0))%) kept \(format(log.kept, 0)) dropped \(format(log.dropped, 0))"
        }
        return s
    }
}
