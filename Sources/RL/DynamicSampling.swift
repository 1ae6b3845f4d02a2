import Tensors

/// Dynamic sampling as in DAPO (Yu et al., 2025): a prompt whose G rollouts
/// all earn the same reward has a group-relative advantage of exactly zero
/// and only dilutes the batch, so it is dropped and more prompts are drawn
/// (whole batches, in the data order) until `batchSize` live prompts are
/// found, at most `maxResample` extra batches per step. The first
/// `batchSize` live prompts in draw order make the batch; if the cap is hit
/// first, the batch is filled with dead prompts in draw order, so a step
/// always trains on `batchSize` prompts (their advantage is zero under GRPO
/// and FairGRPO, so they only take part in the statistics). The step log
/// records drawn, kept (live) and dropped (drawn − batch) prompts.
extension Trainer {
    struct LiveDraw {
        var rows: [Int], answers: [[Int]], logProbs: [[Float]], rewards: [[Double]], drawn: Int
        /// Live prompts among all drawn, kept or not.
        var liveDrawn = 0
    }

    /// A prompt is live when its rollouts' rewards differ (with G = 1 there is nothing to compare and every prompt counts).
    static func isLive(_ rewards: [Double]) -> Bool {
        rewards.count == 1 || !rewards.allSatisfy { $0 == rewards[0] }
    }

    func drawLiveBatch(temperature: Float) throws -> LiveDraw {
        let b = config.batchSize, g = config.numGenerations
        var live = LiveDraw(rows: [], answers: [], logProbs: [], rewards: [], drawn: 0)
        var dead = LiveDraw(rows: [], answers: [], logProbs: [], rewards: [], drawn: 0)
        var drawn = 0, liveDrawn = 0
        for _ in 0...config.maxResample {
            let rows = nextBatch()
            drawn += rows.count
            let x = try data.features.take(rows, axis: 0)
            let (answers, logProbs) = try policy.sample(x, g: g, temperature: temperature, using: &rng)
            let rewards = try rolloutRewards(rows: rows, answers: answers)
            for q in rows.indices {
                if Trainer.isLive(rewards[q]) {
                    liveDrawn += 1
                    guard live.rows.count < b else { continue }
                    live.rows.append(rows[q]); live.answers.append(answers[q]); live.logProbs.append(logProbs[q]); live.rewards.append(rewards[q])
                } else if dead.rows.count < b {
                    dead.rows.append(rows[q]); dead.answers.append(answers[q]); dead.logProbs.append(logProbs[q]); dead.rewards.append(rewards[q])
                }
            }
            if live.rows.count >= b { break }
        }
        let pad = b - live.rows.count
        live.rows += dead.rows.prefix(pad); live.answers += dead.answers.prefix(pad)
        live.logProbs += dead.logProbs.prefix(pad); live.rewards += dead.rewards.prefix(pad)
        live.drawn = drawn
        live.liveDrawn = liveDrawn
        return live
    }
}
