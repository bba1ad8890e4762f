import CLibgit2

extension Repository {
    /// The commit a reference (full name like refs/heads/main, or a short name git would accept)
    /// points at; nil when there is no such reference.
    public func referenceCommit(_ name: String) throws -> ObjectID? {
        var reference: OpaquePointer?
        let result = git_reference_dwim(&reference, handle, name)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "look up reference '\(name)'")
        defer { git_reference_free(reference) }
        var peeled: OpaquePointer?
        guard git_reference_peel(&peeled, reference, GIT_OBJECT_COMMIT) == 0 else { return nil }
        defer { git_object_free(peeled) }
        return ObjectID(git_object_id(peeled)!)
    }

    /// The upstream branch of a local branch (full name), e.g. refs/remotes/origin/main.
    public func upstream(of branch: String) -> String? {
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        guard git_branch_upstream_name(&buffer, handle, branch) == 0, let pointer = buffer.ptr else { return nil }
        return String(cString: pointer)
    }

    /// Every reference whose name matches a glob (e.g. refs/remotes/origin/*), with the commit
    /// it points at (references to non-commits are skipped).
    public func references(matching glob: String) throws -> [(name: String, commit: ObjectID)] {
        var iterator: OpaquePointer?
        try check(git_reference_iterator_glob_new(&iterator, handle, glob), "list references matching \(glob)")
        defer { git_reference_iterator_free(iterator) }
        var out: [(String, ObjectID)] = []
        var reference: OpaquePointer?
        while git_reference_next(&reference, iterator) == 0 {
            defer { git_reference_free(reference) }
            let name = String(cString: git_reference_name(reference))
            var peeled: OpaquePointer?
            if git_reference_peel(&peeled, reference, GIT_OBJECT_COMMIT) == 0 {
                out.append((name, ObjectID(git_object_id(peeled)!)))
                git_object_free(peeled)
            }
        }
        return out
    }

    /// The ids of the commits reachable from `tip` and not from any of `hidden`, parents first
    /// (exactly so, whatever the commit dates say).
    public func commitIDs(from tip: ObjectID, hiding hidden: [ObjectID]) throws -> [ObjectID] {
        var walker: OpaquePointer?
        try check(git_revwalk_new(&walker, handle), "start a history walk")
        defer { git_revwalk_free(walker) }
        try check(git_revwalk_sorting(walker, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_REVERSE.rawValue), "sort the history walk")
        var start = tip.raw
        try check(git_revwalk_push(walker, &start), "walk from commit \(tip)")
        for hide in hidden {
            var oid = hide.raw
            try check(git_revwalk_hide(walker, &oid), "hide commit \(hide) from the walk")
        }
        var out: [ObjectID] = []
        var oid = git_oid()
        while true {
            let result = git_revwalk_next(&oid, walker)
            if result == GIT_ITEROVER.rawValue { break }
            try check(result, "walk the history")
            out.append(ObjectID(oid))
        }
        guard !hidden.isEmpty else { return out }
        // The walk stops marking hidden ancestry by commit date: what it returned is checked.
        let leaked = try reachable(from: hidden, among: try out.map { ($0, try commit($0).parents) })
        return out.enumerated().filter { !leaked.contains($0.offset) }.map(\.element)
    }

    /// Whether the object exists and is a commit.
    public func isCommit(_ id: ObjectID) -> Bool {
        var oid = id.raw
        var commit: OpaquePointer?
        guard git_commit_lookup(&commit, handle, &oid) == 0 else { return false }
        git_commit_free(commit)
        return true
    }
}
