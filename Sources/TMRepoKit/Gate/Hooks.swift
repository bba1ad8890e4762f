import Foundation
import TMGit
import ThreatModel

/// What the git hooks do. Each reads from git (the index, commits, refs), never from the work
/// tree, and returns values; `tmrepo hook …` turns them into messages and exit codes.
public struct HookRunner {
    public let location: ModelLocation
    public let asOf: Int64

    public init(location: ModelLocation, asOf: Int64) {
        self.location = location
        self.asOf = asOf
    }

    private var repository: Repository { location.repository }
    static let zero = String(repeating: "0", count: 40)

    // MARK: pre-commit

    /// Lints the model as staged: errors in the threat files the commit changes, and every entry
    /// under the threats folder that is not a readable threat (wherever it came from).
    public func preCommit() throws -> [Diagnostic] {
        let staged = ModelReader(source: try IndexSource(repository: repository, prefix: location.prefix))
        guard let config = try staged.config() else { return [] }
        let model = try staged.read()
        let committed = try repository.headCommit().map {
            TreeSource(repository: repository, tree: try repository.commit($0).tree, prefix: location.prefix, name: "HEAD")
        }
        let (files, strays) = try staged.threatEntries(config: config)
        var changed: [String] = []
        for path in files.map(\.path) + strays.map(\.path) {
            let before = try committed?.entry(path), now = try staged.source.entry(path)
            if before?.object != now?.object || before?.kind != now?.kind { changed.append(path) }
        }
        // Catalog files the commit adds or changes (and entries there that are not regular files).
        for kind in CatalogKind.allCases {
            // A catalog folder staged as a link, a file or a submodule hides its files: always reported.
            if let (path, _) = try staged.notAFolder(config.directory(for: kind)) { changed.append(path) }
            for entry in try staged.source.entries(under: config.directory(for: kind)) where entry.kind != .folder {
                let before = try committed?.entry(entry.path)
                if before?.object != entry.object || before?.kind != entry.kind { changed.append(entry.path) }
            }
        }
        let reported = Set(changed).union(model.unreadable.map(\.path))
        return model.diagnostics.filter { reported.contains($0.path) }
    }

    // MARK: commit-msg

    /// Ids named by `Reviewed-threat:` trailers of a commit message that no threat has ever had
    /// (in history or in the index).
    public func unknownReviewedIDs(message: String) throws -> [String] {
        // git strips comment lines before committing; trailers are read the same way.
        let text = message.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("#") }.joined(separator: "\n")
        let named = try HistoryWalker.reviewedIDs(in: text)
        guard !named.isEmpty else { return [] }
        var known = Set<String>()
        if try repository.headCommit() != nil {
            do {
                known = Set(try HistoryEngine(location: location).analyze(timelines: false).everSeenIDs.map(ThreatID.key))
            } catch TMRepoError.modelNotFound {
                // The model is not committed yet: only staged files name threats.
            }
        }
        let staged = try repository.indexFiles(under: location.prefix)
        var idPrefix = ModelConfig().idPrefix
        if let configEntry = staged.first(where: { $0.path == location.prefix + ModelConfig.fileName }) {
            idPrefix = ModelConfig.parse(bytes: try repository.blob(configEntry.id)).0.idPrefix
        }
        for entry in staged {
            let name = String(entry.path.split(separator: "/").last ?? "")
            if let id = ThreatParser.idInFileName(name, prefix: idPrefix) { known.insert(ThreatID.key(id)) }
        }
        return named.filter { !known.contains(ThreatID.key($0)) }
    }

    // MARK: pre-merge-commit

    /// Checks what a merge in progress brings in: merge-base(HEAD, incoming)..incoming for each
    /// merged commit. git names them in GITHEAD_<id> variables while the hook runs (MERGE_HEAD
    /// is written only afterwards); MERGE_HEAD is read too, for other callers.
    public func preMergeCommit(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [CheckResult] {
        var incoming: [ObjectID] = environment.keys.filter { $0.hasPrefix("GITHEAD_") }.sorted()
            .compactMap { ObjectID(hex: String($0.dropFirst("GITHEAD_".count))) }
        if let text = try? String(contentsOfFile: repository.gitDirectory + "MERGE_HEAD", encoding: .utf8) {
            incoming += text.split(separator: "\n").compactMap { ObjectID(hex: String($0)) }
        }
        guard let head = try repository.headCommit() else { return [] }
        var results: [CheckResult] = []
        for commit in Set(incoming).sorted() where repository.isCommit(commit) {
            // Judged by the branch merged into, as it is now.
            results.append(try MergeCheck(location: location).run(base: try repository.mergeBase(head, commit), head: commit, asOf: asOf,
                                                                  shapeFrom: head))
        }
        return results
    }

    // MARK: pre-push

    /// Checks each pushed range; git gives one line per ref: `<local ref> <local id> <remote ref> <remote id>`.
    public func prePush(remote: String, lines: [String]) throws -> [(ref: String, result: CheckResult)] {
        var results: [(String, CheckResult)] = []
        let remoteTips = try repository.references(matching: "refs/remotes/\(remote)/*").map(\.commit)
        let defaultName = repository.symbolicTarget(of: "refs/remotes/\(remote)/HEAD") ?? "refs/remotes/\(remote)/main"
        let remoteDefault: ObjectID? = try repository.referenceCommit(defaultName)
        for line in lines {
            let parts = line.split(separator: " ").map(String.init)
            guard parts.count == 4 else { continue }
            let (localRef, localID, remoteRef, remoteID) = (parts[0], parts[1], parts[2], parts[3])
            guard localID != Self.zero, let local = ObjectID(hex: localID) else { continue }   // a deletion: nothing to check
            var base: ObjectID?
            var hidden: [ObjectID] = []
            if remoteID != Self.zero, let known = ObjectID(hex: remoteID), repository.isCommit(known) {
                base = known
            } else {
                hidden = remoteTips   // a new branch (or one we lack): what the remote does not have yet
            }
            // A new branch has no base of its own: it is judged by the remote's default branch.
            let shape = base ?? remoteDefault
            // Its content is compared with where it forked from that branch.
            var fork = base
            if fork == nil, let remoteDefault { fork = try repository.mergeBase(local, remoteDefault) }
            let result = try MergeCheck(location: location).run(base: base, head: local, hiding: hidden, asOf: asOf, shapeFrom: shape,
                                                                baseline: .some(fork))
            results.append(("\(localRef) → \(remoteRef)", result))
        }
        return results
    }

    // MARK: pre-receive (server)

    public enum ReceiveVerdict {
        case accepted(ref: String, result: CheckResult?)
        case rejected(ref: String, reason: String, result: CheckResult?)
    }

    /// Decides each updated ref of a push (`<old id> <new id> <ref>` per line). The protected
    /// branches and the policy come from the repository's default branch as it is before the push
    /// (git updates no ref until every hook passed), so nothing pushed can switch the gate off for
    /// itself. Judged as of the push: `asOf` may move the moment back (tests), never forward.
    public func preReceive(lines: [String], now: Int64 = Int64(Date().timeIntervalSince1970)) throws -> [ReceiveVerdict] {
        let moment = min(asOf, now)
        let engine = HistoryEngine(location: location)
        let policyBranch = ServerSettings.policyBranch(of: repository)
        let policyTip = try repository.referenceCommit(policyBranch)
        // The policy: the policy branch's model before the push. Without one, the default policy,
        // never anything pushed; a repository with no branch at all takes its first push as it is.
        var policyConfig: ModelConfig?
        if let policyTip {
            do { policyConfig = try engine.config(at: policyTip) } catch TMRepoError.modelNotFound {}
        }
        if policyConfig == nil, try repository.references(matching: "refs/heads/*").isEmpty {
            return lines.compactMap { line in
                let parts = line.split(separator: " ")
                return parts.count == 3 ? .accepted(ref: String(parts[2]), result: nil) : nil
            }
        }
        let policy = policyConfig?.policy ?? ModelConfig().policy
        // The policy branch is always protected: whoever rewrites it rewrites the rules.
        let protected = policy.protectedBranches + [policyBranch]
        var verdicts: [ReceiveVerdict] = []
        for line in lines {
            let parts = line.split(separator: " ").map(String.init)
            guard parts.count == 3 else { continue }
            let (oldID, newID, ref) = (parts[0], parts[1], parts[2])
            let old = oldID == Self.zero ? nil : ObjectID(hex: oldID)
            let new = newID == Self.zero ? nil : ObjectID(hex: newID)
            guard Self.isProtected(ref, by: protected) else {
                verdicts.append(.accepted(ref: ref, result: nil))
                continue
            }
            guard let new else {
                verdicts.append(.rejected(ref: ref, reason: "\(ref) is a protected branch (policy.protected_branches); it cannot be deleted", result: nil))
                continue
            }
            // The shape a range is read with: the policy branch's model, else the branch's own before the push.
            var shape = policyConfig != nil ? policyTip : nil
            if shape == nil, let old {
                do { _ = try engine.config(at: old); shape = old } catch TMRepoError.modelNotFound {}
            }
            let result: CheckResult
            if let old {
                if !policy.allowForcePush, new != old, try !repository.isDescendant(new, of: old) {
                    verdicts.append(.rejected(ref: ref, reason: "\(ref) is a protected branch: a push that is not a fast-forward would rewrite reviewed history (policy.allow_force_push is false)", result: nil))
                    continue
                }
                result = try MergeCheck(location: location).run(base: old, head: new, asOf: moment, shapeFrom: shape, fallbackShape: ModelConfig())
            } else {
                // A new protected branch: checked for every commit no protected branch holds yet, its
                // content compared with where it forked from the policy branch (nothing, for an
                // unrelated history: then everything in it needs a review).
                let guarded = try repository.references(matching: "refs/heads/*").filter { Self.isProtected($0.name, by: protected) }.map(\.commit)
                let fork = try policyTip.flatMap { try repository.mergeBase(new, $0) }
                result = try MergeCheck(location: location).run(base: nil, head: new, hiding: guarded, asOf: moment, shapeFrom: shape,
                                                                baseline: .some(fork), fallbackShape: ModelConfig())
            }
            verdicts.append(result.passed ? .accepted(ref: ref, result: result)
                                          : .rejected(ref: ref, reason: "\(ref): unreviewed threat-model changes", result: result))
        }
        return verdicts
    }

    /// Whether a ref is one of the protected branches (names or globs, with or without refs/heads/).
    static func isProtected(_ ref: String, by patterns: [String]) -> Bool {
        let branch = ref.hasPrefix("refs/heads/") ? String(ref.dropFirst("refs/heads/".count)) : ref
        return patterns.contains { pattern in
            let name = pattern.hasPrefix("refs/heads/") ? String(pattern.dropFirst("refs/heads/".count)) : pattern
            return name == branch || (Glob(name).hasWildcards && Glob(name).matches(branch))
        }
    }
}
