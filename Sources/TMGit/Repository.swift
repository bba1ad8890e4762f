import CLibgit2
import Foundation

/// libgit2 must be initialised once per process, before any other call; a global `let`
/// is initialised exactly once and thread-safely by the Swift runtime.
let libgit2Runtime: Void = {
    git_libgit2_init()
    // History walks revisit the same large `threats/` trees from commit to commit; libgit2
    // caches trees only up to 4 KiB by default, so raise the limit (see docs/benchmarks.md).
    // (tmrepo also keeps its own small cache of raw trees for diffs; see RawTree.)
    _ = tmrepo_git_set_cache_object_limit(GIT_OBJECT_TREE, 1 << 20)
    // Walks read trees as raw objects (RawTree, not this cache); commits and small lookups are
    // what it holds, and each walker thread's handle has one.
    _ = tmrepo_git_set_cache_max_size(8 << 20)
    // Pack files are read through mapped windows; by default libgit2 maps up to 8 GiB in 1 GiB
    // windows and never lets go, so every page a long walk touches stays resident (most of a
    // 100k-commit run's peak). Smaller windows under a limit are unmapped least recently used first.
    // (At 100k commits: 668 MiB peak with the defaults, 532 MiB with 64 MiB mapped and a 16 MiB
    // object cache, 396 MiB with these; see docs/benchmarks.md for the time.)
    _ = tmrepo_git_set_mwindow_size(16 << 20)
    _ = tmrepo_git_set_mwindow_mapped_limit(32 << 20)
    // Re-hashing every object read costs more than everything else in a history walk
    // (SHA-1 with collision detection over each 100 KB+ tree). git does not do it on read
    // either; zlib's checksums still catch damaged pack data. TMREPO_VERIFY_OBJECTS=1 turns it on.
    _ = tmrepo_git_set_strict_hash_verification(verifyingObjects ? 1 : 0)
}()

/// TMREPO_VERIFY_OBJECTS=1: every object read is re-hashed (by libgit2, so packs are not read directly).
let verifyingObjects = ProcessInfo.processInfo.environment["TMREPO_VERIFY_OBJECTS"] == "1"

/// Trees on a walk come straight from the pack files (PackedObjects) unless TMREPO_DIRECT_PACKS=0
/// or objects are verified.
let readingPacksDirectly = !verifyingObjects && ProcessInfo.processInfo.environment["TMREPO_DIRECT_PACKS"] != "0"

/// The libgit2 version this process is linked against, e.g. "1.5.1".
public var libgit2Version: String {
    _ = libgit2Runtime
    var major: Int32 = 0, minor: Int32 = 0, revision: Int32 = 0
    git_libgit2_version(&major, &minor, &revision)
    return "\(major).\(minor).\(revision)"
}

/// One shared copy of each distinct C string it is given (not thread-safe: one per walk).
final class StringInterner {
    private var strings: [String: String] = [:]

    func string(_ pointer: UnsafePointer<CChar>) -> String {
        interned(String(cString: pointer))
    }

    /// The same for bytes not ending in a NUL (invalid UTF-8 is repaired as `String(cString:)` does).
    func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        interned(String(decoding: bytes, as: UTF8.self))
    }

    private func interned(_ text: String) -> String {
        // String equality is canonical equivalence: "é" and "e" + U+0301 are one key, but each
        // commit keeps its own bytes.
        if let known = strings[text] { return known.utf8.elementsEqual(text.utf8) ? known : text }
        // Bounded: past this many distinct strings, copies are simply not shared.
        if strings.count < 100_000 { strings[text] = text }
        return text
    }
}

/// A person and a moment, as recorded in a commit.
public struct Signature: Sendable, Equatable {
    public let name: String
    public let email: String
    /// Seconds since 1970 (UTC).
    public let time: Int64
    /// Offset from UTC in minutes, as written by the committer's clock.
    public let offsetMinutes: Int32

    public init(name: String, email: String, time: Int64, offsetMinutes: Int32) {
        self.name = name
        self.email = email
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    init(_ pointer: UnsafePointer<git_signature>, names: StringInterner? = nil) {
        let signature = pointer.pointee
        name = signature.name.map { names?.string($0) ?? String(cString: $0) } ?? ""
        email = signature.email.map { names?.string($0) ?? String(cString: $0) } ?? ""
        time = signature.when.time
        offsetMinutes = signature.when.offset
    }
}

/// A commit read out of the object database.
public struct CommitInfo: Sendable {
    public let id: ObjectID
    public let parents: [ObjectID]
    public let tree: ObjectID
    public let author: Signature
    public let committer: Signature
    public let message: String
}

/// Owns one `git_repository` handle; every other handle it opens is freed before the call returns.
/// Not thread-safe (neither is libgit2's repository): use one instance per thread.
public final class Repository {
    let handle: OpaquePointer
    /// Recently read raw trees, so history walks read each tree once.
    let rawTrees = RawTreeCache()
    /// This handle's own reader of the pack files, opened on the first tree a walk reads.
    private(set) lazy var packedObjects: PackedObjects? =
        readingPacksDirectly ? PackedObjects(objectsDirectory: commonDirectory + "objects") : nil

    /// How this handle was opened, so `reopen()` can give another thread its own handle.
    private let openPath: String?
    private let openFlags: UInt32

    private init(handle: OpaquePointer, path: String?, flags: UInt32) {
        self.handle = handle
        self.openPath = path
        self.openFlags = flags
    }

    /// A second, independent handle on the same repository (libgit2 handles must not be shared
    /// between threads).
    public func reopen() throws -> Repository {
        var pointer: OpaquePointer?
        let path = openPath ?? gitDirectory
        try check(git_repository_open_ext(&pointer, openPath == nil && openFlags & GIT_REPOSITORY_OPEN_FROM_ENV.rawValue != 0 ? nil : path,
                                          openFlags, nil), "reopen the git repository at \(path)")
        return Repository(handle: pointer!, path: openPath, flags: openFlags)
    }

    deinit {
        git_repository_free(handle)
    }

    /// Lets go of the raw trees kept for diffs (call when a walk is over).
    public func releaseCaches() {
        rawTrees.removeAll()
        packedObjects?.releaseCache()
    }

    /// Opens the repository containing `path`, searching upwards like git does.
    public static func discover(from path: String) throws -> Repository {
        _ = libgit2Runtime
        var pointer: OpaquePointer?
        try check(git_repository_open_ext(&pointer, path, 0, nil), "open a git repository at or above \(path)")
        let repository = Repository(handle: pointer!, path: nil, flags: GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue)
        return repository
    }

    /// Opens the repository exactly at `path` (a work tree or a git directory), no search.
    public static func open(at path: String) throws -> Repository {
        _ = libgit2Runtime
        var pointer: OpaquePointer?
        try check(git_repository_open_ext(&pointer, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil),
                  "open the git repository at \(path)")
        return Repository(handle: pointer!, path: path, flags: GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue)
    }

    /// Opens the repository the way git's own hooks see it: honours GIT_DIR,
    /// GIT_OBJECT_DIRECTORY and GIT_ALTERNATE_OBJECT_DIRECTORIES (a push's quarantine).
    public static func openFromEnvironment(fallback path: String) throws -> Repository {
        _ = libgit2Runtime
        guard ProcessInfo.processInfo.environment["GIT_DIR"] != nil else { return try discover(from: path) }
        var pointer: OpaquePointer?
        try check(git_repository_open_ext(&pointer, nil, GIT_REPOSITORY_OPEN_FROM_ENV.rawValue, nil),
                  "open the git repository named by GIT_DIR")
        return Repository(handle: pointer!, path: nil, flags: GIT_REPOSITORY_OPEN_FROM_ENV.rawValue)
    }


    public var isBare: Bool { git_repository_is_bare(handle) == 1 }
    public var isShallow: Bool { git_repository_is_shallow(handle) == 1 }
    public var isHeadDetached: Bool { git_repository_head_detached(handle) == 1 }
    public var isHeadUnborn: Bool { git_repository_head_unborn(handle) == 1 }

    /// The work tree's root, with a trailing slash; nil in a bare repository.
    public var workingDirectory: String? {
        git_repository_workdir(handle).map { String(cString: $0) }
    }

    /// This repository's git directory (for a linked worktree, its private one), with a trailing slash.
    public var gitDirectory: String { String(cString: git_repository_path(handle)) }

    /// The directory shared by all worktrees (objects, refs, hooks), with a trailing slash.
    public var commonDirectory: String { String(cString: git_repository_commondir(handle)) }

    /// The commit HEAD points at; nil on an unborn branch (a repository with no commit yet).
    public func headCommit() throws -> ObjectID? {
        if isHeadUnborn { return nil }
        var oid = git_oid()
        try check(git_reference_name_to_id(&oid, handle, "HEAD"), "resolve HEAD")
        return ObjectID(oid)
    }

    /// The full name of the branch HEAD is on (e.g. refs/heads/main), nil when detached.
    public func headBranch() -> String? {
        symbolicTarget(of: "HEAD")
    }

    /// Resolves a revision expression (`main`, `HEAD~3`, a hex prefix) to a commit id.
    public func resolveCommit(_ revision: String) throws -> ObjectID {
        var object: OpaquePointer?
        try check(git_revparse_single(&object, handle, revision), "resolve revision '\(revision)'")
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "'\(revision)' is not a commit")
        defer { git_object_free(commit) }
        return ObjectID(git_object_id(commit)!)
    }

    /// Reads one commit.
    public func commit(_ id: ObjectID) throws -> CommitInfo {
        var oid = id.raw
        var pointer: OpaquePointer?
        try check(git_commit_lookup(&pointer, handle, &oid), "read commit \(id)")
        defer { git_commit_free(pointer) }
        return Self.info(of: pointer!, id: id)
    }

    static func info(of commit: OpaquePointer, id: ObjectID, names: StringInterner? = nil) -> CommitInfo {
        let count = git_commit_parentcount(commit)
        var parents: [ObjectID] = []
        parents.reserveCapacity(Int(count))
        for index in 0..<count {
            parents.append(ObjectID(git_commit_parent_id(commit, index)!))
        }
        return CommitInfo(
            id: id,
            parents: parents,
            tree: ObjectID(git_commit_tree_id(commit)!),
            author: Signature(git_commit_author(commit)!, names: names),
            committer: Signature(git_commit_committer(commit)!, names: names),
            message: git_commit_message(commit).map { String(cString: $0) } ?? ""
        )
    }

    /// Every commit reachable from `tips` and not from `hidden`, parents before children
    /// (reverse topological order, ties broken by commit time).
    public func walk(from tips: [ObjectID], hiding hidden: [ObjectID] = [],
                     _ visit: (CommitInfo) throws -> Void) throws {
        if tips.count == 1 && hidden.isEmpty {
            for commit in try commitsReachable(from: tips[0]) { try visit(commit) }
            return
        }
        try revwalk(from: tips, hiding: hidden, visit)
    }

    /// `walk` through libgit2's revwalk: several tips, or commits to hide.
    func revwalk(from tips: [ObjectID], hiding hidden: [ObjectID], _ visit: (CommitInfo) throws -> Void) throws {
        var walker: OpaquePointer?
        try check(git_revwalk_new(&walker, handle), "start a history walk")
        defer { git_revwalk_free(walker) }
        try check(git_revwalk_sorting(walker, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue | GIT_SORT_REVERSE.rawValue),
                  "sort the history walk")
        for tip in tips {
            var oid = tip.raw
            try check(git_revwalk_push(walker, &oid), "walk from commit \(tip)")
        }
        for hide in hidden {
            var oid = hide.raw
            try check(git_revwalk_hide(walker, &oid), "hide commit \(hide) from the walk")
        }
        // A history has few people and many commits: one copy of each name and email for the
        // whole walk (at 100k commits, tens of megabytes of repeated strings otherwise).
        let names = StringInterner()
        var oid = git_oid()
        var walked: [CommitInfo] = []
        while true {
            let result = git_revwalk_next(&oid, walker)
            if result == GIT_ITEROVER.rawValue { break }
            try check(result, "walk the history")
            var commit: OpaquePointer?
            try check(git_commit_lookup(&commit, handle, &oid), "read commit \(ObjectID(oid))")
            let info = Self.info(of: commit!, id: ObjectID(oid), names: names)
            git_commit_free(commit)
            if hidden.isEmpty { try visit(info) } else { walked.append(info) }
        }
        guard !hidden.isEmpty else { return }
        let leaked = try reachable(from: hidden, among: walked.map { ($0.id, $0.parents) })
        for (index, info) in walked.enumerated() where !leaked.contains(index) { try visit(info) }
    }

    /// Which of a hiding walk's commits (parents first) are reachable from `hidden` after all.
    /// libgit2, like `git rev-list`, stops marking the hidden commits' ancestry by commit date, so
    /// when dates go backwards a walk can return some of it. Those found are leaked; what is above
    /// one that is not leaked cannot be (an ancestor of a hidden commit has only such ancestors),
    /// so only the lowest commits are asked, and the ones above them once those are leaked.
    func reachable(from hidden: [ObjectID], among commits: [(id: ObjectID, parents: [ObjectID])]) throws -> Set<Int> {
        let position = Dictionary(commits.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        var children = [[Int]](repeating: [], count: commits.count)
        var unresolved = [Int](repeating: 0, count: commits.count)
        for (index, commit) in commits.enumerated() {
            let inside = Set(commit.parents.compactMap { position[$0] })
            unresolved[index] = inside.count
            for parent in inside { children[parent].append(index) }
        }
        let hiddenSet = Set(hidden)
        var hiddenIDs = hidden.map(\.raw)
        var lowest = commits.indices.filter { unresolved[$0] == 0 }
        var leaked: Set<Int> = []
        while let next = lowest.popLast() {
            var oid = commits[next].id.raw
            let found = hiddenSet.contains(commits[next].id) ? 1
                : try check(git_graph_reachable_from_any(handle, &oid, &hiddenIDs, hiddenIDs.count),
                            "check whether commit \(commits[next].id) is hidden from the walk")
            guard found == 1 else { continue }
            leaked.insert(next)
            for child in children[next] {
                unresolved[child] -= 1
                if unresolved[child] == 0 { lowest.append(child) }
            }
        }
        return leaked
    }

    /// An object's raw bytes as libgit2's object database holds them (loose, packed or in an
    /// alternate); the caller frees it with `git_odb_object_free`.
    func odbObject(_ id: ObjectID, operation: String) throws -> OpaquePointer {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, handle), "open the object database")
        defer { git_odb_free(odb) }
        var oid = id.raw
        var object: OpaquePointer?
        try check(git_odb_read(&object, odb, &oid), operation)
        return object!
    }

    /// Whether `ancestor` is reachable from `descendant` (a commit is not its own descendant).
    public func isDescendant(_ descendant: ObjectID, of ancestor: ObjectID) throws -> Bool {
        var a = descendant.raw, b = ancestor.raw
        return try check(git_graph_descendant_of(handle, &a, &b), "compare the ancestry of \(descendant) and \(ancestor)") == 1
    }

    /// The best common ancestor of two commits; nil for unrelated histories.
    public func mergeBase(_ one: ObjectID, _ two: ObjectID) throws -> ObjectID? {
        var out = git_oid(), a = one.raw, b = two.raw
        let result = git_merge_base(&out, handle, &a, &b)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "find the merge base of \(one) and \(two)")
        return ObjectID(out)
    }

    /// Reads a blob's bytes.
    public func blob(_ id: ObjectID) throws -> [UInt8] {
        if let (kind, bytes) = packedObjects?.read(id), kind == .blob {
            return Array(UnsafeBufferPointer(start: bytes.pointer, count: bytes.count))
        }
        var oid = id.raw
        var pointer: OpaquePointer?
        try check(git_blob_lookup(&pointer, handle, &oid), "read blob \(id)")
        defer { git_blob_free(pointer) }
        let size = Int(git_blob_rawsize(pointer))
        guard size > 0, let raw = git_blob_rawcontent(pointer) else { return [] }
        return Array(UnsafeRawBufferPointer(start: raw, count: size))
    }


    /// The target of a symbolic reference (e.g. refs/remotes/origin/HEAD → refs/remotes/origin/main);
    /// nil when the reference does not exist or is not symbolic.
    public func symbolicTarget(of name: String) -> String? {
        var reference: OpaquePointer?
        guard git_reference_lookup(&reference, handle, name) == 0, let reference else { return nil }
        defer { git_reference_free(reference) }
        guard git_reference_type(reference) == GIT_REFERENCE_SYMBOLIC,
              let target = git_reference_symbolic_target(reference) else { return nil }
        return String(cString: target)
    }

    /// Writes a string into the repository's own configuration (`.git/config`, or `config` in a bare repository).
    public func setConfigString(_ name: String, _ value: String) throws {
        var config: OpaquePointer?
        try check(git_repository_config(&config, handle), "open the repository's configuration")
        defer { git_config_free(config) }
        var local: OpaquePointer?
        try check(git_config_open_level(&local, config, GIT_CONFIG_LEVEL_LOCAL), "open the repository's local configuration")
        defer { git_config_free(local) }
        try check(git_config_set_string(local, name, value), "set \(name)")
    }

    /// A string from git's configuration (e.g. user.email), nil when unset.
    public func configString(_ name: String) -> String? {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, handle) == 0 else { return nil }
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        guard git_config_get_string(&value, config, name) == 0, let value else { return nil }
        return String(cString: value)
    }
}
