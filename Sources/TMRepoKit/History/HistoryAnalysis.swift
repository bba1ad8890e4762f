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
    /// What the walk watched (the threats folder and the evidence globs' filter).
    let historyKey: HistoryCache.Key
    /// The paths the HEAD model was read from, repository-relative (see `RecordingSource`).
    let modelInputs: Set<String>
    /// The catalog's history (nil: the model has no catalog).
    public internal(set) var catalog: CatalogFacts? = nil
    /// Every threat id ever seen in history (live and retired).
    public var everSeenIDs: Set<String> { Set(histories.keys) }

    /// The history of a threat id (live or retired), matched without regard to case.
    public func history(id: String) -> ThreatHistory? {
        histories[id] ?? histories.first { ThreatID.same($0.key, id) }?.value
    }

    /// The review status as of a moment, with the system's drift and the threats due because their
    /// element changed. Throws when the templates' history cannot be read (never "no change").
    public func status(asOf: Int64) throws -> StatusReport {
        try statusAndFacts(asOf: asOf).report
    }

    /// The report and the facts it was made from (what a status memo keeps).
    func statusAndFacts(asOf: Int64) throws -> (report: StatusReport, facts: StatusFacts) {
        let facts = StatusFacts(model: model, histories: histories, asOf: asOf, lastActivity: lastActivity, evidence: evidence,
                                historyProblems: problems, unreadableSince: unreadableSince, elementChanges: templateHistory,
                                system: system.isEmpty ? nil : system.drift, systemProblems: system.problems, catalog: catalog)
        let report = StatusReport(facts: facts, config: model.config, head: head.hex, asOf: asOf,
                                  assumptions: catalog.map { AssumptionStatusEntry.entries(model: model, facts: $0, asOf: asOf) } ?? [])
        try templateHistory?.check()
        return (report, facts)
    }

    /// The changelog: every threat's severity and status moves, creations and retirements, and the
    /// changes of its element's resource and code (`threat`: one threat and its element).
    public func changelog(since: Int64?, until: Int64?, threat: String? = nil) throws -> [ChangelogEvent] {
        let titles = Dictionary(model.threats.map { ($0.id, $0.title) }, uniquingKeysWith: { first, _ in first })
        var events = Changelog.events(histories: histories, titles: titles, since: since, until: until, threat: threat)
        if let templateHistory {
            var elements = model.elements ?? []
            if let threat {
                let element = model.threats.first { ThreatID.same($0.id, threat) }?.element
                elements = elements.filter { $0.id == element }
            }
            do {
                events += try templateHistory.changelogEvents(elements: elements, since: since, until: until)
            } catch let error as GitError {
                throw TMRepoError.from(error)
            }
            events.sort { $0.time != $1.time ? $0.time < $1.time : ($0.id, $0.field.rawValue) < ($1.id, $1.field.rawValue) }
        }
        return events
    }

    /// The element-change oracle for the gate (nil: no templates).
    public var elementChanges: ElementChangeOracle? { templateHistory }
}
