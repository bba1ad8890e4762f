/// Which commits contain which: the merge gate needs to know that a review came after a change.
public protocol CommitAncestry {
    /// Whether `descendant` contains `ancestor` (a commit contains itself).
    func contains(_ descendant: String, _ ancestor: String) -> Bool
}

/// Who stands behind a review commit. Without signatures, the commit's author and committer
/// (both claims); with `policy.require_signed_reviews`, only a verified signer counts.
public protocol ReviewAuthority {
    /// The identities (lower-cased emails) behind a review, or why the commit is not a review.
    func reviewers(of revision: Revision) -> Result<Set<String>, ReviewRefusal>
}

/// Why a commit that looks like a review does not count as one.
public struct ReviewRefusal: Error, Hashable, Sendable {
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }
}

/// The unsigned default: a review is vouched for by its author and its committer.
public struct CommitIdentities: ReviewAuthority {
    public init() {}

    public func reviewers(of revision: Revision) -> Result<Set<String>, ReviewRefusal> {
        .success([revision.author.email.lowercased(), revision.committer.email.lowercased()])
    }
}

/// How `.tmrepo.yml` moved in a range: the commits that changed it and those that reviewed it.
public struct ConfigChange: Sendable {
    /// Repository-relative path of the configuration file.
    public let path: String
    /// Commits of the range that changed the file, parents first.
    public let changes: [Revision]
    /// Commits of the range with a `Reviewed-config:` trailer naming the file.
    public let reviews: [Revision]

    public init(path: String, changes: [Revision], reviews: [Revision]) {
        self.path = path
        self.changes = changes
        self.reviews = reviews
    }
}

/// One reason a range of commits may not be merged, with the command that fixes it.
public struct GateFinding: Hashable, Sendable {
    public enum Rule: String, Sendable, CaseIterable {
        case unreviewedChange = "unreviewed-change"
        case reviewNotIndependent = "review-not-independent"
        case overdue = "overdue-review"
        case lintError = "lint-error"
        case unknownTrailerID = "unknown-trailer-id"
        case unreadableThreat = "unreadable-threat"
        case unreviewedConfigChange = "unreviewed-config-change"
        case configError = "config-error"

        public var summary: String {
            switch self {
            case .unreviewedChange: "A threat changed in the range has no review after its last change"
            case .reviewNotIndependent: "A change was reviewed only by the people who made it"
            case .overdue: "A threat of a blocking severity is overdue for review"
            case .lintError: "A threat file changed in the range has lint errors"
            case .unknownTrailerID: "A Reviewed-threat trailer names a threat that does not exist"
            case .unreadableThreat: "An entry under the threats folder is not a readable threat"
            case .unreviewedConfigChange: "The model's configuration changed in the range without a review"
            case .configError: "The configuration at head cannot be read"
            }
        }
    }

    public let rule: Rule
    public let threatID: String?
    /// The file at head (model-root relative), when there is one.
    public let path: String?
    public let line: Int
    public let commit: String?
    public let message: String
    /// The exact command (or action) that resolves it.
    public let fix: String

    public init(rule: Rule, threatID: String?, path: String?, line: Int, commit: String?, message: String, fix: String) {
        self.rule = rule
        self.threatID = threatID
        self.path = path
        self.line = line
        self.commit = commit
        self.message = message
        self.fix = fix
    }
}

/// What the gate judges: a range of commits and the model at its head, read with the base's shape.
public struct GateInput {
    /// The revisions in base..head, parents first.
    public let range: [Revision]
    /// The model as committed at head, read with the base's configuration.
    public let model: Model
    /// The whole history up to head (for ids ever seen).
    public let histories: [String: ThreatHistory]
    /// The review status at head, as of `asOf`.
    public let status: StatusReport
    public let ancestry: CommitAncestry
    /// The policy to enforce: the base's, so that a range cannot relax the gate it is checked by.
    public let policy: Policy
    /// The moment judged; a review committed after it does not count.
    public let asOf: Int64
    public let config: ConfigChange?
    public let authority: ReviewAuthority

    public init(range: [Revision], model: Model, histories: [String: ThreatHistory], status: StatusReport, ancestry: CommitAncestry,
                policy: Policy, asOf: Int64, config: ConfigChange? = nil, authority: ReviewAuthority = CommitIdentities()) {
        self.range = range
        self.model = model
        self.histories = histories
        self.status = status
        self.ancestry = ancestry
        self.policy = policy
        self.asOf = asOf
        self.config = config
        self.authority = authority
    }
}

/// `tmrepo check`: applies the policy to the commits in base..head.
public enum MergeGate {
    public static func evaluate(_ input: GateInput) -> [GateFinding] {
        var findings: [GateFinding] = []
        let headThreats = Dictionary(input.model.threats.map { ($0.id.uppercased(), $0) }, uniquingKeysWith: { first, _ in first })
        // Ids ever seen, by their upper-cased form (trailers match without regard to case).
        let knownIDs = Dictionary(input.histories.keys.map { ($0.uppercased(), $0) }, uniquingKeysWith: { first, _ in first })

        // Changes and reviews per threat, in range order. A change is decided on parsed values
        // (`materialDigest`), so YAML style, key order and comments never hide one, and writing
        // the `reviewed` block alone is never one.
        var changes: [String: [Revision]] = [:]
        var deleted: [String: Bool] = [:]
        var reviews: [String: [Revision]] = [:]
        var changedPaths = Set<String>()
        for revision in input.range {
            for change in revision.threatChanges {
                if let path = change.newPath { changedPaths.insert(path) }
                let key = change.id.uppercased()
                if let new = change.new {
                    if change.old == nil || change.old!.materialDigest != new.materialDigest {
                        changes[key, default: []].append(revision)
                        deleted[key] = false
                    } else if new.reviewed != nil && new.reviewed != change.old?.reviewed {
                        reviews[key, default: []].append(revision)
                    }
                } else if change.old != nil {
                    changes[key, default: []].append(revision)
                    deleted[key] = true
                }
            }
            for file in revision.unreadableFiles { changedPaths.insert(file.path) }
            for id in revision.reviewedIDs {
                let key = id.uppercased()
                if !(reviews[key]?.contains { $0.id == revision.id } ?? false) { reviews[key, default: []].append(revision) }
                if knownIDs[key] == nil {
                    findings.append(GateFinding(
                        rule: .unknownTrailerID, threatID: id, path: nil, line: 0, commit: revision.id,
                        message: "commit \(revision.id.prefix(12)) has 'Reviewed-threat: \(id)', but no threat \(id) exists",
                        fix: "reword the commit message to name an existing id (git rebase -i, 'reword'), or create the threat"))
                }
            }
        }

        if input.policy.blockUnreviewedChanges {
            for (key, threatChanges) in changes.sorted(by: { Model.idOrder($0.key, $1.key) }) {
                let threat = headThreats[key]
                let id = threat?.id ?? knownIDs[key] ?? key
                let what = deleted[key] == true ? "retired" : "changed"
                let fix = deleted[key] == true
                    ? "commit a review of the retirement: git commit --allow-empty -m \"Review \(id) retirement\" -m \"Reviewed-threat: \(id)\""
                    : "tmrepo review \(id) --commit"
                if let finding = judge(subject: id, what: what, changes: threatChanges, reviews: reviews[key] ?? [], input: input,
                                       path: threat?.path, line: threat.map { $0.location(of: "id").line } ?? 0,
                                       unreviewed: .unreviewedChange, fix: fix) {
                    findings.append(finding)
                }
            }
        }

        if let config = input.config, !config.changes.isEmpty {
            let fix = "tmrepo review --config --commit   (or: git commit --allow-empty -m \"Review model configuration\" -m \"Reviewed-config: \(config.path)\")"
            if let finding = judge(subject: config.path, what: "changed", changes: config.changes, reviews: config.reviews, input: input,
                                   path: ModelConfig.fileName, line: 0, unreviewed: .unreviewedConfigChange, fix: fix) {
                findings.append(finding)
            }
        }

        for entry in input.status.entries where entry.overdue {
            guard let severity = entry.threat.severity, input.policy.blockOverdue.contains(severity) else { continue }
            let id = entry.threat.id
            let last = entry.lastReview.map { "last reviewed \(Day(unixTime: $0.ref.time))" } ?? "never reviewed"
            findings.append(GateFinding(
                rule: .overdue, threatID: id, path: entry.threat.path, line: entry.threat.location(of: "id").line, commit: nil,
                message: "\(id) (\(severity.rawValue)) is \(entry.daysOverdue) days overdue for review (\(last); due \(entry.reviewDue!))",
                fix: "tmrepo review \(id) --commit"))
        }

        // Nothing the gate cannot read is invisible to it: every unreadable entry blocks, changed or not.
        for item in input.status.unreadable {
            let held = item.threatID.map { " (it holds \($0))" } ?? ""
            let since = item.since.map { " since \($0.commit.prefix(12))" } ?? ""
            findings.append(GateFinding(
                rule: .unreadableThreat, threatID: item.threatID, path: item.file.path, line: item.file.problem.line, commit: item.since?.commit,
                message: "\(item.file.path) cannot be read as a threat\(since)\(held): \(item.file.problem.message)",
                fix: "fix or remove the file, then: tmrepo lint \(item.file.path)"))
        }
        let unreadablePaths = Set(input.status.unreadable.map(\.file.path))
        for diagnostic in input.model.diagnostics where diagnostic.severity == .error && changedPaths.contains(diagnostic.path)
            && !unreadablePaths.contains(diagnostic.path) {
            findings.append(GateFinding(
                rule: .lintError, threatID: nil, path: diagnostic.path, line: diagnostic.line, commit: nil,
                message: "\(diagnostic.path):\(diagnostic.line):\(diagnostic.column): \(diagnostic.message)",
                fix: "fix the file, then: tmrepo lint \(diagnostic.path)"))
        }
        return findings
    }

    /// Whether the last of `changes` has a review after it (a commit that contains it, committed
    /// no later than the moment judged, vouched for by the authority, by someone else when the
    /// policy asks); the finding that says why not, or nil.
    static func judge(subject: String, what: String, changes: [Revision], reviews: [Revision], input: GateInput,
                      path: String?, line: Int, unreviewed rule: GateFinding.Rule, fix: String) -> GateFinding? {
        guard let last = changes.last else { return nil }
        // Independence compares every identity on both sides: authors and committers of the change.
        let changers = Set(changes.flatMap { [$0.author.email.lowercased(), $0.committer.email.lowercased()] })
        let by = changers.sorted().joined(separator: ", ")
        var refused: [String] = []
        var vouched: [(revision: Revision, reviewers: Set<String>)] = []
        for review in reviews where review.id != last.id && input.ancestry.contains(review.id, last.id) {
            if review.time > input.asOf {
                refused.append("the review in \(review.id.prefix(12)) is dated \(Day(unixTime: review.time)), after the moment judged (\(Day(unixTime: input.asOf))), so it does not count")
                continue
            }
            switch input.authority.reviewers(of: review) {
            case .success(let reviewers): vouched.append((review, reviewers))
            case .failure(let refusal): refused.append("the review in \(review.id.prefix(12)) does not count: \(refusal.reason)")
            }
        }
        let because = refused.isEmpty ? "" : " (" + refused.joined(separator: "; ") + ")"
        if vouched.isEmpty {
            let independently = input.policy.independentReview ? "   (by someone other than \(by))" : ""
            return GateFinding(rule: rule, threatID: rule == .unreviewedChange ? subject : nil, path: path, line: line, commit: last.id,
                               message: "\(subject) was \(what) in \(last.id.prefix(12)) by \(last.author.email) and has no review after it\(because)",
                               fix: fix + independently)
        }
        if input.policy.independentReview && !vouched.contains(where: { $0.reviewers.isDisjoint(with: changers) }) {
            let reviewers = Set(vouched.flatMap(\.reviewers)).sorted().joined(separator: ", ")
            return GateFinding(rule: .reviewNotIndependent, threatID: rule == .unreviewedChange ? subject : nil, path: path, line: line,
                               commit: last.id,
                               message: "\(subject) was \(what) by \(by) and reviewed only by \(reviewers); policy.independent_review asks for someone else\(because)",
                               fix: "someone other than \(by) runs: " + fix)
        }
        return nil
    }
}
