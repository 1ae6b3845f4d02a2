/// The PPO-clip policy loss of GRPO-style training as one fused operation.
///
/// Spelled out with primitives, the loss over `n` prompts with `g` sampled
/// answers each is
///
///     logp  = (logits · (1/T)).take(expand).logSoftmax().takeAlong(answers)   // [n·g]
///     ratio = exp(logp − old)
///     loss  = −mean(min(ratio·A, clamp(ratio, low, high)·A))
///             [+ β · mean(exp(d) − d − 1), d = refLogp − logp]
///
/// which records about fifteen autodiff nodes and allocates as many
/// temporaries of n·g (or n·g·k) elements, and computes each prompt's
/// log-softmax g times. The fused version computes the log-softmax once per
/// prompt, makes one pass over the rollouts, and has a hand-written backward.
/// It performs the same floating-point operations in the same order as the
/// composition above, so its loss, ratios and gradients are bit-identical to
/// it (the tests check both that and finite differences).
///
/// It lives in Tensors, not RL, because it is an autodiff operation: it records
/// one node with a hand-written backward (`recorded`) and runs the vectorised
/// loops of CKernels, both of which Tensors keeps to itself. It is arithmetic
/// on logits, ratios and advantages and knows nothing of policies or methods;
/// the trainer (RL) decides what goes in.
public struct ClippedPolicyLoss {
    /// The scalar loss, recorded for `backward()` with respect to the logits.
    public let loss: Tensor
    /// π/π_old for each rollout, `[n·g]` (not recorded).
    public let ratios: Tensor
    /// The mean k3 estimate of KL(π ‖ π_ref), when reference log-probabilities were given.
    public let klMean: Float?
}

extension Tensor {
    /// Checks the arguments shared by the policy-loss functions and returns (n, k).
    private static func policyShape(_ op: String, logits: Tensor, generations g: Int, answers: [Int]) throws -> (Int, Int) {
        guard logits.rank == 2, logits.shape[1] > 0 else {
            throw TensorError.invalidArgument("\(op): logits must be [prompts, classes] with at least one class, got \(formatShape(logits.shape))")
        }
        guard g >= 1 else { throw TensorError.invalidArgument("\(op): generations must be at least 1, got \(g)") }
        let n = logits.shape[0], k = logits.shape[1]
        guard answers.count == n * g else {
            throw TensorError.invalidArgument("\(op): \(n) prompts × \(g) generations need \(n * g) answers, got \(answers.count)")
        }
        for (i, a) in answers.enumerated() where a < 0 || a >= k {
            throw TensorError.indexOutOfRange(op: "\(op) (answer \(i))", index: a, size: k)
        }
        return (n, k)
    }

    /// Row-wise log-softmax of `logits · (1/temperature)`, `[n, k]`, as the
    /// unfused `(logits * (1 / temperature)).logSoftmax()` computes it.
    private static func temperedLogSoftmax(_ logits: Tensor, temperature: Float, n: Int, k: Int) -> Tensor {
        let invT = 1 / temperature
        var scaled = Tensor(uninitializedShape: [n, k])
        let src = logits.storage.pointer, sp = scaled.storage.pointer
        for i in 0..<(n * k) { sp[i] = src[i] * invT }
        var lsm = Tensor(uninitializedShape: [n, k])
        logSoftmaxRows(sp, lsm.storage.pointer, rows: n, columns: k)
        return lsm
    }

    /// Log-probabilities of sampled answers, `[n·g]`, not recorded: rollout
    /// `i` is answer `answers[i]` to prompt `i / g`, scored by
    /// log softmax(logits / temperature). Equal to
    /// `(logits * (1/T)).take(expand).logSoftmax().takeAlong(...)` but with one
    /// log-softmax per prompt.
    public static func sampledLogProbs(logits: Tensor, temperature: Float, generations g: Int, answers: [Int]) throws -> Tensor {
        let (n, k) = try policyShape("sampled_log_probs", logits: logits, generations: g, answers: answers)
        let lsm = temperedLogSoftmax(logits, temperature: temperature, n: n, k: k)
        var out = Tensor(uninitializedShape: [n * g])
        let lp = lsm.storage.pointer, op = out.storage.pointer
        for i in 0..<(n * g) { op[i] = lp[(i / g) * k + answers[i]] }
        return out
    }

    /// The PPO-clip loss of a GRPO step and its gradient with respect to
    /// `logits`, fused (see `ClippedPolicyLoss`).
    ///
    /// - `logits`: `[n, k]`, one row per prompt (recorded, e.g. the policy's output);
    /// - `answers`: `n·g` class indices, rollout `i` belonging to prompt `i / g`;
    /// - `oldLogProbs`, `advantages`: `[n·g]`, the sampling policy's
    ///   log-probabilities of the answers and their advantages;
    /// - `low`, `high`: the clip range of the ratio;
    /// - `referenceLogProbs` (`[n·g]`) and `beta`: the k3 KL penalty, when given.
    ///
    /// Backward, with c = −G/N for the output gradient G and N = n·g rollouts:
    /// d loss/d ratioᵢ = c·Aᵢ where ratio·A is the smaller term (or the clamp is
    /// inactive), d/d logpᵢ = ratioᵢ·(that) − cₖ(exp(dᵢ) − 1) with
    /// cₖ = β·G/N, and through the log-softmax and the 1/T scaling back to the
    /// prompt's logits row, summed over its g rollouts.
    public static func clippedPolicyLoss(
        logits: Tensor, temperature: Float, generations g: Int, answers: [Int],
        oldLogProbs: Tensor, advantages: Tensor, low: Float, high: Float,
        referenceLogProbs: Tensor? = nil, beta: Float = 0
    ) throws -> ClippedPolicyLoss {
        let op = "clipped_policy_loss"
        let (n, k) = try policyShape(op, logits: logits, generations: g, answers: answers)
        let rollouts = n * g
        guard rollouts > 0 else { throw TensorError.invalidArgument("\(op): no rollouts (0 prompts)") }
        for (name, t) in [("old log-probabilities", oldLogProbs), ("advantages", advantages)] + (referenceLogProbs.map { [("reference log-probabilities", $0)] } ?? [])
        where t.count != rollouts {
            throw TensorError.invalidArgument("\(op): \(name) must have \(rollouts) elements (one per rollout), got \(formatShape(t.shape))")
        }
        let invT = 1 / temperature
        let lsm = temperedLogSoftmax(logits, temperature: temperature, n: n, k: k)
        let lp = lsm.storage.pointer
        let oldP = oldLogProbs.storage.pointer, advP = advantages.storage.pointer
        var ratios = Tensor(uninitializedShape: [rollouts])
        var surrogate = Tensor(uninitializedShape: [rollouts])
        let rp = ratios.storage.pointer, sp = surrogate.storage.pointer
        for i in 0..<rollouts {
            let logp = lp[(i / g) * k + answers[i]]
            let r = _expf(logp - oldP[i])
            rp[i] = r
            let a = advP[i]
            sp[i] = Swift.min(r * a, Swift.min(Swift.max(r, low), high) * a)
        }
        let inverseCount = 1 / Float(rollouts)
        var lossValue = -(Float(sumAsDouble(sp, count: rollouts)) * inverseCount)
        var klMean: Float?
        // exp(d) of the KL term, kept for backward.
        var klExp: Tensor?
        if let referenceLogProbs {
            let refP = referenceLogProbs.storage.pointer
            var k3 = Tensor(uninitializedShape: [rollouts])
            var e = Tensor(uninitializedShape: [rollouts])
            let kp = k3.storage.pointer, ep = e.storage.pointer
            for i in 0..<rollouts {
                let d = refP[i] - lp[(i / g) * k + answers[i]]
                ep[i] = _expf(d)
                kp[i] = (ep[i] - d) + -1
            }
            let mean = Float(sumAsDouble(kp, count: rollouts)) * inverseCount
            klMean = mean
            klExp = e
            lossValue = lossValue + mean * beta
        }
        let ratioTensor = ratios
        let loss = Tensor(scalar: lossValue).recorded(op, logits) { [lsm, advantages, klExp] gradient in
            // The closure owns the saved tensors; raw pointers are taken from them here.
            let lp = lsm.storage.pointer, advP = advantages.storage.pointer
            let G = gradient.storage.pointer[0]
            let c = -G * inverseCount  // through −mean: neg, then · 1/N
            let ck = G * beta * inverseCount  // through β·mean
            var gl = Tensor.zeros([n, k])
            let glp = gl.storage.pointer
            let rp = ratioTensor.storage.pointer
            let ep = klExp?.storage.pointer
            // softmax of each prompt's row, shared by its g rollouts.
            let probs = Tensor(uninitializedShape: [n, k])
            let pp = probs.storage.pointer
            for i in 0..<(n * k) { pp[i] = _expf(lp[i]) }
            for i in 0..<rollouts {
                let q = i / g, a = answers[i]
                let r = rp[i], adv = advP[i]
                // min(u, v) sends the gradient to u = r·A where u ≤ v, else to v = clamp(r)·A.
                let takeU: Float = r * adv <= Swift.min(Swift.max(r, low), high) * adv ? 1 : 0
                let fromU = (c * takeU) * adv
                let clampGrad = (c * (1 - takeU)) * adv
                let fromClamp: Float = (r >= low && r <= high) ? clampGrad : 0
                var glogp = (fromU + fromClamp) * r  // through exp(logp − old)
                if let ep {
                    // d = ref − logp; k3 = exp(d) − d − 1.
                    let gd = ck * ep[i] + -ck
                    glogp = glogp + -gd
                }
                // The gather leaves glogp at the answer and zeros elsewhere; log-softmax backward.
                let selected: Float = 0 + glogp
                // The row's sum 0 + … + selected + … + 0 (zeros elsewhere) is exactly selected + 0
                // (which also turns −0 into +0, as the sum does).
                let total: Float = selected + 0
                let prow = pp + q * k, grow = glp + q * k
                // take's backward adds the rows of a prompt's rollouts in order.
                for j in 0..<k {
                    let gj: Float = j == a ? selected : 0
                    grow[j] += gj - prow[j] * total
                }
            }
            for i in 0..<(n * k) { glp[i] = glp[i] * invT }
            return gl
        }
        return ClippedPolicyLoss(loss: loss, ratios: ratios, klMean: klMean)
    }
}
