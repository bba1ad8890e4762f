import CLibgit2

/// What a tree entry holds.
public enum EntryKind: Sendable, Equatable {
    /// A regular (or executable) file.
    case blob
    case tree
    /// A gitlink: a submodule's commit.
    case submodule
    /// A symbolic link: a blob holding the target path, never a file to read as content.
    case symlink
}

/// A file (or submodule) found under a tree, with its path from the walk's base.
public struct TreeFile: Sendable, Equatable {
    public let path: String
    public let id: ObjectID
    public let kind: EntryKind

    public init(path: String, id: ObjectID, kind: EntryKind) {
        self.path = path
        self.id = id
        self.kind = kind
    }
}

/// One path that differs between two trees. A nil side means the path is absent there.
public struct TreeChange: Sendable, Equatable {
    public let path: String
    public let oldID: ObjectID?
    public let newID: ObjectID?
    public var oldKind: EntryKind? = nil
    public var newKind: EntryKind? = nil
}

/// A loaded tree; the handle is freed when this object goes away.
final class TreeHandle {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { git_tree_free(pointer) }
}

private func kind(of entry: OpaquePointer) -> EntryKind? {
    switch git_tree_entry_type(entry) {
    case GIT_OBJECT_BLOB: return git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK ? .symlink : .blob
    case GIT_OBJECT_TREE: return .tree
    case GIT_OBJECT_COMMIT: return .submodule
    default: return nil
    }
}

extension Repository {
    func loadTree(_ id: ObjectID) throws -> TreeHandle {
        var oid = id.raw
        var pointer: OpaquePointer?
        try check(git_tree_lookup(&pointer, handle, &oid), "read tree \(id)")
        return TreeHandle(pointer!)
    }

    /// The id of the entry at `path` ("a/b/c") under `tree`; nil when there is none.
    /// An empty path names the tree itself.
    public func entryID(in tree: ObjectID, path: String) throws -> (id: ObjectID, kind: EntryKind)? {
        if path.isEmpty { return (tree, .tree) }
        let root = try loadTree(tree)
        var entry: OpaquePointer?
        let result = git_tree_entry_bypath(&entry, root.pointer, path)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "look up '\(path)' in tree \(tree)")
        defer { git_tree_entry_free(entry) }
        guard let found = kind(of: entry!) else { return nil }
        return (ObjectID(git_tree_entry_id(entry)!), found)
    }

    /// Every file (blob, symbolic link or submodule) under `tree`, recursively, paths prefixed
    /// with `base`; with `includingFolders`, each folder too (before what it holds).
    public func files(in tree: ObjectID, base: String = "", includingFolders: Bool = false) throws -> [TreeFile] {
        try files(in: tree, base: base, includingFolders: includingFolders, entering: { _ in true }, keeping: { _ in true })
    }

    /// The files under `tree` whose name `keeping` accepts, not looking inside folders whose name
    /// `entering` refuses: a search for a few kinds of file (templates) lists only what it wants,
    /// and reads no tree below a folder it skips.
    public func files(in tree: ObjectID, base: String = "", entering: (String) -> Bool, keeping: (String) -> Bool) throws -> [TreeFile] {
        try files(in: tree, base: base, includingFolders: false, entering: entering, keeping: keeping)
    }

    private func files(in tree: ObjectID, base: String, includingFolders: Bool,
                       entering: (String) -> Bool, keeping: (String) -> Bool) throws -> [TreeFile] {
        // Depth first in git's order, each folder before what it holds; a stack, not recursion,
        // so that a hostile history's deeply nested trees cannot exhaust the thread's stack.
        var out: [TreeFile] = []
        var pending: [(tree: RawTree, next: Int, prefix: String)] = [(try rawTree(tree), 0, base)]
        while let (tree, next, prefix) = pending.popLast() {
            guard next < tree.count else { continue }
            pending.append((tree, next + 1, prefix))
            let name = tree.name(next)
            switch tree.kind(next) {
            case .tree:
                guard entering(name) else { continue }
                let path = prefix + name
                if includingFolders { out.append(TreeFile(path: path, id: tree.id(next), kind: .tree)) }
                pending.append((try rawTree(tree.id(next)), 0, path + "/"))
            case let kind:
                if keeping(name) { out.append(TreeFile(path: prefix + name, id: tree.id(next), kind: kind)) }
            }
        }
        return out
    }

    /// The files that differ between two trees (nil = empty tree). Equal subtrees are never
    /// opened, and within two versions of one tree only the entries between their common byte
    /// prefix and suffix are compared (see `RawTree`).
    public func changes(from old: ObjectID?, to new: ObjectID?, base: String = "") throws -> [TreeChange] {
        if old == new { return [] }
        var out: [TreeChange] = []
        let oldTree = try old.map { try rawTree($0) }
        try diffEntries(old: oldTree, new: try new.map { try rawTree($0, base: oldTree) }, prefix: base, into: &out)
        return out
    }

    /// The tree `id`, from the cache when there. `base`: an earlier version of it, whose entry
    /// boundaries it likely shares; `path`: its folder's path, a key to the tree last used there.
    func rawTree(_ id: ObjectID, base: RawTree? = nil, path: String? = nil) throws -> RawTree {
        if let cached = rawTrees.get(id, at: path) { return cached }
        if let (kind, bytes) = packedObjects?.read(id) {
            guard kind == .tree else { throw GitError(code: .other(-1), operation: "read tree \(id)", message: "the object is not a tree") }
            let tree = try RawTree(buffer: bytes, id: id, base: base)
            rawTrees.put(id, tree, at: path)
            return tree
        }
        let object = try odbObject(id, operation: "read tree \(id)")
        guard git_odb_object_type(object) == GIT_OBJECT_TREE else {
            git_odb_object_free(object)
            throw GitError(code: .other(-1), operation: "read tree \(id)", message: "the object is not a tree")
        }
        let tree = try RawTree(object: object, id: id, base: base)
        rawTrees.put(id, tree, at: path)
        return tree
    }

    func diffEntries(old: RawTree?, new: RawTree?, prefix: String, into out: inout [TreeChange]) throws {
        for (i, j) in Self.differingEntries(old, new) {
            try changed(old, i ?? 0, new, j ?? 0, oldPresent: i != nil, newPresent: j != nil, prefix: prefix, into: &out)
        }
    }

    /// Index pairs of entries that differ between two trees (nil: absent on that side), found by
    /// a merge join over the window between their common byte prefix and suffix.
    static func differingEntries(_ old: RawTree?, _ new: RawTree?) -> [(Int?, Int?)] {
        var oldRange = 0..<(old?.count ?? 0)
        var newRange = 0..<(new?.count ?? 0)
        if let old, let new { (oldRange, newRange) = RawTree.differingWindow(old, new) }
        var out: [(Int?, Int?)] = []
        var i = oldRange.lowerBound, j = newRange.lowerBound
        while i < oldRange.upperBound || j < newRange.upperBound {
            let order: Int
            if i < oldRange.upperBound && j < newRange.upperBound {
                order = old!.compare(i, with: new!, j)
            } else {
                order = i < oldRange.upperBound ? -1 : 1
            }
            if order == 0 {
                if !old!.sameEntry(i, as: new!, j) { out.append((i, j)) }
                i += 1; j += 1
            } else if order < 0 {
                out.append((i, nil))
                i += 1
            } else {
                out.append((nil, j))
                j += 1
            }
        }
        return out
    }

    private func changed(_ old: RawTree?, _ i: Int, _ new: RawTree?, _ j: Int, oldPresent: Bool, newPresent: Bool,
                         prefix: String, into out: inout [TreeChange]) throws {
        let old = oldPresent ? old : nil, new = newPresent ? new : nil
        let path = prefix + (old?.name(i) ?? new!.name(j))
        let oldKind = old?.kind(i), newKind = new?.kind(j)
        let oldID = old?.id(i), newID = new?.id(j)
        if oldKind == .tree || newKind == .tree {
            if oldID == newID { return }
            // A name sorts differently as a tree and as a file, so a tree pairs with a tree or nothing.
            let oldTree = oldKind == .tree ? try rawTree(oldID!, path: path) : nil
            try diffEntries(old: oldTree, new: newKind == .tree ? try rawTree(newID!, base: oldTree, path: path) : nil, prefix: path + "/", into: &out)
        } else if oldID != newID || oldKind != newKind {
            out.append(TreeChange(path: path, oldID: oldID, newID: newID, oldKind: oldKind, newKind: newKind))
        }
    }
}

/// The parts of a tree a diff should look at: folders whose every change is wanted
/// (`detail`), and folders or files for which "something below changed" is enough (`summary`,
/// reported once as the folder's own path). Everything else is skipped unread.
public final class PathFilter: @unchecked Sendable {
    final class Node {
        var children: [String: Node] = [:]
        var detail = false
        var summary = false
    }

    let root = Node()
    /// A stable text naming the filter, so cached results can tell which filter made them.
    public let signature: String

    public init(detail: [String], summary: [String]) {
        signature = "detail:" + Set(detail).sorted().joined(separator: "\u{1}") + "\u{2}summary:" + Set(summary).sorted().joined(separator: "\u{1}")
        for path in detail { insert(path).detail = true }
        for path in summary { insert(path).summary = true }
    }

    private func insert(_ path: String) -> Node {
        var node = root
        for part in path.split(separator: "/") where !part.isEmpty {
            let key = String(part)
            if let next = node.children[key] {
                node = next
            } else {
                let next = Node()
                node.children[key] = next
                node = next
            }
        }
        return node
    }

    /// True when the whole tree is wanted in detail (a folder of "" was given).
    var coversEverything: Bool { root.detail }
}

extension Repository {
    /// Like `changes(from:to:)`, limited to `filter`: detailed changes inside its detail folders,
    /// and one entry (the folder's or file's own path, old/new ids of that entry) for each summary
    /// path under which anything changed. Subtrees outside the filter are never read.
    public func changes(from old: ObjectID?, to new: ObjectID?, within filter: PathFilter) throws -> [TreeChange] {
        if old == new { return [] }
        if filter.coversEverything { return try changes(from: old, to: new) }
        // A summary of the root ("" given): the tree changed, reported once as the path "".
        var out: [TreeChange] = filter.root.summary ? [TreeChange(path: "", oldID: old, newID: new)] : []
        let oldTree = try old.map { try rawTree($0, path: "") }
        try filtered(oldTree, try new.map { try rawTree($0, base: oldTree, path: "") }, prefix: "", node: filter.root, into: &out)
        return out
    }

    private func filtered(_ old: RawTree?, _ new: RawTree?, prefix: String, node: PathFilter.Node, into out: inout [TreeChange]) throws {
        // Only entries that differ are looked at, and only those the filter names are followed.
        for (i, j) in Self.differingEntries(old, new) {
            let name = i.map { old!.name($0) } ?? new!.name(j!)
            guard let child = node.children[name] else { continue }
            let oldID = i.map { old!.id($0) }, newID = j.map { new!.id($0) }
            let path = prefix + name
            let oldTree = i.map { old!.kind($0) == .tree } ?? false
            let newTree = j.map { new!.kind($0) == .tree } ?? false
            if child.summary {
                out.append(TreeChange(path: path, oldID: oldID, newID: newID))
            }
            if child.detail {
                let oldRaw = oldTree ? try rawTree(oldID!, path: path) : nil
                try diffEntries(old: oldRaw, new: newTree ? try rawTree(newID!, base: oldRaw, path: path) : nil, prefix: path + "/", into: &out)
                if !oldTree, let oldID {
                    out.append(TreeChange(path: path, oldID: oldID, newID: newTree ? nil : newID,
                                          oldKind: old!.kind(i!), newKind: newTree ? nil : j.map { new!.kind($0) }))
                } else if !newTree, let newID {
                    out.append(TreeChange(path: path, oldID: nil, newID: newID, oldKind: nil, newKind: new!.kind(j!)))
                }
            } else if !child.children.isEmpty && (oldTree || newTree) {
                let oldRaw = oldTree ? try rawTree(oldID!, path: path) : nil
                try filtered(oldRaw, newTree ? try rawTree(newID!, base: oldRaw, path: path) : nil, prefix: path + "/", node: child, into: &out)
            }
        }
    }
}
