import CLibgit2

extension Repository {
    /// The staged files (stage 0) whose paths start with `prefix`, from the repository's index.
    public func indexFiles(under prefix: String = "") throws -> [TreeFile] {
        var index: OpaquePointer?
        try check(git_repository_index(&index, handle), "open the repository's index")
        defer { git_index_free(index) }
        try check(git_index_read(index, 0), "read the index")
        var out: [TreeFile] = []
        let count = git_index_entrycount(index)
        for position in 0..<count {
            guard let entry = git_index_get_byindex(index, position) else { continue }
            // Stage bits live in flags; conflicted entries (stages 1–3) are not what is committed.
            let stage = (Int32(entry.pointee.flags) & Int32(GIT_INDEX_ENTRY_STAGEMASK)) >> Int32(GIT_INDEX_ENTRY_STAGESHIFT)
            guard stage == 0, let cPath = entry.pointee.path else { continue }
            let path = String(cString: cPath)
            guard path.hasPrefix(prefix) else { continue }
            let mode = entry.pointee.mode & 0o170000
            let kind: EntryKind = mode == 0o160000 ? .submodule : mode == 0o120000 ? .symlink : .blob
            out.append(TreeFile(path: path, id: ObjectID(entry.pointee.id), kind: kind))
        }
        return out
    }
}
