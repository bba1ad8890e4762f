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
    /// The system as committed at HEAD: its templates, compared with HEAD's elements.
    public let system: SystemModel
    /// When elements' resources and code changed (nil: no templates).
    let templateHistory: TemplateHistory?
    /// Every threat id ever seen in history (live and retired).
    public var everSeenIDs: Set<String> { Set(histories.keys) }

    /// The history of a threat id (live or retired), matched without regard to case.
    public func history(id: String) -> ThreatHistory? {
        histories[id] ?? histories.first { ThreatID.same($0.key, id) }?.value
    }

    /// The review status as of a moment, with the system's drift and the threats due because their
    /// element changed. Throws when the templates' history cannot be read (never "no change").
    public func status(asOf: Int64) throws -> StatusReport {
        let report = StatusReport(model: model, histories: histories, head: head.hex, asOf: asOf, lastActivity: lastActivity,
                                  evidence: evidence, historyProblems: problems, unreadableSince: unreadableSince,
                                  elementChanges: templateHistory, system: system.isEmpty ? nil : system.drift,
                                  systemProblems: system.problems)
        try templateHistory?.check()
        return report
    }

    /// The element-change oracle for the gate (nil: no templates).
    public var elementChanges: ElementChangeOracle? { templateHistory }
}
