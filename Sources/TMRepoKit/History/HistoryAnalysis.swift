import TMGit
import ThreatModel

/// Everything history tells about the model at HEAD.
public struct HistoryAnalysis {
    public let head: ObjectID
    /// The model as committed at HEAD (not the work tree).
    public let model: Model
    public let histories: [String: ThreatHistory]
    public let lastActivity: [String: Int64]
    public let problems: [Diagnostic]
    public let evidence: EvidenceOracle
    public let commitCount: Int
    /// The revisions of the commits asked for with `collecting`, parents first.
    public let collected: [Revision]
    /// Per threat-file path that cannot be read at head: the commit since which it cannot.
    public let unreadableSince: [String: CommitRef]
    /// Every threat id ever seen in history (live and retired).
    public var everSeenIDs: Set<String> { Set(histories.keys) }

    /// The history of a threat id (live or retired), matched without regard to case.
    public func history(id: String) -> ThreatHistory? {
        histories[id] ?? histories.first { ThreatID.same($0.key, id) }?.value
    }

    public func status(asOf: Int64) -> StatusReport {
        StatusReport(model: model, histories: histories, head: head.hex, asOf: asOf, lastActivity: lastActivity,
                     evidence: evidence, historyProblems: problems, unreadableSince: unreadableSince)
    }
}
