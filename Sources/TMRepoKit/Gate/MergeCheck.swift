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
    /// from origin's main or master, else from a local main or master that is not HEAD's own
    /// branch. nil when there is none (a new repository: all of history is checked). Never the
    /// branch's own upstream: after `git push -u` that is the branch itself, and the range would be
    /// empty; on main itself, the unpushed commits are the range.
    public func defaultBase(head: ObjectID) throws -> ObjectID? {
        let repository = location.repository
        var candidates: [String] = []
        if let target = repository.symbolicTarget(of: "refs/remotes/origin/HEAD") { candidates.append(target) }
        candidates += ["refs/remotes/origin/main", "refs/remotes/origin/master"]
        let current = repository.headBranch()
        candidates += ["refs/heads/main", "refs/heads/master"].filter { $0 != current }
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
    /// the threats folder, id prefix, cadences, owners and policy it is merged into; what changed
    /// is decided by comparing head with `baseline` (default: the base; nil: an empty model).
    /// `fallbackShape`: the configuration when `shapeFrom` has none (the server's default policy:
    /// a range must never be judged by the configuration it brings itself).
    public func run(base: ObjectID?, head: ObjectID, hiding: [ObjectID] = [], asOf: Int64, shapeFrom: ObjectID? = nil,
                    baseline: ObjectID?? = nil, fallbackShape: ModelConfig? = nil,
                    sarif: [(path: String, log: SARIFLog)] = []) throws -> CheckResult {
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
        let shapeConfig = try shapeCommit.flatMap { commit -> ModelConfig? in
            do { return try engine.config(at: commit) } catch TMRepoError.modelNotFound { return nil }
        }
        let baseConfig = shapeConfig ?? fallbackShape
        var findings: [GateFinding] = []
        if let baseConfig {
            findings += headConfigFindings(engine: engine, head: head, baseConfig: baseConfig)
        }
        if shapeConfig == nil, let shapeCommit, let moved = try movedModelRoot(from: shapeCommit, head: head) {
            // Judged from the new root, the base would look like no model at all.
            findings.append(GateFinding(rule: .configError, threatID: nil, path: ModelConfig.fileName, line: 0, commit: head.hex,
                                        message: "the base has its model at '\(moved)', which head no longer has: the range moves or removes the model root",
                                        fix: "run the gate at the base's model root (tmrepo check --root \(moved.isEmpty ? "." : moved)), and review the move"))
        }
        let analysis = try engine.analyze(at: head.hex, config: baseConfig, timelines: false, collecting: Set(range))
        // The system at head was read with the base's shape (its template list and resource table).
        let system = analysis.system
        let status = try analysis.status(asOf: asOf)
        let config = baseConfig ?? analysis.model.config
        var authority: ReviewAuthority = CommitIdentities()
        if config.policy.requireSignedReviews, let shapeCommit {
            authority = try SignedReviewAuthority(repository: repository, base: shapeCommit,
                                                  signersPath: location.prefix + config.policy.allowedSigners)
        }
        let subjects: [GateSubject]
        do {
            subjects = try RangeSubjects(repository: repository, prefix: location.prefix, config: config) { blob, path in
                try engine.parse(blob: blob, path: path, idPrefix: config.idPrefix)
            }
                .subjects(baseline: baseline ?? base, head: head, headModel: analysis.model, range: range, revisions: analysis.collected)
        } catch let error as GitError {
            throw TMRepoError.from(error)
        }
        let unmodeled = system.drift.unmodeled.map { item in
            UnmodeledResource(kind: item.discovered.kind, logicalID: item.discovered.resource?.logicalId ?? item.discovered.id,
                              type: item.discovered.resourceType ?? "", template: item.discovered.resource?.path ?? "",
                              line: item.discovered.line, addedIn: item.addedIn?.commit)
        }
        var templateErrors = system.problems.filter { $0.severity == .error }
        if let base, !config.policy.blockUnmodeled.isEmpty || !config.policy.blockChangedElements.isEmpty || !config.policy.blockUnassessed.isEmpty {
            templateErrors += try templatesNoLongerRead(base: base, head: head, headPaths: Set(system.templatePaths), config: config)
        }
        let input = GateInput(range: analysis.collected, model: analysis.model, histories: analysis.histories, status: status,
                              policy: config.policy, asOf: asOf, subjects: subjects, authority: authority, elementChanges: analysis.elementChanges, unmodeled: unmodeled,
                              templateErrors: templateErrors)
        findings += MergeGate.evaluate(input)
        if !config.policy.blockUnassessed.isEmpty || config.policy.blockContradictions {
            let assessment = try analysis.assessment(findings: analysis.scan(asOf: asOf, sarif: sarif).findings, asOf: asOf, location: location)
            findings += MergeGate.assessmentFindings(assessment, policy: config.policy, head: head.hex)
        }
        return CheckResult(base: base?.hex, head: head.hex, commits: range.count, findings: findings, modelPrefix: location.prefix)
    }

    /// Templates the base reads (found by name or by their declaration, with the base's settings)
    /// that head still holds as files but no longer reads: deleting the optional
    /// `AWSTemplateFormatVersion` line (or escaping the SAM transform) would otherwise make every
    /// resource and finding in the file vanish from the gate. Under discovery, so do files the
    /// range adds or changes that are templates but do not declare themselves (see below).
    private func templatesNoLongerRead(base: ObjectID, head: ObjectID, headPaths: Set<String>, config: ModelConfig) throws -> [Diagnostic] {
        let repository = location.repository
        let source = TreeSource(repository: repository, tree: try repository.commit(base).tree, prefix: location.prefix,
                                name: "commit \(base.hex.prefix(12))")
        let before = try TemplateFiles(source: source, settings: config.system, declaresTemplate: CloudFormationTemplate.looksLikeTemplate).find()
        let headTree = try repository.commit(head).tree
        var out: [Diagnostic] = []
        for path in Set(before.map(\.path)).subtracting(headPaths).sorted() {
            guard let entry = try repository.entryID(in: headTree, path: location.prefix + path), entry.kind == .blob else { continue }
            out.append(Diagnostic(path: path, line: 0, column: 0, severity: .error, rule: LintRule.templateUnreadable.rawValue,
                                  message: "\(path) is a template at the base, and head no longer reads it as one (it declares neither "
                                      + "AWSTemplateFormatVersion nor the SAM transform): its resources and findings would go unseen; "
                                      + "keep the declaration, or name the file in system.templates"))
        }
        if config.system.templates.isEmpty {
            out += try undeclaredTemplates(base: base, head: head, headPaths: headPaths.union(out.map(\.path)))
        }
        return out
    }

    /// Under discovery, YAML/JSON files the range adds or changes that head does not read as
    /// templates but that are CloudFormation templates (top-level `Resources` with `AWS::` types):
    /// a template renamed from template.yaml to stack.yaml without a declaration, or with its SAM
    /// transform written with an escape, would otherwise take its findings out of the gate.
    /// Only files whose content differs from the base's at that path are parsed.
    private func undeclaredTemplates(base: ObjectID, head: ObjectID, headPaths: Set<String>) throws -> [Diagnostic] {
        let repository = location.repository
        let headTree = try repository.commit(head).tree
        let baseTree = try repository.commit(base).tree
        let source = TreeSource(repository: repository, tree: headTree, prefix: location.prefix, name: "commit \(head.hex.prefix(12))")
        var out: [Diagnostic] = []
        var parsed = 0
        for entry in try TemplateFiles.searchedFiles(in: source) where entry.kind == .file && !headPaths.contains(entry.path) {
            guard (entry.size ?? 0) <= Limits.maximumTemplateBytes else { continue }
            let mine = try repository.entryID(in: headTree, path: location.prefix + entry.path)
            let theirs = try repository.entryID(in: baseTree, path: location.prefix + entry.path)
            guard let mine, mine.id != theirs?.id else { continue }
            parsed += 1
            if parsed > TemplateFiles.maximumCandidates { break }
            let bytes = try repository.blob(mine.id)
            guard bytes.count <= Limits.maximumTemplateBytes,
                  let template = CloudFormationTemplate.parse(path: entry.path, bytes: bytes).template,
                  template.resources.contains(where: { $0.type.hasPrefix("AWS::") }) else { continue }
            out.append(Diagnostic(path: entry.path, line: 0, column: 0, severity: .error, rule: LintRule.templateUnreadable.rawValue,
                                  message: "\(entry.path) is a CloudFormation template (Resources of AWS:: types) that template discovery does not read "
                                      + "(its name is not template.yaml and it declares neither AWSTemplateFormatVersion nor the SAM transform as written): "
                                      + "its resources and findings would go unseen; add AWSTemplateFormatVersion, or name it in system.templates"))
        }
        return out
    }

    /// Head's own configuration must still be readable: it is what the next range is judged by.
    private func headConfigFindings(engine: HistoryEngine, head: ObjectID, baseConfig: ModelConfig) -> [GateFinding] {
        func finding(_ message: String, _ fix: String, line: Int = 0) -> GateFinding {
            GateFinding(rule: .configError, threatID: nil, path: ModelConfig.fileName, line: line, commit: head.hex, message: message, fix: fix)
        }
        do {
            let headConfig = try engine.config(at: head)
            // Head is judged with the base's folders; folders head's configuration moves to are
            // read after the merge, so one that is no folder there (a link the work tree would
            // follow, a file) blocks now.
            let baseFolders = Set(baseConfig.modelFolders)
            let reader = ModelReader(source: engine.source(tree: try location.repository.commit(head).tree, commit: head))
            var out: [GateFinding] = []
            for folder in headConfig.modelFolders where !baseFolders.contains(folder) {
                if let (path, what) = try reader.notAFolder(folder) {
                    out.append(finding("\(ModelConfig.fileName) at head moves a model folder to \(folder), but \(path) is \(what) there: links are never followed, so nothing in it could be read after the merge",
                                       "make \(path) a folder in the repository"))
                }
            }
            return out
        } catch TMRepoError.configInvalid(let errors) {
            return errors.map { finding("\(ModelConfig.fileName) at head: \($0.formatted)", "fix \(ModelConfig.fileName), then: tmrepo lint", line: $0.line) }
        } catch TMRepoError.modelNotFound {
            return [finding("\(ModelConfig.fileName) was removed at head", "restore \(ModelConfig.fileName)")]
        } catch TMRepoError.io(_, let reason) {
            return [finding("\(ModelConfig.fileName) at head \(reason)", "make \(ModelConfig.fileName) a regular file again")]
        } catch {
            return [finding("\(ModelConfig.fileName) at head cannot be read: \(error)", "restore \(ModelConfig.fileName)")]
        }
    }

    /// A model root the base has and head lost (repository-relative folder with a trailing slash),
    /// when the base has no model at this location.
    private func movedModelRoot(from base: ObjectID, head: ObjectID) throws -> String? {
        let repository = location.repository
        do {
            let headTree = try repository.commit(head).tree
            for file in try repository.files(in: try repository.commit(base).tree, entering: { _ in true },
                                             keeping: { $0 == ModelConfig.fileName }) {
                if try repository.entryID(in: headTree, path: file.path) == nil {
                    return String(file.path.dropLast(ModelConfig.fileName.count))
                }
            }
            return nil
        } catch let error as GitError {
            throw TMRepoError.from(error)
        }
    }
}
