import TMGit
import ThreatModel

/// Ids that threat files have ever had in git history, so `new` never hands out a retired id.
public enum HistoryIDs {
    /// Every id found in threat file names across history reachable from HEAD; empty outside git
    /// or before the first commit (the work tree's files are counted separately).
    public static func everSeen(store: ModelStore, config: ModelConfig) throws -> Set<String> {
        guard let repository = try? Repository.discover(from: store.root), let workdir = repository.workingDirectory,
              let head = try repository.headCommit() else { return [] }
        if repository.isShallow { throw TMRepoError.shallowClone(workdir) }
        let folder = relativePath(of: store.root, inside: workdir) + config.threatsDirectory
        let threatsPath = String(folder.dropLast())
        var ids = Set<String>()
        var threatsTree: [ObjectID: ObjectID?] = [:]
        do {
            try repository.walk(from: [head]) { commit in
                let entry = try repository.entryID(in: commit.tree, path: threatsPath)
                let tree = entry?.kind == .tree ? entry?.id : nil
                threatsTree[commit.id] = tree
                // A name enters history where a commit adds it relative to a parent.
                let parentTrees = commit.parents.isEmpty ? [nil] : commit.parents.map { threatsTree[$0] ?? nil }
                for parentTree in Set(parentTrees) where parentTree != tree {
                    for change in try repository.changes(from: parentTree, to: tree) where change.newID != nil {
                        let name = String(change.path.split(separator: "/").last ?? "")
                        if let id = ThreatParser.idInFileName(name, prefix: config.idPrefix) { ids.insert(id) }
                    }
                }
            }
        } catch let error as GitError {
            throw TMRepoError.from(error)
        }
        return ids
    }

    /// `path` relative to the folder `base` (both absolute), with a trailing slash; "" when equal.
    static func relativePath(of path: String, inside base: String) -> String {
        let base = base.hasSuffix("/") ? base : base + "/"
        let path = path.hasSuffix("/") ? path : path + "/"
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : ""
    }
}
