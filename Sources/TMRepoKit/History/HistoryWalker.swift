import Foundation
import TMGit
import ThreatModel

/// Computes commit records by walking git history with libgit2: one revwalk, and per commit a
/// side-by-side walk of its tree and its parents' trees that opens only subtrees whose ids differ.
struct HistoryWalker {
    let repository: Repository
    /// The threats folder, repository-relative, with a trailing slash (e.g. "threats/" or "svc/model/threats/").
    let threatsFolder: String
    /// The model root, repository-relative ("" or with a trailing slash).
    let modelPrefix: String

    /// Records for the commits reachable from `head` and not from `known`, parents first.
    /// `rootTreeOf` supplies root trees of already-known parents (from the cache).
    func records(head: ObjectID, hiding known: [ObjectID], rootTreeOf knownTrees: [ObjectID: ObjectID]) throws -> [CommitRecord] {
        var rootTree = knownTrees
        var out: [CommitRecord] = []
        try repository.walk(from: [head], hiding: known) { commit in
            rootTree[commit.id] = commit.tree
            var parentTrees: [ObjectID] = []
            for parent in commit.parents {
                if let tree = rootTree[parent] {
                    parentTrees.append(tree)
                } else {
                    let tree = try repository.commit(parent).tree
                    rootTree[parent] = tree
                    parentTrees.append(tree)
                }
            }
            let changes = try changedFiles(tree: commit.tree, parentTrees: parentTrees)
            var threatFiles: [FileDelta] = []
            var paths: [String] = []
            paths.reserveCapacity(changes.count)
            for change in changes {
                paths.append(change.path)
                if change.path.hasPrefix(threatsFolder) {
                    let inside = String(change.path.dropFirst(threatsFolder.count))
                    if ModelStore.isThreatFile(inside) {
                        threatFiles.append(FileDelta(path: String(change.path.dropFirst(modelPrefix.count)), old: change.oldID, new: change.newID))
                    }
                }
            }
            out.append(CommitRecord(
                id: commit.id, parents: commit.parents, rootTree: commit.tree, time: commit.committer.time,
                offsetMinutes: commit.committer.offsetMinutes,
                author: Identity(name: commit.author.name, email: commit.author.email),
                committer: Identity(name: commit.committer.name, email: commit.committer.email),
                reviewedIDs: try Self.reviewedIDs(in: commit.message), threatFiles: threatFiles, changedPaths: paths))
        }
        return out
    }

    /// Files that differ from the first parent; for a merge, those that differ from every parent
    /// (what git's default history simplification shows for a merge).
    private func changedFiles(tree: ObjectID, parentTrees: [ObjectID]) throws -> [TreeChange] {
        guard let first = parentTrees.first else { return try repository.changes(from: nil, to: tree) }
        if parentTrees.count == 1 { return try repository.changes(from: first, to: tree) }
        if parentTrees.contains(tree) { return [] }
        var common = try repository.changes(from: first, to: tree)
        for other in parentTrees.dropFirst() where !common.isEmpty {
            let changed = Set(try repository.changes(from: other, to: tree).map(\.path))
            common = common.filter { changed.contains($0.path) }
        }
        return common
    }

    /// Ids from `Reviewed-threat:` trailers, parsed the way git parses trailers. A cheap
    /// substring test first: most commits have no such trailer.
    static func reviewedIDs(in message: String) throws -> [String] {
        guard message.range(of: "reviewed-threat", options: .caseInsensitive) != nil else { return [] }
        var ids: [String] = []
        for trailer in try messageTrailers(message) where trailer.key.caseInsensitiveCompare("Reviewed-threat") == .orderedSame {
            for part in trailer.value.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }) where !part.isEmpty {
                ids.append(String(part))
            }
        }
        return ids
    }
}
