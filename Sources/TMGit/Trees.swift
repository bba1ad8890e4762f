import CLibgit2

/// What a tree entry holds.
public enum EntryKind: Sendable, Equatable {
    case blob
    case tree
    /// A gitlink: a submodule's commit.
    case submodule
}

/// A file (or submodule) found under a tree, with its path from the walk's base.
public struct TreeFile: Sendable, Equatable {
    public let path: String
    public let id: ObjectID
    public let kind: EntryKind
}

/// One path that differs between two trees. A nil side means the path is absent there.
public struct TreeChange: Sendable, Equatable {
    public let path: String
    public let oldID: ObjectID?
    public let newID: ObjectID?
}

/// A loaded tree; the handle is freed when this object goes away.
final class TreeHandle {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { git_tree_free(pointer) }

    var count: Int { git_tree_entrycount(pointer) }

    func entry(at index: Int) -> OpaquePointer { git_tree_entry_byindex(pointer, index)! }
}

private func kind(of entry: OpaquePointer) -> EntryKind? {
    switch git_tree_entry_type(entry) {
    case GIT_OBJECT_BLOB: return .blob
    case GIT_OBJECT_TREE: return .tree
    case GIT_OBJECT_COMMIT: return .submodule
    default: return nil
    }
}

/// Git's tree order: bytewise by name, where a subtree's name sorts as if it ended with '/'.
private func compareEntries(_ lhs: OpaquePointer, _ rhs: OpaquePointer) -> Int {
    var left = git_tree_entry_name(lhs)!
    var right = git_tree_entry_name(rhs)!
    while left.pointee != 0 && left.pointee == right.pointee {
        left += 1
        right += 1
    }
    let slash = UInt8(ascii: "/")
    let l = left.pointee != 0 ? UInt8(bitPattern: left.pointee) : (git_tree_entry_type(lhs) == GIT_OBJECT_TREE ? slash : 0)
    let r = right.pointee != 0 ? UInt8(bitPattern: right.pointee) : (git_tree_entry_type(rhs) == GIT_OBJECT_TREE ? slash : 0)
    if l == r { return 0 }
    return l < r ? -1 : 1
}

private func sameID(_ lhs: OpaquePointer, _ rhs: OpaquePointer) -> Bool {
    git_oid_equal(git_tree_entry_id(lhs), git_tree_entry_id(rhs)) == 1
}

private func entryName(_ entry: OpaquePointer) -> String {
    String(cString: git_tree_entry_name(entry))
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

    /// Every file (blob or submodule) under `tree`, recursively, paths prefixed with `base`.
    public func files(in tree: ObjectID, base: String = "") throws -> [TreeFile] {
        var out: [TreeFile] = []
        try collect(try loadTree(tree), prefix: base, into: &out)
        return out
    }

    private func collect(_ tree: TreeHandle, prefix: String, into out: inout [TreeFile]) throws {
        for index in 0..<tree.count {
            let entry = tree.entry(at: index)
            guard let entryKind = kind(of: entry) else { continue }
            let path = prefix + entryName(entry)
            let id = ObjectID(git_tree_entry_id(entry)!)
            if entryKind == .tree {
                try collect(try loadTree(id), prefix: path + "/", into: &out)
            } else {
                out.append(TreeFile(path: path, id: id, kind: entryKind))
            }
        }
    }

    /// The files that differ between two trees (nil = empty tree), found by walking both in
    /// git's sorted order side by side and descending only into subtrees whose ids differ;
    /// far cheaper than a full diff because equal subtrees are never opened.
    public func changes(from old: ObjectID?, to new: ObjectID?, base: String = "") throws -> [TreeChange] {
        if old == new { return [] }
        var out: [TreeChange] = []
        let oldTree = try old.map(loadTree)
        let newTree = try new.map(loadTree)
        try mergeJoin(oldTree, newTree, prefix: base, into: &out)
        return out
    }

    private func mergeJoin(_ old: TreeHandle?, _ new: TreeHandle?, prefix: String, into out: inout [TreeChange]) throws {
        let oldCount = old?.count ?? 0
        let newCount = new?.count ?? 0
        var i = 0, j = 0
        while i < oldCount || j < newCount {
            let o = i < oldCount ? old!.entry(at: i) : nil
            let n = j < newCount ? new!.entry(at: j) : nil
            let order: Int
            if let o, let n { order = compareEntries(o, n) } else { order = o == nil ? 1 : -1 }
            if order == 0 {
                i += 1; j += 1
                if sameID(o!, n!) { continue }
                try entryChanged(old: o, new: n, prefix: prefix, into: &out)
            } else if order < 0 {
                i += 1
                try entryChanged(old: o, new: nil, prefix: prefix, into: &out)
            } else {
                j += 1
                try entryChanged(old: nil, new: n, prefix: prefix, into: &out)
            }
        }
    }

    private func entryChanged(old: OpaquePointer?, new: OpaquePointer?, prefix: String, into out: inout [TreeChange]) throws {
        let path = prefix + entryName((old ?? new)!)
        let oldKind = old.flatMap(kind(of:)), newKind = new.flatMap(kind(of:))
        let oldID = old.map { ObjectID(git_tree_entry_id($0)!) }
        let newID = new.map { ObjectID(git_tree_entry_id($0)!) }
        if oldKind == .tree || newKind == .tree {
            // Same name on both sides always has the same kind here (git's order separates
            // a file `x` from a folder `x/`), so a tree pairs only with a tree or nothing.
            let oldTree = oldKind == .tree ? try loadTree(oldID!) : nil
            let newTree = newKind == .tree ? try loadTree(newID!) : nil
            try mergeJoin(oldTree, newTree, prefix: path + "/", into: &out)
        } else if oldKind != nil || newKind != nil {
            out.append(TreeChange(path: path, oldID: oldKind == nil ? nil : oldID, newID: newKind == nil ? nil : newID))
        }
    }
}
