import Tensors

/// The entropy bonus: the objective gets + coef · H̄, with
/// H̄ = (1/n) Σ_i H(softmax(logits_i / T)), H(p) = −Σ_c p_c log p_c, over the
/// batch's n prompts (the entropy of the distribution the rollouts are drawn
/// from, not of the sampled answers, so the bonus has no sampling noise).
/// It keeps the policy from becoming deterministic, which is what kills the
/// signal when every rollout of a prompt gives the same answer.
/// dH/dz_c = −p_c (log p_c + H) / T per row, through the recorded ops.
public enum EntropyBonus {
    /// H̄ as a recorded scalar, so its gradient flows to the logits.
    public static func meanEntropy(logits: Tensor, temperature: Float) throws -> Tensor {
        let logp = try (logits * (1 / temperature)).logSoftmax()
        return try (try logp.exp() * logp).sum() * (-1 / Float(logits.shape[0]))
    }
}
