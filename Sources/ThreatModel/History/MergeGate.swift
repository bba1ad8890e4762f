/// Which commits contain which: the merge gate needs to know that a review came after a change.
public protocol CommitAncestry {
    /// Whether `descendant` contains `ancestor` (a commit contains itself).
    func contains(_ descendant: String, _ ancestor: String) -> Bool
}

/// One reason a range of commits may not be merged, with the command that fixes it.
public struct GateFinding: Hashable, Sendable {
    public enum Rule: String, Sendable, CaseIterable {
        case unreviewedChange = "unreviewed-change"
        case reviewNotIndependent = "review-not-independent"
        case overdue = "overdue-review"
        case lintError = "lint-error"
        case unknownTrailerID = "unknown-trailer-id"

        public var summary: String {
            switch self {
            case .unreviewedChange: "A threat changed in the range has no review after its last change"
            case .reviewNotIndependent: "A changed threat was reviewed only by the people who changed it"
            case .overdue: "A threat of a blocking severity is overdue for review"
            case .lintError: "A threat file changed in the range has lint errors"
            case .unknownTrailerID: "A Reviewed-threat trailer names a threat that does not exist"
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
}

/// `tmrepo check`: applies the model's policy to the commits in base..head.
public enum MergeGate {
    /// - Parameters:
    ///   - range: the revisions in base..head, parents first.
    ///   - model: the model as committed at head.
    ///   - histories: the whole history up to head (for ids ever seen).
    ///   - status: the review status at head, for the overdue rule.
    ///   - policy: the policy to enforce; the caller takes it from the target side (the base), so
    ///     that a range cannot relax the gate it is checked by. Defaults to the model's own.
    public static func evaluate(range: [Revision], model: Model, histories: [String: ThreatHistory], status: StatusReport,
                                ancestry: CommitAncestry, policy enforced: Policy? = nil) -> [GateFinding] {
        let policy = enforced ?? model.config.policy
        var findings: [GateFinding] = []
        let headThreats = Dictionary(model.threats.map { ($0.id.uppercased(), $0) }, uniquingKeysWith: { first, _ in first })
        // Ids ever seen, by their upper-cased form (trailers match without regard to case).
        let knownIDs = Dictionary(histories.keys.map { ($0.uppercased(), $0) }, uniquingKeysWith: { first, _ in first })

        // Changes and reviews per threat, in range order.
        struct Change { let revision: Revision; let deleted: Bool }
        var changes: [String: [Change]] = [:]
        var reviews: [String: [Revision]] = [:]
        var changedPaths = Set<String>()
        for revision in range {
            for change in revision.threatChanges {
                if let path = change.newPath { changedPaths.insert(path) }
                let key = change.id.uppercased()
                if let new = change.new {
                    if change.old == nil || change.old!.materialDigest != new.materialDigest {
                        changes[key, default: []].append(Change(revision: revision, deleted: false))
                    } else if new.reviewed != nil && new.reviewed != change.old?.reviewed {
                        reviews[key, default: []].append(revision)
                    }
                } else if change.old != nil {
                    changes[key, default: []].append(Change(revision: revision, deleted: true))
                }
            }
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

        if policy.blockUnreviewedChanges {
            for (key, threatChanges) in changes.sorted(by: { Model.idOrder($0.key, $1.key) }) {
                guard let last = threatChanges.last else { continue }
                let threat = headThreats[key]
                let id = threat?.id ?? knownIDs[key] ?? key
                let authors = Set(threatChanges.map { $0.revision.author.email.lowercased() })
                let after = (reviews[key] ?? []).filter { review in
                    review.id != last.revision.id && ancestry.contains(review.id, last.revision.id)
                }
                let independent = after.filter { !authors.contains($0.author.email.lowercased()) }
                let what = last.deleted ? "retired" : "changed"
                let by = authors.sorted().joined(separator: ", ")
                if after.isEmpty {
                    findings.append(GateFinding(
                        rule: .unreviewedChange, threatID: id, path: threat?.path, line: threat.map { $0.location(of: "id").line } ?? 0,
                        commit: last.revision.id,
                        message: "\(id) was \(what) in \(last.revision.id.prefix(12)) by \(last.revision.author.email) and has no review after it",
                        fix: last.deleted
                            ? "commit a review of the retirement: git commit --allow-empty -m \"Review \(id) retirement\" -m \"Reviewed-threat: \(id)\""
                            : "tmrepo review \(id) --commit" + (policy.independentReview ? "   (by someone other than \(by))" : "")))
                } else if policy.independentReview && independent.isEmpty {
                    findings.append(GateFinding(
                        rule: .reviewNotIndependent, threatID: id, path: threat?.path, line: threat.map { $0.location(of: "id").line } ?? 0,
                        commit: last.revision.id,
                        message: "\(id) was \(what) by \(by) and reviewed only by \(Set(after.map(\.author.email)).sorted().joined(separator: ", ")); policy.independent_review asks for someone else",
                        fix: "someone other than \(by) runs: tmrepo review \(id) --commit"))
                }
            }
        }

        for entry in status.entries where entry.overdue {
            guard let severity = entry.threat.severity, policy.blockOverdue.contains(severity) else { continue }
            let id = entry.threat.id
            let last = entry.lastReview.map { "last reviewed \(Day(unixTime: $0.ref.time))" } ?? "never reviewed"
            findings.append(GateFinding(
                rule: .overdue, threatID: id, path: entry.threat.path, line: entry.threat.location(of: "id").line, commit: nil,
                message: "\(id) (\(severity.rawValue)) is \(entry.daysOverdue) days overdue for review (\(last); due \(entry.reviewDue!))",
                fix: "tmrepo review \(id) --commit"))
        }

        for diagnostic in model.diagnostics where diagnostic.severity == .error && changedPaths.contains(diagnostic.path) {
            findings.append(GateFinding(
                rule: .lintError, threatID: nil, path: diagnostic.path, line: diagnostic.line, commit: nil,
                message: "\(diagnostic.path):\(diagnostic.line):\(diagnostic.column): \(diagnostic.message)",
                fix: "fix the file, then: tmrepo lint \(diagnostic.path)"))
        }
        return findings
    }
}
