import CLibgit2

extension Repository {
    /// A commit's signature (the `gpgsig` header's value, e.g. an armored SSH or OpenPGP
    /// signature) and the bytes it signs (the raw commit without that header), or nil when the
    /// commit carries no signature. Throws when the commit cannot be read.
    ///
    /// Nothing is verified here: TMGit only hands the bytes to whoever checks them.
    public func commitSignature(_ id: ObjectID) throws -> (signature: [UInt8], signedData: [UInt8])? {
        var oid = id.raw
        // Look the commit up first: git_commit_extract_signature answers GIT_ENOTFOUND both for
        // "unsigned" and for "no such object", and only the first may read as nil.
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, handle, &oid), "read commit \(id)")
        defer { git_commit_free(commit) }

        // Only a header counts as a signature (git's own rule). Some libgit2 versions also
        // accept a "gpgsig " line in the message body, so ask the header parser first.
        var header = git_buf()
        defer { git_buf_dispose(&header) }
        let headerResult = git_commit_header_field(&header, commit, "gpgsig")
        if headerResult == GIT_ENOTFOUND.rawValue { return nil }
        try check(headerResult, "read the signature header of commit \(id)")

        var signature = git_buf()
        var signedData = git_buf()
        defer {
            git_buf_dispose(&signature)
            git_buf_dispose(&signedData)
        }
        let result = git_commit_extract_signature(&signature, &signedData, handle, &oid, "gpgsig")
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "extract the signature of commit \(id)")
        return (Self.bytes(of: signature), Self.bytes(of: signedData))
    }

    private static func bytes(of buffer: git_buf) -> [UInt8] {
        guard let pointer = buffer.ptr, buffer.size > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: buffer.size))
    }
}
