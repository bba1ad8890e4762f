import Foundation
import TMGit
import ThreatModel

/// What a range changed, decided on content: each threat and model file whose version at head
/// differs from the one at the baseline (the base, or for a new protected branch the policy
/// branch), with the range's reviews that saw exactly the version at head and the commits that
/// wrote it. Comparing contents, not walking diffs, is what makes a merge that takes an old
/// version, an orphan merge or a reordered history visible.
struct RangeSubjects {
    let repository: Repository
    /// The model root inside the repository ("" or "a/b/").
    let prefix: String
    /// The shape every version is read with (the base's configuration).
    let config: ModelConfig
    /// The model files outside the threats folder whose changes need a review of their own.
    static let modelFiles = [ModelConfig.fileName, InventoryParser.elementsFile, InventoryParser.assetsFile]

    /// Parses a threat file by blob id: the history engine's memo, which already holds most blobs.
    let parse: (_ blob: ObjectID, _ path: String) throws -> ParsedThreatFile

    /// Per threat id (`ThreatID.key`): its id as written and the digests of the files holding it.
    typealias Versions = [String: (id: String, path: String, digests: [MaterialDigest])]

    func subjects(baseline: ObjectID?, head: ObjectID, headModel: Model, range: [ObjectID], revisions: [Revision]) throws -> [GateSubject] {
        let unreadable = Set(headModel.unreadable.map(\.path))
        var subjects: [GateSubject] = []
        let before = try baseline.map { try versions(at: $0) } ?? [:]
        let after = try versions(at: head)
        let byID = Dictionary(grouping: revisions.flatMap { revision in revision.threatChanges.map { (revision, $0) } }) { ThreatID.key($0.1.id) }
        var memo: [ObjectID: Versions] = [:]
        for key in Set(before.keys).union(after.keys).sorted(by: Model.idOrder) {
            let old = before[key], new = after[key]
            guard old?.digests != new?.digests else { continue }
            // A file that cannot be read is its own finding (unreadable-threat); its threat is not "retired".
            if new == nil, let path = old?.path, unreadable.contains(path) { continue }
            let id = new?.id ?? old!.id
            let what = old == nil ? "added" : new == nil ? "retired" : "changed"
            let reviews = try revisions.filter { revision in
                let names = revision.reviewedIDs.contains { ThreatID.key($0) == key }
                    || (byID[key] ?? []).contains { $0.0.id == revision.id && $0.1.new?.reviewed != nil && $0.1.new?.reviewed != $0.1.old?.reviewed }
                guard names, let commit = ObjectID(hex: revision.id) else { return false }
                if memo[commit] == nil { memo[commit] = try versions(at: commit) }
                return memo[commit]![key]?.digests == new?.digests
            }
            // Who wrote the version at head: a change to it (recording a review is none).
            let authors = (byID[key] ?? []).filter { _, change in
                guard let written = change.new else { return new == nil }
                return new?.digests.contains(written.materialDigest) == true && change.old?.materialDigest != written.materialDigest
            }.map(\.0)
            let path = new?.path ?? old?.path
            let line = headModel.threat(id: id).map { $0.location(of: "id").line } ?? 0
            let fix = what == "retired"
                ? "commit a review of the retirement: git commit --allow-empty -m \"Review \(id) retirement\" -m \"Reviewed-threat: \(id)\""
                : "tmrepo review \(id) --commit"
            subjects.append(GateSubject(kind: .threat(id: id), path: path, line: line, what: what, reviews: reviews,
                                        authors: uniqued(authors), fix: fix))
        }
        subjects += try modelFileSubjects(baseline: baseline, head: head, range: range)
        subjects += try catalogSubjects(baseline: baseline, head: head, range: range)
        return subjects
    }

    private func uniqued(_ revisions: [Revision]) -> [Revision] {
        var seen = Set<String>()
        return revisions.filter { seen.insert($0.id).inserted }
    }

    /// Every threat at a commit, read with the baseline's shape.
    func versions(at commit: ObjectID) throws -> Versions {
        let source = TreeSource(repository: repository, tree: try repository.commit(commit).tree, prefix: prefix,
                                name: "commit \(commit.hex.prefix(12))")
        var out: Versions = [:]
        for entry in try ModelReader(source: source).threatEntries(config: config).files {
            guard let blob = entry.object else { continue }
            let file = try parse(blob, entry.path)
            guard let threat = file.threat else { continue }
            let key = ThreatID.key(threat.id)
            if let known = out[key] {
                out[key] = (known.id, known.path, (known.digests + [file.materialDigest]).sorted { ($0.high, $0.low) < ($1.high, $1.low) })
            } else {
                out[key] = (threat.id, entry.path, [file.materialDigest])
            }
        }
        return out
    }

    /// `.tmrepo.yml`, `elements.yml` and `assets.yml`: each whose content at head differs from the
    /// baseline's needs a commit of the range with `Reviewed-config: <file>` whose tree holds
    /// exactly that content.
    private func modelFileSubjects(baseline: ObjectID?, head: ObjectID, range: [ObjectID]) throws -> [GateSubject] {
        func entry(_ commit: ObjectID, _ file: String) throws -> (id: ObjectID, kind: EntryKind)? {
            try repository.entryID(in: try repository.commit(commit).tree, path: prefix + file)
        }
        var changed: [(file: String, version: (id: ObjectID, kind: EntryKind)?)] = []
        for file in Self.modelFiles {
            let old = try baseline.flatMap { try entry($0, file) }, new = try entry(head, file)
            if old?.id != new?.id || old?.kind != new?.kind { changed.append((file, new)) }
        }
        guard !changed.isEmpty else { return [] }
        var subjects: [GateSubject] = []
        let commits = try range.map { try repository.commit($0) }
        for (file, version) in changed {
            var reviews: [Revision] = [], authors: [Revision] = []
            for commit in commits {
                let mine = try repository.entryID(in: commit.tree, path: prefix + file)
                guard mine?.id == version?.id && mine?.kind == version?.kind else { continue }
                let revision = Self.revision(commit)
                let trailers = try messageTrailers(commit.message).filter { $0.key.caseInsensitiveCompare(MergeCheck.configTrailer) == .orderedSame }
                if trailers.contains(where: { Self.names($0.value, file: file, prefix: prefix) }) { reviews.append(revision) }
                // Wrote this version: no parent has it (a root commit always does).
                var inherited = false
                for parent in commit.parents {
                    let theirs = try repository.entryID(in: try repository.commit(parent).tree, path: prefix + file)
                    if theirs?.id == mine?.id && theirs?.kind == mine?.kind { inherited = true }
                }
                if !inherited { authors.append(revision) }
            }
            let what = version == nil ? "removed" : "changed"
            subjects.append(GateSubject(kind: .modelFile(path: file), path: file, line: 0, what: what, reviews: reviews, authors: authors,
                                        fix: "tmrepo review --config --commit   (or: git commit --allow-empty -m \"Review \(file)\" -m \"\(MergeCheck.configTrailer): \(file)\")"))
        }
        return subjects
    }

    static func revision(_ commit: CommitInfo) -> Revision {
        Revision(id: commit.id.hex, time: commit.committer.time, offsetMinutes: commit.committer.offsetMinutes,
                 author: Identity(name: commit.author.name, email: commit.author.email),
                 committer: Identity(name: commit.committer.name, email: commit.committer.email),
                 reviewedIDs: [], threatChanges: [])
    }

    /// A `Reviewed-config:` value names a model file by its name or its repository path.
    static func names(_ value: String, file: String, prefix: String) -> Bool {
        let named = value.trimmingCharacters(in: .whitespaces)
        return named == file || named == prefix + file
    }
}
