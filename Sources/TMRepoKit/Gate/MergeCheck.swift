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
    /// The trailer that records a review of the model's configuration (`.tmrepo.yml`).
    public static let configTrailer = "Reviewed-config"

    public init(location: ModelLocation) {
        self.location = location
    }

    /// The default base: where HEAD forked from the remote's default branch (`origin/HEAD`), else
    /// from main or master (local, then origin's). nil when there is none (a new repository: all
    /// of history is checked). Not the branch's own upstream: after `git push -u` that is the
    /// branch itself, and the range would be empty.
    public func defaultBase(head: ObjectID) throws -> ObjectID? {
        let repository = location.repository
        var candidates: [String] = []
        if let target = repository.symbolicTarget(of: "refs/remotes/origin/HEAD") { candidates.append(target) }
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

    /// Checks base..head (commits reachable from head, not from base nor from `hiding`). The model
    /// is read with the configuration of `shapeFrom` (default: the base), so a range is judged by
    /// the threats folder, id prefix, cadences, owners and policy it is merged into.
    public func run(base: ObjectID?, head: ObjectID, hiding: [ObjectID] = [], asOf: Int64, shapeFrom: ObjectID? = nil) throws -> CheckResult {
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
        // The base's configuration, when the base has a model; a new model is judged by its own.
        let shapeCommit = shapeFrom ?? base
        let baseConfig = try shapeCommit.flatMap { commit -> ModelConfig? in
            do { return try engine.config(at: commit) } catch TMRepoError.modelNotFound { return nil }
        }
        var findings: [GateFinding] = []
        if baseConfig != nil {
            // Head's own configuration must still be readable: it is what the next range is judged by.
            do {
                _ = try engine.config(at: head)
            } catch TMRepoError.configInvalid(let errors) {
                for error in errors {
                    findings.append(GateFinding(rule: .configError, threatID: nil, path: ModelConfig.fileName, line: error.line, commit: head.hex,
                                                message: "\(ModelConfig.fileName) at head: \(error.formatted)",
                                                fix: "fix \(ModelConfig.fileName), then: tmrepo lint"))
                }
            } catch TMRepoError.modelNotFound {
                findings.append(GateFinding(rule: .configError, threatID: nil, path: ModelConfig.fileName, line: 0, commit: head.hex,
                                            message: "\(ModelConfig.fileName) was removed at head",
                                            fix: "restore \(ModelConfig.fileName)"))
            } catch TMRepoError.io(_, let reason) {
                findings.append(GateFinding(rule: .configError, threatID: nil, path: ModelConfig.fileName, line: 0, commit: head.hex,
                                            message: "\(ModelConfig.fileName) at head \(reason)",
                                            fix: "make \(ModelConfig.fileName) a regular file again"))
            }
        }
        let analysis = try engine.analyze(at: head.hex, config: baseConfig, timelines: false, collecting: Set(range))
        let status = analysis.status(asOf: asOf)
        let policy = baseConfig?.policy ?? analysis.model.config.policy
        let configChange = try baseConfig == nil ? nil : configChanges(in: range, analysis: analysis)
        var authority: ReviewAuthority = CommitIdentities()
        if policy.requireSignedReviews, let shapeCommit, baseConfig != nil {
            authority = try SignedReviewAuthority(repository: repository, base: shapeCommit,
                                                  signersPath: location.prefix + policy.allowedSigners)
        }
        let input = GateInput(range: analysis.collected, model: analysis.model, histories: analysis.histories, status: status,
                              ancestry: analysis.ancestry, policy: policy, asOf: asOf, config: configChange, authority: authority)
        findings += MergeGate.evaluate(input)
        return CheckResult(base: base?.hex, head: head.hex, commits: range.count, findings: findings, modelPrefix: location.prefix)
    }

    /// The commits of the range that changed `.tmrepo.yml` (for a merge: changed it against every
    /// parent) and those that carry a `Reviewed-config:` trailer naming it.
    func configChanges(in range: [ObjectID], analysis: HistoryAnalysis) throws -> ConfigChange {
        let repository = location.repository
        let path = location.prefix + ModelConfig.fileName
        var changes: [Revision] = [], reviews: [Revision] = []
        do {
            for id in range {
                let commit = try repository.commit(id)
                let mine = try repository.entryID(in: commit.tree, path: path)
                var differs = !commit.parents.isEmpty
                for parent in commit.parents {
                    let theirs = try repository.entryID(in: try repository.commit(parent).tree, path: path)
                    if theirs?.id == mine?.id && theirs?.kind == mine?.kind { differs = false }
                }
                let revision = Revision(id: id.hex, time: commit.committer.time, offsetMinutes: commit.committer.offsetMinutes,
                                        author: Identity(name: commit.author.name, email: commit.author.email),
                                        committer: Identity(name: commit.committer.name, email: commit.committer.email),
                                        reviewedIDs: [], threatChanges: [])
                if differs { changes.append(revision) }
                let named = try messageTrailers(commit.message).filter { $0.key.caseInsensitiveCompare(Self.configTrailer) == .orderedSame }
                if named.contains(where: { Self.namesConfig($0.value, path: path) }) { reviews.append(revision) }
            }
        } catch let error as GitError {
            throw TMRepoError.from(error)
        }
        return ConfigChange(path: path, changes: changes, reviews: reviews)
    }

    /// A `Reviewed-config:` value names the configuration by its repository path or as `.tmrepo.yml`.
    static func namesConfig(_ value: String, path: String) -> Bool {
        let named = value.trimmingCharacters(in: .whitespaces)
        return named == path || named == ModelConfig.fileName
    }
}
