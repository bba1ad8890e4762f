import TMGit
import ThreatModel

extension HistoryAnalysis {
    /// The system as committed at head (its templates read from head's tree with the model's
    /// configuration), compared with head's elements.
    public func system(location: ModelLocation) throws -> SystemModel {
        do {
            let tree = try location.repository.commit(head).tree
            let source = TreeSource(repository: location.repository, tree: tree, prefix: location.prefix, name: "commit \(head.hex.prefix(12))")
            return try SystemModel.read(from: source, config: model.config, elements: model.elements ?? [])
        } catch let error as GitError {
            throw TMRepoError.from(error)
        }
    }

    /// `status(asOf:)` with the system's drift and template problems (nil: no templates).
    public func status(asOf: Int64, system: SystemModel?) -> StatusReport {
        let hasSystem = system.map { !$0.isEmpty } ?? false
        return StatusReport(model: model, histories: histories, head: head.hex, asOf: asOf, lastActivity: lastActivity,
                            evidence: evidence, historyProblems: problems, unreadableSince: unreadableSince,
                            system: hasSystem ? system?.drift : nil, systemProblems: system?.problems ?? [])
    }
}
