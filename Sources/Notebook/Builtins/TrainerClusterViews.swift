import Render
import Data
import Lang
import RL

/// What the language shows of FairGRPO's latent groups: help for the trainer(...)
/// clustering options, the ARI/NMI columns of history(t), the summary line,
/// and the clusters(t) view of the last clustering against the true groups.
enum ClusterViews {
    static let trainerHelp = """
        Clustering of prompts without demographics (fairgrpo's UNK prompts, every prompt for fairgrpo_nd), defaults as the \
        reference: on each prompt's G rewards, k by the elbow rule, re-clustered at every step. "embeddings" are the policy's \
        last hidden layer, recomputed at each re-clustering; between re-clusterings new prompts join the nearest centroid \
        (this bounds a cost that otherwise grows with training length). When the true groups are known \
        (hidden with mask(), or fairgrpo_nd), each step logs ARI and NMI of the clusters against them: history(t), clusters(t).
        """

    static func clusters(_ t: Trainer) -> Bool { t.config.method.clustersGroups }

    /// " · clusters: features · elbow · every 10 steps · ARI … NMI …" for the FairGRPO
    /// methods when the clustering options are not the reference's (which the
    /// summary leaves implied, as it does the other defaults).
    static func summary(_ t: Trainer) -> String {
        guard clusters(t), !t.config.clustering.isReference else { return "" }
        var s = " · clusters: " + t.config.clustering.summary
        if let last = t.clusterHistory.last, !last.ari.isNaN {
            s += " · ARI \(formatFixed(last.ari, 3)) NMI \(formatFixed(last.nmi, 3))"
        }
        return s
    }

    /// The cluster columns of history(t), once any step has scored its clusters against the truth.
    static func agreementColumns(_ t: RunView) -> [Column] {
        guard t.clusterHistory.contains(where: { !$0.ari.isNaN }) else { return [] }
        let byStep = Dictionary(t.clusterHistory.map { ($0.step, $0) }, uniquingKeysWith: { $1 })
        return ClusterLog.columns.enumerated().map { c, name in
            Column(name, numbers: t.history.map { byStep[$0.step]?.values[c] })
        }
    }

    static func register(in session: Session) {
        session.interpreter.register(BuiltinFunction(
            "clusters", [Parameter("trainer")],
            summary: "FairGRPO's last clustering of the prompts without demographics: per domain and cluster, its size, μ_g and its true groups.",
            details: """
                One row per discovered cluster: domain, cluster, size (N_g), mu_g, the step it was fitted at, and, when the \
                true groups are known (mask() keeps them; fairgrpo_nd ignores the groups it has), how its members split over \
                them. The title gives ARI and NMI against the true groups, as logged in history(t). t.clusters and t.truth \
                are the labelings themselves, for align(t.clusters, t.truth).
                """,
            example: "t = trainer(p, mask(train, \"sex\", 0.5), method=\"fairgrpo\"); step(t, 5); clusters(t)"
        ) { a, _ in
            let t = try RunView.of(a, callee: "clusters()")
            guard t.method.clustersGroups else {
                throw RuntimeError("clusters(): a \(t.method.rawValue) run does not cluster; use method=\"fairgrpo\" or \"fairgrpo_nd\"")
            }
            let latent = t.latent
            guard !latent.isEmpty else {
                throw RuntimeError("clusters(): nothing clustered yet (no step so far, or no prompt without demographics; try mask(data, \"sex\", 0.3))")
            }
            let found = t.discovered()
            var composition: [String: [String: Int]] = [:]
            for (c, row) in zip(found.clusters, found.rows) { composition[c, default: [:]][t.truthKey(row), default: 0] += 1 }
            var domains: [String] = [], names: [String] = [], sizes: [Int] = [], means: [Double] = [], fitted: [Int] = [], truth: [Cell] = []
            for domain in latent.keys.sorted() {
                let l = latent[domain]!
                for c in l.centroids.indices {
                    let parts = (composition[domain + "#" + String(c)] ?? [:]).sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                    domains.append(domain); names.append("UNK#\(c)"); sizes.append(l.sizes[c]); means.append(l.means[c]); fitted.append(l.fittedAt)
                    truth.append(parts.isEmpty ? .missing : .text(parts.map { "\($0.key):\($0.value)" }.joined(separator: " ")))
                }
            }
            var title = "step \(t.stepCount) · \(t.clustering.summary)"
            if let last = t.clusterHistory.last, !last.ari.isNaN {
                title += " · ARI \(formatFixed(last.ari, 4)) · NMI \(formatFixed(last.nmi, 4)) over \(last.known) prompts"
            }
            return .object(TableObject(DataTable(
                [Column("domain", texts: domains), Column("cluster", texts: names), Column("size", integers: sizes),
                 Column("mu_g", label: "μ_g", numbers: means), Column("fitted_at", integers: fitted),
                 Column("true_groups", label: "true groups", format: .text, cells: truth)],
                title: title, kind: "clusters", keys: ["domain", "cluster"])))
        })
    }
}
