/// Answers "did code matching these globs change after this commit?" from git history.
/// The core asks; the app layer answers from its index, so the core stays free of git.
public protocol EvidenceOracle {
    /// The first commit after `commit` (one that `commit` does not contain) that changed a path
    /// matching any of `globs`, or nil when none did.
    func firstChange(matching globs: [String], after commit: String) -> String?
}

/// Answers "did the system behind this element change after this commit?": its template
/// resource's definition or the code it deploys. The app layer answers from the templates' history.
public protocol ElementChangeOracle {
    /// The first change after `commit` (one that `commit` does not contain), or nil when none.
    func firstChange(of element: Element, after commit: String) -> ElementChange?
}

/// A change of an element's resource after the last review of a threat on it: the threat is due.
public struct ElementChange: Hashable, Sendable {
    public enum Part: String, Sendable {
        /// The resource's parsed definition in its template (formatting and comments aside).
        case definition
        /// The code the resource deploys (a function's `CodeUri` / `Handler`).
        case code
    }

    public let element: String
    public let commit: String
    public let part: Part
    /// The template or code path that changed.
    public let path: String

    public init(element: String, commit: String, part: Part, path: String) {
        self.element = element
        self.commit = commit
        self.part = part
        self.path = path
    }

    public var summary: String {
        "element \(element) changed in \(commit.prefix(12)) after its last review (\(part == .definition ? "its resource in \(path)" : "code \(path)"))"
    }
}

/// Why a mitigation is stale.
public struct StaleMitigation: Hashable, Sendable {
    public enum Reason: String, Sendable {
        case evidenceChanged = "evidence-changed"
        case verificationExpired = "verification-expired"
    }

    public let id: String
    public let reason: Reason
    /// For evidence-changed: the first commit that changed the evidence after verification.
    public let commit: String?
    /// The commit that set `verified` (or implemented/verified status), when known.
    public let verifiedIn: String?
}

/// The review state of one live threat (a class: reports pass thousands of these around, and
/// copying the threat inside each time would cost more than building the report).
public final class ThreatStatusEntry: Sendable {
    public let threat: Threat
    public let created: CommitRef?
    public let lastReview: Review?
    /// nil for closed threats, which need no review.
    public let reviewDue: Day?
    public let overdue: Bool
    public let daysOverdue: Int
    public let dueSoon: Bool
    public let staleMitigations: [StaleMitigation]
    /// No owner, or one that is neither a configured team nor an email.
    public let ownershipProblem: String?
    /// The threat's element changed after its last review (or, never reviewed, its creation): review it now.
    public let elementChanged: ElementChange?

    public init(threat: Threat, created: CommitRef?, lastReview: Review?, reviewDue: Day?, overdue: Bool, daysOverdue: Int,
                dueSoon: Bool, staleMitigations: [StaleMitigation], ownershipProblem: String?, elementChanged: ElementChange? = nil) {
        self.threat = threat
        self.created = created
        self.lastReview = lastReview
        self.reviewDue = reviewDue
        self.overdue = overdue
        self.daysOverdue = daysOverdue
        self.dueSoon = dueSoon
        self.staleMitigations = staleMitigations
        self.ownershipProblem = ownershipProblem
        self.elementChanged = elementChanged
    }
}

/// A threat file that cannot be read at the moment judged, and since when (never silently gone).
public struct UnreadableThreatStatus: Sendable {
    public let file: UnreadableThreatFile
    /// The live threat that file held when it was last readable.
    public let threatID: String?
    /// The commit since which the file cannot be read (nil when history does not tell).
    public let since: CommitRef?
}

/// `tmrepo status`: overdue reviews, stale mitigations and ownership gaps at one moment.
public struct StatusReport: Sendable {
    public let asOf: Int64
    public let head: String
    public let entries: [ThreatStatusEntry]
    /// Configured identities with no commit in the repository for `inactiveAfterDays` (team, email, last commit time).
    public let inactiveOwners: [(team: String, email: String, lastCommit: Int64?)]
    public let problems: [Diagnostic]
    /// Threat files that hold no readable threat.
    public let unreadable: [UnreadableThreatStatus]
    /// Where the templates and elements.yml disagree; nil when the model has no templates.
    public let system: SystemDrift?
    /// Every assumption of the catalog with its review state, most overdue first.
    public var assumptions: [AssumptionStatusEntry] = []

    public static let inactiveAfterDays = 180

    public var overdue: [ThreatStatusEntry] { entries.filter(\.overdue) }
    public var elementChanged: [ThreatStatusEntry] { entries.filter { $0.elementChanged != nil } }
    public var dueSoon: [ThreatStatusEntry] { entries.filter(\.dueSoon) }
    public var neverReviewed: [ThreatStatusEntry] { entries.filter { $0.lastReview == nil && $0.reviewDue != nil } }
    public var staleCount: Int { entries.reduce(0) { $0 + Set($1.staleMitigations.map(\.id)).count } }

    /// The day a threat's next review is due: one cadence after its last review (or, never
    /// reviewed, after its creation); nil for a closed threat or one with no cadence.
    public static func reviewDue(threat: Threat, config: ModelConfig, lastReview: Review?, created: CommitRef?) -> Day? {
        ReviewSchedule.due(lastReview: lastReview, created: created, cadence: cadence(of: threat, config: config))
    }

    /// A closed threat is never due.
    private static func cadence(of threat: Threat, config: ModelConfig) -> Cadence? {
        threat.status == .closed ? nil : config.cadence(for: threat)
    }

    /// A threat's review schedule on `today` (a closed threat is never due).
    static func schedule(threat: Threat, config: ModelConfig, lastReview: Review?, created: CommitRef?, today: Day) -> ReviewSchedule {
        ReviewSchedule(lastReview: lastReview, created: created, cadence: cadence(of: threat, config: config),
                       today: today, dueSoonWindow: config.dueSoon)
    }

    /// Builds the report. `asOf` is seconds since 1970; reviews are due on
    /// (last review day, or creation day when never reviewed) + cadence, and overdue after that day.
    public init(model: Model, histories: [String: ThreatHistory], head: String, asOf: Int64,
                lastActivity: [String: Int64], evidence: EvidenceOracle, historyProblems: [Diagnostic] = [],
                unreadableSince: [String: CommitRef] = [:], elementChanges: ElementChangeOracle? = nil,
                system: SystemDrift? = nil, systemProblems: [Diagnostic] = [], catalog: CatalogFacts? = nil) {
        let facts = StatusFacts(model: model, histories: histories, asOf: asOf, lastActivity: lastActivity, evidence: evidence,
                                historyProblems: historyProblems, unreadableSince: unreadableSince, elementChanges: elementChanges,
                                system: system, systemProblems: systemProblems, catalog: catalog)
        self.init(facts: facts, config: model.config, head: head, asOf: asOf,
                  assumptions: catalog.map { AssumptionStatusEntry.entries(model: model, facts: $0, asOf: asOf) } ?? [])
    }

    /// The report at `asOf`, which must lie in the facts' window (the facts were gathered for a
    /// moment in it): what depends on the day (due, overdue, expired verifications, inactive owners)
    /// is decided here.
    public init(facts: StatusFacts, config: ModelConfig, head: String, asOf: Int64, assumptions: [AssumptionStatusEntry] = []) {
        precondition(facts.window.contains(asOf), "status facts used outside their review window")
        self.system = facts.system
        self.assumptions = assumptions
        let today = Day(unixTime: asOf)
        var entries: [ThreatStatusEntry] = []
        entries.reserveCapacity(facts.threats.count)
        var timeProblems: [Diagnostic] = []
        // Read in place: a copy of each threat's facts would retain (and later release) every field.
        facts.threats.withUnsafeBufferPointer { threats in
            for index in threats.indices {
                let threat = threats[index].threat, lastReview = threats[index].lastReview, created = threats[index].created
                for review in threats[index].laterReviews {
                    timeProblems.append(Diagnostic(
                        path: threat.path, line: 0, column: 0, severity: .warning, rule: LintRule.reviewAfterAsOf.rawValue,
                        message: "\(threat.id): the review in commit \(review.ref.commit.prefix(12)) is dated \(Day(unixTime: review.ref.time)), after \(today); a review from the future does not count"))
                }
                let cadence = config.cadence(for: threat)
                let schedule = Self.schedule(threat: threat, config: config, lastReview: lastReview, created: created, today: today)
                var stale: [StaleMitigation] = []
                for mitigation in threats[index].mitigations {
                    if let cadence, let since = mitigation.verifiedSince, cadence.after(since) < today {
                        stale.append(StaleMitigation(id: mitigation.id, reason: .verificationExpired, commit: nil, verifiedIn: mitigation.verifiedIn))
                    }
                    if let since = mitigation.evidenceSince, let changed = mitigation.evidenceChange {
                        stale.append(StaleMitigation(id: mitigation.id, reason: .evidenceChanged, commit: changed, verifiedIn: since))
                    }
                }
                entries.append(ThreatStatusEntry(threat: threat, created: created, lastReview: lastReview, reviewDue: schedule.due,
                                                 overdue: schedule.overdue, daysOverdue: schedule.daysOverdue, dueSoon: schedule.dueSoon,
                                                 staleMitigations: stale, ownershipProblem: threats[index].ownershipProblem,
                                                 elementChanged: threats[index].elementChanged))
            }
        }
        // Most urgent first: overdue by severity then days, then changed elements, due soon, stale, the rest.
        func urgency(_ entry: ThreatStatusEntry) -> (Int, Int, Int, String) {
            let bucket = entry.overdue ? 0 : entry.elementChanged != nil ? 1 : entry.dueSoon ? 2
                : !entry.staleMitigations.isEmpty ? 3 : entry.ownershipProblem != nil ? 4 : 5
            return (bucket, entry.threat.severity?.rank ?? 9, -entry.daysOverdue, entry.threat.id)
        }
        // Sort small keys, then gather the (large) entries once.
        let keys = entries.map { (urgency($0), Model.idNumber($0.threat.id) ?? .max) }
        let order = entries.indices.sorted { lhs, rhs in
            let l = keys[lhs], r = keys[rhs]
            if (l.0.0, l.0.1, l.0.2) != (r.0.0, r.0.1, r.0.2) { return (l.0.0, l.0.1, l.0.2) < (r.0.0, r.0.1, r.0.2) }
            return (l.1, l.0.3) < (r.1, r.0.3)
        }
        self.entries = order.map { entries[$0] }
        var inactive: [(String, String, Int64?)] = []
        let cutoff = asOf - Int64(Self.inactiveAfterDays) * 86_400
        for (team, members) in config.owners {
            for email in members {
                let last = facts.lastActivity[email.lowercased()]
                if last == nil || last! < cutoff { inactive.append((team, email, last)) }
            }
        }
        self.inactiveOwners = inactive
        self.asOf = asOf
        self.head = head
        self.problems = (facts.problems + timeProblems + facts.systemProblems).sorted(by: Diagnostic.sortKey)
        self.unreadable = facts.unreadable
    }
}
