/// What `status` knows about the model that does not depend on the moment judged, as long as that
/// moment stays inside `window`: each threat's reviews, verifications and evidence changes, and the
/// report-wide problems. `StatusReport(facts:…)` turns them into a report for one moment, so a
/// report from facts kept since an earlier run (`StatusMemo`) is the report a fresh run gives.
public struct StatusFacts: Sendable {
    /// The model's threats, in its order.
    public var threats: [ThreatStatusFacts]
    /// The last commit time per lower-cased email (author or committer).
    public var lastActivity: [String: Int64]
    /// The model's and history's problems; none depends on the moment.
    public let problems: [Diagnostic]
    /// The system's problems (listed after those of the moment, as a report always did).
    public let systemProblems: [Diagnostic]
    public let unreadable: [UnreadableThreatStatus]
    public let system: SystemDrift?
    /// The moments these facts hold for: no review was committed at a time inside it, so every
    /// review is on the same side of any moment in it.
    public let window: ReviewWindow

    public init(threats: [ThreatStatusFacts], lastActivity: [String: Int64], problems: [Diagnostic], systemProblems: [Diagnostic],
                unreadable: [UnreadableThreatStatus], system: SystemDrift?, window: ReviewWindow) {
        self.threats = threats
        self.lastActivity = lastActivity
        self.problems = problems
        self.systemProblems = systemProblems
        self.unreadable = unreadable
        self.system = system
        self.window = window
    }

    /// Gathers the facts for the moment `asOf` (seconds since 1970).
    public init(model: Model, histories: [String: ThreatHistory], asOf: Int64, lastActivity: [String: Int64], evidence: EvidenceOracle,
                historyProblems: [Diagnostic] = [], unreadableSince: [String: CommitRef] = [:], elementChanges: ElementChangeOracle? = nil,
                system: SystemDrift? = nil, systemProblems: [Diagnostic] = [], catalog: CatalogFacts? = nil) {
        let elementsByID = Dictionary((model.elements ?? []).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var window = ReviewWindow(from: nil, until: nil)
        var threats: [ThreatStatusFacts] = []
        threats.reserveCapacity(model.threats.count)
        for threat in model.threats {
            let history = histories[threat.id]
            for review in history?.reviews ?? [] { window.narrow(around: asOf, excluding: review.ref.time) }
            let lastReview = history?.lastReview(asOf: asOf)
            var mitigations: [MitigationStatusFacts] = []
            // Staleness is reported whatever the threat's status (the format's definition has no
            // exception): a closed threat whose mitigation's code moved on may need reopening.
            for mitigation in threat.mitigations where mitigation.canGoStale {
                // A shared mitigation (`ref:`) was verified in its catalog file: its history says when.
                let shared = mitigation.ref.map { catalog?[$0] ?? CatalogItemFacts() }
                let verifiedRef = shared.map { mitigation.verified == nil ? nil : $0.verifiedSetBy }
                    ?? mitigation.verified.flatMap { history?.verifiedSetBy[mitigation.id]?[$0] }
                let implementedRef = shared.map(\.implementedSetBy) ?? history?.implementedSetBy[mitigation.id]
                let evidenceSince = mitigation.evidence.isEmpty ? nil : verifiedRef?.commit
                mitigations.append(MitigationStatusFacts(
                    id: mitigation.id, verifiedSince: mitigation.verified ?? implementedRef.map { Day(unixTime: $0.time) },
                    verifiedIn: (verifiedRef ?? implementedRef)?.commit, evidenceSince: evidenceSince,
                    evidenceChange: evidenceSince.flatMap { evidence.firstChange(matching: mitigation.evidence, after: $0) }))
            }
            var ownership: String?
            if threat.status?.needsOwner ?? true {
                if let owner = threat.owner {
                    if !Linter.isKnownOwner(owner, config: model.config) { ownership = "owner '\(owner)' is neither a configured team nor an email" }
                } else {
                    ownership = "no owner"
                }
            }
            // A closed threat needs no review; any other is due once its element changed since it was last looked at.
            var changed: ElementChange?
            if threat.status != .closed, let elementChanges, let element = threat.element.flatMap({ elementsByID[$0] }),
               let since = lastReview?.ref.commit ?? history?.created?.commit {
                changed = elementChanges.firstChange(of: element, after: since)
            }
            threats.append(ThreatStatusFacts(threat: threat, created: history?.created, lastReview: lastReview,
                                             laterReviews: history?.reviewsAfter(asOf) ?? [], mitigations: mitigations,
                                             ownershipProblem: ownership, elementChanged: changed))
        }
        // The threat a file held: the live one still at its path (an unreadable version carries no
        // facts), else one retired from that path (a file replaced by a folder or a link).
        var byPath: [String: (id: String, retired: CommitRef?)] = [:]
        for history in histories.values {
            guard let path = history.path else { continue }
            if let held = byPath[path] {
                guard let heldRetired = held.retired else { continue }   // a live threat wins
                if let retired = history.retired, retired.time <= heldRetired.time { continue }
            }
            byPath[path] = (history.id, history.retired)
        }
        let unreadable = model.unreadable.map { file in
            let held = byPath[file.path]
            return UnreadableThreatStatus(file: file, threatID: held?.id ?? file.idFromFileName, since: unreadableSince[file.path] ?? held?.retired)
        }
        self.init(threats: threats, lastActivity: lastActivity, problems: model.diagnostics + historyProblems, systemProblems: systemProblems,
                  unreadable: unreadable, system: system, window: window)
    }
}

/// The moments between two reviews: `from` is the latest review time at or before the moment the
/// facts were gathered for, `until` the earliest after it (nil: none on that side).
public struct ReviewWindow: Sendable, Equatable {
    public private(set) var from: Int64?
    public private(set) var until: Int64?

    public init(from: Int64?, until: Int64?) {
        self.from = from
        self.until = until
    }

    /// Whether every review is on the same side of `moment` as of the moment the window was made for.
    public func contains(_ moment: Int64) -> Bool {
        (from.map { $0 <= moment } ?? true) && (until.map { moment < $0 } ?? true)
    }

    mutating func narrow(around moment: Int64, excluding review: Int64) {
        if review <= moment {
            if from.map({ $0 < review }) ?? true { from = review }
        } else if until.map({ review < $0 }) ?? true {
            until = review
        }
    }
}

/// What `status` knows about one threat of the model, whatever the moment in its facts' window.
public struct ThreatStatusFacts: Sendable {
    public let threat: Threat
    public let created: CommitRef?
    /// The last review at or before the window.
    public let lastReview: Review?
    /// Reviews committed after the window (clock skew or a forged date): they do not count.
    public let laterReviews: [Review]
    /// One per mitigation that can go stale (not dropped, not planned), in the threat's order.
    public var mitigations: [MitigationStatusFacts]
    public let ownershipProblem: String?
    public let elementChanged: ElementChange?

    public init(threat: Threat, created: CommitRef?, lastReview: Review?, laterReviews: [Review], mitigations: [MitigationStatusFacts],
                ownershipProblem: String?, elementChanged: ElementChange?) {
        self.threat = threat
        self.created = created
        self.lastReview = lastReview
        self.laterReviews = laterReviews
        self.mitigations = mitigations
        self.ownershipProblem = ownershipProblem
        self.elementChanged = elementChanged
    }
}

/// What decides whether one mitigation is stale at a moment.
public struct MitigationStatusFacts: Sendable, Equatable {
    public let id: String
    /// The day its verification counts from (its `verified` day, or the day it was implemented); nil: never.
    public let verifiedSince: Day?
    /// The commit that verified (or implemented) it, when history tells.
    public let verifiedIn: String?
    /// The commit its evidence is checked after: the one that set `verified`, when it lists evidence.
    public let evidenceSince: String?
    /// The first commit after `evidenceSince` that changed its evidence.
    public var evidenceChange: String?

    public init(id: String, verifiedSince: Day?, verifiedIn: String?, evidenceSince: String?, evidenceChange: String?) {
        self.id = id
        self.verifiedSince = verifiedSince
        self.verifiedIn = verifiedIn
        self.evidenceSince = evidenceSince
        self.evidenceChange = evidenceChange
    }
}

extension Mitigation {
    /// Whether status checks it for staleness: one planned or dropped has nothing to go stale.
    public var canGoStale: Bool { status != .dropped && status != .planned }
}
