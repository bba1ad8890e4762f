import CLibgit2

extension Repository {
    /// The identity git would use for a new commit (user.name / user.email, or the environment).
    public func defaultSignature() throws -> Signature {
        var pointer: UnsafeMutablePointer<git_signature>?
        try check(git_signature_default(&pointer, handle),
                  "find who is committing (set git's user.name and user.email)")
        defer { git_signature_free(pointer) }
        return Signature(pointer!)
    }

    private static func make(_ signature: Signature) throws -> UnsafeMutablePointer<git_signature> {
        var pointer: UnsafeMutablePointer<git_signature>?
        try check(git_signature_new(&pointer, signature.name, signature.email, signature.time, Int32(signature.offsetMinutes)),
                  "make the signature of \(signature.email)")
        return pointer!
    }

    /// Commits new contents for `files` (paths relative to the work tree root) on top of HEAD,
    /// like `git commit --only <paths>`: other staged changes stay staged and out of the commit.
    /// The repository's index is updated for exactly these paths. Returns the new commit's id.
    public func commit(files: [String: [UInt8]], message: String, author: Signature? = nil, committer: Signature? = nil) throws -> ObjectID {
        guard !isBare else {
            throw GitError(code: .bareRepository, operation: "commit", message: "a bare repository has no work tree to commit from")
        }
        let parent = try headCommit()

        // Build the new tree in a private in-memory index so the user's staging area is untouched.
        var scratch: OpaquePointer?
        try check(git_index_new(&scratch), "create an in-memory index")
        defer { git_index_free(scratch) }
        if let parent {
            let tree = try loadTree(try commit(parent).tree)
            try check(git_index_read_tree(scratch, tree.pointer), "read HEAD's tree")
        }
        for (path, bytes) in files.sorted(by: { $0.key < $1.key }) {
            var blobID = git_oid()
            _ = try bytes.withUnsafeBytes { raw in
                try check(git_blob_create_from_buffer(&blobID, handle, raw.baseAddress, raw.count), "store \(path)")
            }
            var entry = git_index_entry()
            // Keep an executable file executable; anything else that is not a regular file is refused.
            let existingMode = path.withCString { git_index_get_bypath(scratch, $0, 0)?.pointee.mode }
            switch existingMode {
            case nil, 0o100644: entry.mode = 0o100644
            case 0o100755: entry.mode = 0o100755
            default:
                throw GitError(code: .other(-1), operation: "commit", message: "\(path) is not a regular file in HEAD (a link or submodule); tmrepo does not replace it")
            }
            entry.id = blobID
            entry.file_size = UInt32(truncatingIfNeeded: bytes.count)
            try path.withCString { cPath in
                entry.path = cPath
                try check(git_index_add(scratch, &entry), "stage \(path)")
            }
        }
        var treeID = git_oid()
        try check(git_index_write_tree_to(&treeID, scratch, handle), "write the commit's tree")
        var tree: OpaquePointer?
        try check(git_tree_lookup(&tree, handle, &treeID), "read the new tree")
        defer { git_tree_free(tree) }

        let fallback = try defaultSignature()
        let authorSignature = try Self.make(author ?? fallback)
        defer { git_signature_free(authorSignature) }
        let committerSignature = try Self.make(committer ?? author ?? fallback)
        defer { git_signature_free(committerSignature) }

        var parentCommit: OpaquePointer?
        if let parent {
            var oid = parent.raw
            try check(git_commit_lookup(&parentCommit, handle, &oid), "read HEAD commit")
        }
        defer { if parentCommit != nil { git_commit_free(parentCommit) } }

        var newID = git_oid()
        var parents: [OpaquePointer?] = parentCommit.map { [$0] } ?? []
        _ = try parents.withUnsafeMutableBufferPointer { buffer in
            try check(git_commit_create(&newID, handle, "HEAD", authorSignature, committerSignature, nil, message, tree,
                                        buffer.count, buffer.baseAddress), "create the commit")
        }

        // Keep the real index in step for the committed paths so `git status` stays clean.
        var index: OpaquePointer?
        try check(git_repository_index(&index, handle), "open the repository's index")
        defer { git_index_free(index) }
        for path in files.keys.sorted() {
            try check(git_index_add_bypath(index, path), "stage \(path) in the index")
        }
        try check(git_index_write(index), "write the index")
        return ObjectID(newID)
    }
}
