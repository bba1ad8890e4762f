/// Who stands behind a commit. Without signatures, its author and committer (both claims);
/// with `policy.require_signed_reviews`, only what a verified signature proves.
public protocol ReviewAuthority {
    /// The identities (lower-cased emails) vouching for a review, or why the commit is no review.
    func reviewers(commit: String, author: Identity, committer: Identity?) -> Result<Set<String>, ReviewRefusal>
    /// The identities (lower-cased emails) that made a change, or why they cannot be told.
    func changers(of revision: Revision) -> Result<Set<String>, ReviewRefusal>
}

/// Why a commit that looks like a review does not count as one.
public struct ReviewRefusal: Error, Hashable, Sendable {
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }
}

/// The unsigned default: a commit is vouched for by its author and its committer.
public struct CommitIdentities: ReviewAuthority {
    public init() {}

    public func reviewers(commit: String, author: Identity, committer: Identity?) -> Result<Set<String>, ReviewRefusal> {
        .success(Set([author.email.lowercased()] + (committer.map { [$0.email.lowercased()] } ?? [])))
    }

    public func changers(of revision: Revision) -> Result<Set<String>, ReviewRefusal> {
        .success([revision.author.email.lowercased(), revision.committer.email.lowercased()])
    }
}

/// Something a range changed that needs a review: a threat, or a model file (`.tmrepo.yml`,
/// `elements.yml`, `assets.yml`). Decided on content, base against head, so neither a merge that
/// takes an old version nor the order of commits can hide a change.
public struct GateSubject: Sendable {
    public enum Kind: Sendable, Equatable {
        case threat(id: String)
        case modelFile(path: String)
    }

    public let kind: Kind
    /// The file at head (model-root relative), for the finding's location.
    public let path: String?
    public let line: Int
    /// "changed", "added" or "retired" (a threat), "changed" (a file).
    public let what: String
    /// Commits of the range that reviewed exactly the version at head, parents first.
    public let reviews: [Revision]
    /// Commits of the range that wrote the version at head (none when it came from outside the
    /// range, e.g. a merge taking an old version), parents first.
    public let authors: [Revision]
    public let fix: String

    public init(kind: Kind, path: String?, line: Int, what: String, reviews: [Revision], authors: [Revision], fix: String) {
        self.kind = kind
        self.path = path
        self.line = line
        self.what = what
        self.reviews = reviews
        self.authors = authors
        self.fix = fix
    }

    var name: String {
        switch kind {
        case .threat(let id): id
        case .modelFile(let path): path
        }
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
        case unreviewedModelFileChange = "unreviewed-model-file-change"
        case configError = "config-error"
        case elementChanged = "element-changed"
        case unmodeledResource = "unmodeled-resource"
        case templateError = "template-error"
        case unassessedFinding = "unassessed-finding"
        case findingContradiction = "finding-contradiction"

        public var summary: String {
            switch self {
            case .unreviewedChange: "A threat changed in the range has no review after its last change"
            case .reviewNotIndependent: "A change was reviewed only by the people who made it"
            case .overdue: "A threat of a blocking severity is overdue for review"
            case .lintError: "A threat file changed in the range has lint errors"
            case .unknownTrailerID: "A Reviewed-threat trailer names a threat that does not exist"
            case .unreadableThreat: "An entry under the threats folder is not a readable threat"
            case .unreviewedModelFileChange: "A model file (.tmrepo.yml, elements.yml, assets.yml) changed in the range without a review"
            case .configError: "The configuration at head cannot be read"
            case .elementChanged: "A threat of a blocking severity is on an element that changed after its last review"
            case .unmodeledResource: "A template resource of a blocking kind has no element in elements.yml"
            case .templateError: "A template cannot be read while the policy relies on the templates"
            case .unassessedFinding: "A finding of a blocking severity is linked to no threat"
            case .findingContradiction: "A threat is mitigated or closed while a finding it links is still reported"
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
    /// The whole history up to head (for ids ever seen, and reviews of overdue threats).
    public let histories: [String: ThreatHistory]
    /// The review status at head, as of `asOf`.
    public let status: StatusReport
    /// The policy to enforce: the base's, so that a range cannot relax the gate it is checked by.
    public let policy: Policy
    /// The moment judged; a review committed after it does not count.
    public let asOf: Int64
    /// What changed between base and head, with the reviews that saw each version at head.
    public let subjects: [GateSubject]
    public let authority: ReviewAuthority
    /// When the elements' resources and code changed (nil: no templates).
    public let elementChanges: ElementChangeOracle?
    /// Template resources with no element at head: (kind, logical id, template path, line, commit that added it).
    public let unmodeled: [UnmodeledResource]
    /// Errors in the templates at head (a resource in a template that cannot be read is invisible).
    public let templateErrors: [Diagnostic]

    public init(range: [Revision], model: Model, histories: [String: ThreatHistory], status: StatusReport, policy: Policy,
                asOf: Int64, subjects: [GateSubject], authority: ReviewAuthority = CommitIdentities(),
                elementChanges: ElementChangeOracle? = nil, unmodeled: [UnmodeledResource] = [], templateErrors: [Diagnostic] = []) {
        self.range = range
        self.model = model
        self.histories = histories
        self.status = status
        self.policy = policy
        self.asOf = asOf
        self.subjects = subjects
        self.authority = authority
        self.elementChanges = elementChanges
        self.unmodeled = unmodeled
        self.templateErrors = templateErrors
    }
}

/// A template resource no element stands for, as the gate sees it.
public struct UnmodeledResource: Hashable, Sendable {
    public let kind: ElementKind
    public let logicalID: String
    public let type: String
    public let template: String
    public let line: Int
    public let addedIn: String?

    public init(kind: ElementKind, logicalID: String, type: String, template: String, line: Int, addedIn: String?) {
        self.kind = kind
        self.logicalID = logicalID
        self.type = type
        self.template = template
        self.line = line
        self.addedIn = addedIn
    }
}

/// `tmrepo check`: applies the policy to the commits in base..head.
public enum MergeGate {
    public static func evaluate(_ input: GateInput) -> [GateFinding] {
        var findings: [GateFinding] = []
        // Ids ever seen (trailers match without regard to case).
        let knownIDs = Set(input.histories.keys.map(ThreatID.key))
        var changedPaths = Set<String>()
        for revision in input.range {
            for change in revision.threatChanges { if let path = change.newPath { changedPaths.insert(path) } }
            for file in revision.unreadableFiles { changedPaths.insert(file.path) }
            for id in revision.reviewedIDs where !knownIDs.contains(ThreatID.key(id)) {
                findings.append(GateFinding(
                    rule: .unknownTrailerID, threatID: id, path: nil, line: 0, commit: revision.id,
                    message: "commit \(revision.id.prefix(12)) has 'Reviewed-threat: \(id)', but no threat \(id) exists",
                    fix: "reword the commit message to name an existing id (git rebase -i, 'reword'), or create the threat"))
            }
        }

        // Catalog files changed in the range: their lint errors block like a threat file's.
        let catalogFolders = CatalogKind.allCases.map { input.model.config.directory(for: $0) }
        for subject in input.subjects {
            if case .modelFile(let path) = subject.kind, catalogFolders.contains(where: { path.hasPrefix($0) }) { changedPaths.insert(path) }
        }
        // A catalog folder that is no folder (a link, a file) hides every file it should hold: its
        // error blocks, changed or not.
        for diagnostic in input.model.diagnostics where catalogFolders.contains(where: { $0.hasPrefix(diagnostic.path + "/") }) {
            changedPaths.insert(diagnostic.path)
        }
        for subject in input.subjects {
            if case .threat = subject.kind, !input.policy.blockUnreviewedChanges { continue }
            // Catalog files follow the threat files' policy.
            if case .modelFile(let path) = subject.kind, catalogFolders.contains(where: { path.hasPrefix($0) }),
               !input.policy.blockUnreviewedChanges { continue }
            if let finding = judge(subject, input: input) { findings.append(finding) }
        }

        for entry in input.status.entries {
            guard let severity = entry.threat.severity, input.policy.blockOverdue.contains(severity),
                  let (due, daysOverdue, last) = overdue(entry, input: input) else { continue }
            let id = entry.threat.id
            let lastText = last.map { "last reviewed \(Day(unixTime: $0.ref.time))" } ?? "never reviewed"
            findings.append(GateFinding(
                rule: .overdue, threatID: id, path: entry.threat.path, line: entry.threat.location(of: "id").line, commit: nil,
                message: "\(id) (\(severity.rawValue)) is \(daysOverdue) days overdue for review (\(lastText); due \(due))",
                fix: "tmrepo review \(id) --commit"))
        }

        for entry in input.status.entries {
            guard let severity = entry.threat.severity, input.policy.blockChangedElements.contains(severity),
                  entry.threat.status != .closed, let oracle = input.elementChanges,
                  let element = entry.threat.element.flatMap({ id in input.model.elements?.first { $0.id == id } }) else { continue }
            // The clock starts at the last review the authority accepts (signed, when the policy asks).
            let history = input.histories[entry.threat.id]
            guard let since = lastAcceptedReview(entry, input: input)?.ref.commit ?? history?.created?.commit,
                  let change = oracle.firstChange(of: element, after: since) else { continue }
            let id = entry.threat.id
            findings.append(GateFinding(
                rule: .elementChanged, threatID: id, path: entry.threat.path, line: entry.threat.location(of: "element").line, commit: change.commit,
                message: "\(id) (\(severity.rawValue)): \(change.summary)",
                fix: "review \(id) against the change (git show \(change.commit.prefix(12))), then: tmrepo review \(id) --commit"))
        }
        for resource in input.unmodeled where input.policy.blockUnmodeled.contains(resource.kind) {
            let added = resource.addedIn.map { " added in \($0.prefix(12))" } ?? ""
            findings.append(GateFinding(
                rule: .unmodeledResource, threatID: nil, path: resource.template, line: resource.line, commit: resource.addedIn,
                message: "\(resource.kind.rawValue) \(resource.logicalID) (\(resource.type))\(added) is not in elements.yml: attack surface nobody modeled",
                fix: "tmrepo discover, then model its threats (tmrepo matrix shows the gaps) and commit with a review"))
        }

        // A policy that relies on the templates cannot pass over one it cannot read.
        if !input.policy.blockUnmodeled.isEmpty || !input.policy.blockChangedElements.isEmpty || !input.policy.blockUnassessed.isEmpty {
            for error in input.templateErrors {
                findings.append(GateFinding(
                    rule: .templateError, threatID: nil, path: error.path, line: error.line, commit: nil,
                    message: "\(error.path):\(error.line):\(error.column): \(error.message) (policy.block_unmodeled / block_changed_elements need every template readable)",
                    fix: "fix the template, then: tmrepo lint"))
            }
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

    /// When a threat of a blocking severity is overdue, counting only the reviews the authority
    /// accepts (with signed reviews, an unsigned one does not reset the clock): due day, days
    /// overdue and the review counted; nil when it is not overdue.
    static func overdue(_ entry: ThreatStatusEntry, input: GateInput) -> (Day, Int, Review?)? {
        let last = lastAcceptedReview(entry, input: input)
        let created = input.histories[entry.threat.id]?.created
        guard let due = StatusReport.reviewDue(threat: entry.threat, config: input.model.config, lastReview: last, created: created) else {
            return nil
        }
        let days = Day(unixTime: input.asOf).daysSinceEpoch - due.daysSinceEpoch
        return days > 0 ? (due, days, last) : nil
    }

    /// The last review up to the moment judged that the authority accepts (with signed reviews, an
    /// unsigned one does not count).
    static func lastAcceptedReview(_ entry: ThreatStatusEntry, input: GateInput) -> Review? {
        guard !(input.authority is CommitIdentities) else { return entry.lastReview }
        let candidates = (input.histories[entry.threat.id]?.reviews ?? []).filter { $0.ref.time <= input.asOf }
            .sorted { $0.ref.time > $1.ref.time }
        return candidates.first { review in
            if case .success = input.authority.reviewers(commit: review.ref.commit, author: review.ref.author, committer: nil) { return true }
            return false
        }
    }

    /// Whether a subject's version at head was reviewed in the range: a review that saw exactly
    /// that version, committed no later than the moment judged, vouched for by the authority, and
    /// by someone other than its authors when the policy asks; the finding that says why not, or nil.
    static func judge(_ subject: GateSubject, input: GateInput) -> GateFinding? {
        let threatID: String?
        let rule: GateFinding.Rule
        switch subject.kind {
        case .threat(let id): (threatID, rule) = (id, .unreviewedChange)
        case .modelFile: (threatID, rule) = (nil, .unreviewedModelFileChange)
        }
        var changers = Set<String>()
        var unprovable: [String] = []
        for author in subject.authors {
            switch input.authority.changers(of: author) {
            case .success(let identities): changers.formUnion(identities)
            case .failure(let refusal): unprovable.append("who made \(author.id.prefix(12)) cannot be told: \(refusal.reason)")
            }
        }
        let changerNames = changers.sorted().joined(separator: ", ")
        let by = changers.isEmpty ? "" : " by " + changerNames
        let last = subject.authors.last
        let whereText = last.map { " in \($0.id.prefix(12))" } ?? " (a version from outside the range, e.g. through a merge)"
        var refused: [String] = []
        var vouched: [Set<String>] = []
        for review in subject.reviews {
            if review.time > input.asOf {
                refused.append("the review in \(review.id.prefix(12)) is dated \(Day(unixTime: review.time)), after the moment judged (\(Day(unixTime: input.asOf))), so it does not count")
                continue
            }
            switch input.authority.reviewers(commit: review.id, author: review.author, committer: review.committer) {
            case .success(let reviewers): vouched.append(reviewers)
            case .failure(let refusal): refused.append("the review in \(review.id.prefix(12)) does not count: \(refusal.reason)")
            }
        }
        let because = refused.isEmpty ? "" : " (" + refused.joined(separator: "; ") + ")"
        if vouched.isEmpty {
            let independently = input.policy.independentReview && !changers.isEmpty ? "   (by someone other than \(changerNames))" : ""
            return GateFinding(rule: rule, threatID: threatID, path: subject.path, line: subject.line, commit: last?.id,
                               message: "\(subject.name) was \(subject.what)\(whereText)\(by) and no review in the range saw the version at head\(because)",
                               fix: subject.fix + independently)
        }
        if input.policy.independentReview && (!unprovable.isEmpty || !vouched.contains(where: { $0.isDisjoint(with: changers) })) {
            let reviewers = Set(vouched.flatMap { $0 }).sorted().joined(separator: ", ")
            let why = unprovable.isEmpty ? "" : " (" + unprovable.joined(separator: "; ") + ")"
            return GateFinding(rule: .reviewNotIndependent, threatID: threatID, path: subject.path, line: subject.line, commit: last?.id,
                               message: "\(subject.name) was \(subject.what)\(by) and reviewed only by \(reviewers); policy.independent_review asks for someone else\(why)\(because)",
                               fix: unprovable.isEmpty ? "someone other than \(changers.isEmpty ? "its authors" : changerNames) runs: " + subject.fix
                                                       : "sign the change's commits (git commit -S), then have someone else review")
        }
        return nil
    }
}
