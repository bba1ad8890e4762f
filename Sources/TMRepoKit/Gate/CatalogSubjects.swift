import Foundation
import TMGit
import ThreatModel

/// The gate and the catalog: each catalog file (shared mitigation, assumption) whose content at
/// head differs from the baseline's needs a review in the range that saw exactly that content: a
/// commit holding it with the trailer `Reviewed-mitigation: MIT-…` / `Reviewed-assumption: ASM-…`
/// (or `Reviewed-config: <path>`). Judged like a model file (rule unreviewed-model-file-change).
extension RangeSubjects {
    func catalogSubjects(baseline: ObjectID?, head: ObjectID, range: [ObjectID]) throws -> [GateSubject] {
        func files(_ commit: ObjectID) throws -> [String: (kind: CatalogKind, blob: ObjectID?, entry: EntryKind)] {
            let source = TreeSource(repository: repository, tree: try repository.commit(commit).tree, prefix: prefix,
                                    name: "commit \(commit.hex.prefix(12))")
            var out: [String: (kind: CatalogKind, blob: ObjectID?, entry: EntryKind)] = [:]
            for kind in CatalogKind.allCases {
                let folder = config.directory(for: kind)
                for entry in try source.entries(under: folder) where entry.kind != .folder {
                    let inside = String(entry.path.dropFirst(folder.count))
                    guard ModelStore.isThreatFile(inside) || (entry.kind != .file && !ModelStore.isHidden(inside)) else { continue }
                    let found = try repository.entryID(in: try repository.commit(commit).tree, path: prefix + entry.path)
                    out[entry.path] = (kind, found?.id, found?.kind ?? .blob)
                }
            }
            return out
        }
        let before = try baseline.map(files) ?? [:]
        let after = try files(head)
        let changed = Set(before.keys).union(after.keys).sorted().filter { path in
            before[path]?.blob != after[path]?.blob || before[path]?.entry != after[path]?.entry
        }
        guard !changed.isEmpty else { return [] }
        let commits = try range.map { try repository.commit($0) }
        var subjects: [GateSubject] = []
        for path in changed {
            let kind = (after[path] ?? before[path])!.kind
            let version = after[path]
            // The id the file holds (at head, else at the baseline), else the one its name starts with.
            var id = ThreatParser.idInFileName(ThreatID.key(path.split(separator: "/").last.map(String.init) ?? path), prefix: kind.idPrefix) ?? path
            var line = 0
            if let blob = version?.blob ?? before[path]?.blob, (version ?? before[path])?.entry == .blob {
                let parsed = CatalogParser.parse(path: path, bytes: try repository.blob(blob), kind: kind)
                if let found = parsed.id { id = found }
                line = parsed.mitigation?.location(of: "id").line ?? parsed.assumption?.location(of: "id").line ?? 0
            }
            var reviews: [Revision] = [], authors: [Revision] = []
            for commit in commits {
                let mine = try repository.entryID(in: commit.tree, path: prefix + path)
                guard mine?.id == version?.blob && (mine == nil || mine?.kind == version?.entry) else { continue }
                let revision = Self.revision(commit)
                let named = try messageTrailers(commit.message).contains { trailer in
                    if trailer.key.caseInsensitiveCompare(kind.trailer) == .orderedSame {
                        return trailer.value.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).contains { ThreatID.same(String($0), id) }
                    }
                    return trailer.key.caseInsensitiveCompare(MergeCheck.configTrailer) == .orderedSame && Self.names(trailer.value, file: path, prefix: prefix)
                }
                if named { reviews.append(revision) }
                var inherited = false
                for parent in commit.parents {
                    let theirs = try repository.entryID(in: try repository.commit(parent).tree, path: prefix + path)
                    if theirs?.id == mine?.id && theirs?.kind == mine?.kind { inherited = true }
                }
                if !inherited { authors.append(revision) }
            }
            let what = version == nil ? "removed" : before[path] == nil ? "added" : "changed"
            subjects.append(GateSubject(kind: .modelFile(path: path), path: path, line: line, what: what, reviews: reviews, authors: authors,
                                        fix: "git commit --allow-empty -m \"Review \(id)\" -m \"\(kind.trailer): \(id)\""))
        }
        return subjects
    }
}
