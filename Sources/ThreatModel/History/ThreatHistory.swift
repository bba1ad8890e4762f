/// One entry of a threat's timeline.
public struct HistoryEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case created(severity: Severity?, status: ThreatStatus?)
        case retired
        case renamed(from: String, to: String)
        case severity(from: Severity?, to: Severity?)
        case status(from: ThreatStatus?, to: ThreatStatus?)
        case owner(from: String?, to: String?)
        case mitigationAdded(id: String)
        case mitigationRemoved(id: String)
        case mitigationStatus(id: String, from: MitigationStatus?, to: MitigationStatus?)
        case mitigationVerified(id: String, day: Day?)
        /// Any other change of content (title, body, stride, unknown fields…).
        case edited
        case reviewed(via: Review.Via, by: String)
    }

    public let kind: Kind
    public let ref: CommitRef
    public let path: String?
}

/// A review of a threat, as git history proves it.
public struct Review: Hashable, Sendable {
    public enum Via: String, Hashable, Sendable {
        /// A `Reviewed-threat:` trailer in the commit message.
        case trailer
        /// The commit changed the threat's `reviewed` block.
        case reviewedBlock = "reviewed-block"
    }

    public let ref: CommitRef
    public let via: Via
    /// Who reviewed: `reviewed.by` for a block change, else the commit's author email.
    public let reviewer: String

    /// The latest of `reviews` committed by `moment`: by commit time, a `reviewed` block before a
    /// trailer of the same time, then commit id and reviewer (never the order they were folded in).
    public static func latest(of reviews: [Review], asOf moment: Int64) -> Review? {
        reviews.filter { $0.ref.time <= moment }.max { lhs, rhs in
            (lhs.ref.time, lhs.via == .reviewedBlock ? 1 : 0, lhs.ref.commit, lhs.reviewer)
                < (rhs.ref.time, rhs.via == .reviewedBlock ? 1 : 0, rhs.ref.commit, rhs.reviewer)
        }
    }
}

/// Everything history knows about one threat id.
public struct ThreatHistory: Sendable, Equatable {
    public let id: String
    public internal(set) var created: CommitRef?
    public internal(set) var retired: CommitRef?
    public internal(set) var path: String?
    public internal(set) var events: [HistoryEvent] = []
    public internal(set) var reviews: [Review] = []
    /// The last commit that changed anything but the `reviewed` block.
    public internal(set) var lastMaterialChange: CommitRef?
    /// Per mitigation id and `verified` value: the last commit that set that value.
    public internal(set) var verifiedSetBy: [String: [Day: CommitRef]] = [:]
    /// Per mitigation id: the last commit that set its status to implemented or verified.
    public internal(set) var implementedSetBy: [String: CommitRef] = [:]

    init(id: String) {
        self.id = id
    }

    public var lastReview: Review? {
        reviews.max { ($0.ref.time, $0.via == .reviewedBlock ? 1 : 0) < ($1.ref.time, $1.via == .reviewedBlock ? 1 : 0) }
    }

    /// The last review at or before `moment`. A commit time is a claim its author makes: a review
    /// dated after the moment judged is not a review yet (see `reviewsAfter`).
    public func lastReview(asOf moment: Int64) -> Review? {
        Review.latest(of: reviews, asOf: moment)
    }

    /// Reviews whose commit time is after `moment` (clock skew or a forged date).
    public func reviewsAfter(_ moment: Int64) -> [Review] {
        reviews.filter { $0.ref.time > moment }
    }

    public var isLive: Bool { retired == nil }
}

/// A problem found in history rather than in the current files.
public struct HistoryProblem: Hashable, Sendable {
    public let commit: String
    public let path: String
    public let message: String
    public let rule: String
}

/// Folds revisions, parents before children, into per-threat histories.
/// Pure: the same revisions always give the same result.
public struct HistoryReducer: Sendable {
    public internal(set) var histories: [String: ThreatHistory] = [:]
    public internal(set) var problems: [HistoryProblem] = []
    /// The last commit time seen per author and committer email (lower-cased), for activity checks.
    public var lastActivity: [String: Int64] {
        var out: [String: Int64] = [:]
        for (email, time) in activity { Self.note(activityOf: email, at: time, in: &out) }
        return out
    }

    /// Keeps the latest time per email, lower-cased: the one rule for `lastActivity`, wherever it is gathered.
    public static func note(activityOf email: String, at time: Int64, in lastActivity: inout [String: Int64]) {
        let key = email.lowercased()
        if lastActivity[key].map({ $0 < time }) ?? true { lastActivity[key] = time }
    }
    /// The same, keyed by the email as written (folded to lower case once, at the end).
    var activity: [String: Int64] = [:]
    /// `ThreatID.key` → id as first seen, so trailers match ids case-insensitively in O(1).
    var canonicalID: [String: String] = [:]

    /// Whether to keep each threat's timeline (`events`); status needs only the summary facts.
    public let recordEvents: Bool

    public init(recordEvents: Bool = true) {
        self.recordEvents = recordEvents
    }

    /// Records that these identities committed at `time` (all a commit without threat changes contributes).
    public mutating func noteActivity(author: Identity, committer: Identity, time: Int64) {
        if activity[author.email].map({ $0 < time }) ?? true { activity[author.email] = time }
        if committer.email != author.email, activity[committer.email].map({ $0 < time }) ?? true { activity[committer.email] = time }
    }

    public mutating func apply(_ revision: Revision) {
        noteActivity(author: revision.author, committer: revision.committer, time: revision.time)
        let ref = CommitRef(commit: revision.id, time: revision.time, author: revision.author)
        for change in revision.threatChanges {
            apply(change, ref: ref, revision: revision)
        }
        for (path, message) in revision.unreadableFiles {
            problems.append(HistoryProblem(commit: revision.id, path: path, message: message, rule: LintRule.unreadableInHistory.rawValue))
        }
        for id in revision.reviewedIDs {
            let key = histories[id] != nil ? id : canonicalID[ThreatID.key(id)] ?? id
            guard histories[key] != nil else { continue }   // the merge gate reports unknown ids
            // A block change in the same commit already recorded this review.
            if histories[key]!.reviews.last?.ref.commit == revision.id { continue }
            histories[key]!.reviews.append(Review(ref: ref, via: .trailer, reviewer: revision.author.email))
            if recordEvents { histories[key]!.events.append(HistoryEvent(kind: .reviewed(via: .trailer, by: revision.author.email), ref: ref, path: histories[key]!.path)) }
        }
    }

    private mutating func apply(_ change: ThreatChange, ref: CommitRef, revision: Revision) {
        if histories[change.id] == nil { canonicalID[ThreatID.key(change.id)] = change.id }
        // Taken out of the dictionary while it is changed, so its arrays are not copied.
        var history = histories.removeValue(forKey: change.id) ?? ThreatHistory(id: change.id)
        defer { histories[change.id] = history }
        let recordEvents = self.recordEvents
        func event(_ kind: HistoryEvent.Kind) {
            guard recordEvents else { return }
            history.events.append(HistoryEvent(kind: kind, ref: ref, path: change.newPath ?? change.oldPath))
        }
        guard let new = change.new else {
            history.retired = ref
            event(.retired)
            return
        }
        history.path = change.newPath
        if history.created == nil || change.old == nil && history.retired != nil {
            if history.created == nil { history.created = ref }
            history.retired = nil
            event(.created(severity: new.severity, status: new.status))
        }
        history.retired = nil
        let old = change.old
        if old != nil, let from = change.oldPath, let to = change.newPath, from != to {
            event(.renamed(from: from, to: to))
        }
        if old == nil || old!.materialDigest != new.materialDigest {
            history.lastMaterialChange = ref
        }
        if let old {
            if old.severity != new.severity { event(.severity(from: old.severity, to: new.severity)) }
            if old.status != new.status { event(.status(from: old.status, to: new.status)) }
            if old.owner != new.owner { event(.owner(from: old.owner, to: new.owner)) }
        }
        let oldMitigations = old?.mitigations ?? []
        for mitigation in new.mitigations {
            // Mitigation lists are short: a linear search beats building a dictionary per change.
            let before = oldMitigations.first { $0.id == mitigation.id }
            if old != nil && before == nil { event(.mitigationAdded(id: mitigation.id)) }
            if let before, before.status != mitigation.status {
                event(.mitigationStatus(id: mitigation.id, from: before.status, to: mitigation.status))
            }
            if let day = mitigation.verified, before?.verified != day {
                // Two commits can set the same day (a cherry-pick): the later one, whatever the fold order.
                if history.verifiedSetBy[mitigation.id]?[day].map({ ref.isLater(than: $0) }) ?? true {
                    history.verifiedSetBy[mitigation.id, default: [:]][day] = ref
                }
                if old != nil { event(.mitigationVerified(id: mitigation.id, day: day)) }
            }
            if let status = mitigation.status, status == .implemented || status == .verified, before?.status != status {
                if history.implementedSetBy[mitigation.id].map({ ref.isLater(than: $0) }) ?? true {
                    history.implementedSetBy[mitigation.id] = ref
                }
            }
        }
        for removed in oldMitigations where !new.mitigations.contains(where: { $0.id == removed.id }) {
            event(.mitigationRemoved(id: removed.id))
        }
        if let old, old.severity == new.severity, old.status == new.status, old.owner == new.owner,
           old.mitigations == new.mitigations, old.materialDigest != new.materialDigest {
            event(.edited)
        }
        // A review: the `reviewed` block appeared or changed.
        if let claim = new.reviewed, claim != old?.reviewed {
            let reviewer = claim.by ?? revision.author.email
            history.reviews.append(Review(ref: ref, via: .reviewedBlock, reviewer: reviewer))
            event(.reviewed(via: .reviewedBlock, by: reviewer))
            if let claimed = claim.on {
                // Lenient by a day: the committer's local date may be ahead of UTC.
                let latest = max(Day(unixTime: revision.time), Day(unixTime: revision.time + Int64(revision.offsetMinutes) * 60))
                if claimed > latest {
                    problems.append(HistoryProblem(
                        commit: revision.id, path: change.newPath ?? "",
                        message: "\(change.id): reviewed.on \(claimed) is later than the commit that wrote it (\(latest)); the commit time counts",
                        rule: LintRule.reviewDateAfterCommit.rawValue))
                }
            }
        }
    }
}
