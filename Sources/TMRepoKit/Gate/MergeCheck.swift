import Foundation
import TMGit
import ThreatModel

/// The outcome of `tmrepo check` for one range.
public struct CheckResult {
    public let base: String?
    public let head: String
    public let commits: Int
    public let findings: [GateFinding]
    /// The model root inside the repository ("" or "a/b/"), for repository-relative paths.
    public let modelPrefix: String

    public var passed: Bool { findings.isEmpty }
}

/// Applies the merge gate to a range of commits read from git (never the work tree).
public struct MergeCheck {
    public let location: ModelLocation

    public init(location: ModelLocation) {
        self.location = location
    }

    /// The default base: where HEAD's branch forked from its upstream, else from main
    /// (local, then origin's). nil when there is none (a new repository: all of history is checked).
    public func defaultBase(head: ObjectID) throws -> ObjectID? {
        let repository = location.repository
        var candidates: [String] = []
        if let branch = repository.headBranch(), let upstream = repository.upstream(of: branch) { candidates.append(upstream) }
        candidates += ["refs/heads/main", "refs/remotes/origin/main", "refs/heads/master", "refs/remotes/origin/master"]
        for name in candidates {
            guard let commit = try repository.referenceCommit(name) else { continue }
            if commit == head { return head }
            if let base = try repository.mergeBase(head, commit) { return base }
        }
        return nil
    }

    /// Resolves a revision the user typed, with an error that names it.
    public func resolve(_ revision: String, option: String) throws -> ObjectID {
        do {
            return try location.repository.resolveCommit(revision)
        } catch let error as GitError {
            throw TMRepoError.invalidArgument("\(option) '\(revision)' is not a commit in this repository (\(error.message))")
        }
    }

    /// Checks base..head (commits reachable from head, not from base nor from `hiding`).
    public func run(base: ObjectID?, head: ObjectID, hiding: [ObjectID] = [], asOf: Int64) throws -> CheckResult {
        let repository = location.repository
        if repository.isShallow { throw TMRepoError.shallowClone(repository.workingDirectory ?? repository.gitDirectory) }
        if let base, try repository.mergeBase(base, head) == nil {
            throw TMRepoError.invalidArgument("base \(base.hex.prefix(12)) and head \(head.hex.prefix(12)) share no history (unrelated histories); pass --base a commit that head descends from")
        }
        let hidden = (base.map { [$0] } ?? []) + hiding
        let range: [ObjectID]
        do {
            range = try repository.commitIDs(from: head, hiding: hidden)
        } catch let error as GitError {
            throw TMRepoError.from(error)
        }
        let engine = HistoryEngine(location: location)
        let analysis = try engine.analyze(at: head.hex, timelines: false, collecting: Set(range))
        let status = analysis.status(asOf: asOf)
        // The policy of the branch being merged into: a range that edits .tmrepo.yml must not be
        // judged by its own, relaxed, policy. Without a base (or a model there), head's applies.
        var policy = analysis.model.config.policy
        if let base, let targetConfig = try? engine.config(at: base) { policy = targetConfig.policy }
        let findings = MergeGate.evaluate(range: analysis.collected, model: analysis.model, histories: analysis.histories,
                                          status: status, ancestry: analysis.ancestry, policy: policy)
        return CheckResult(base: base?.hex, head: head.hex, commits: range.count, findings: findings, modelPrefix: location.prefix)
    }
}
