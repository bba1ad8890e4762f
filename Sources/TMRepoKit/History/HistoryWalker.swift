import Foundation
import TMGit
import ThreatModel

/// Computes commit records by walking git history with libgit2: one revwalk for the commits,
/// then, split across the machine's cores (one repository handle per thread), a diff of each
/// commit against its parents limited to the paths that matter: the threats folder in detail,
/// evidence folders in summary. Subtrees outside those are never read.
/// Sendable by hand: worker 0 uses `repository` while the calling thread waits in
/// `concurrentPerform`, and every other worker opens a handle of its own.
struct HistoryWalker: @unchecked Sendable {
    let repository: Repository
    /// The threats folder, repository-relative, with a trailing slash (e.g. "threats/" or "svc/model/threats/").
    let threatsFolder: String
    /// The model root, repository-relative ("" or with a trailing slash).
    let modelPrefix: String
    let filter: PathFilter

    /// Records for the commits reachable from `head` and not from `known`, parents first.
    /// `knownTrees` supplies root trees of commits already recorded (from the cache).
    /// `reuse` holds records computed before (commits never change, so they are reused as they are).
    func records(head: ObjectID, hiding known: [ObjectID], knownTrees: [ObjectID: ObjectID],
                 reuse: [ObjectID: CommitRecord] = [:], commits listed: [CommitInfo]? = nil) throws -> [CommitRecord] {
        let commits = try listed ?? Self.commits(in: repository, head: head, hiding: known)
        var rootTree = knownTrees
        for commit in commits { rootTree[commit.id] = commit.tree }
        // Parents outside the walk and the cache (rare: a hidden tip's parents are in the cache).
        for commit in commits {
            for parent in commit.parents where rootTree[parent] == nil {
                rootTree[parent] = try repository.commit(parent).tree
            }
        }
        let trees = rootTree
        let workers = min(max(1, ProcessInfo.processInfo.activeProcessorCount), 4, max(1, commits.count / 500))
        // Runs of consecutive commits (which share most trees, so each handle's tree cache serves
        // them), handed out as workers free up: an even split left one core idle while the other
        // finished a costlier half.
        let run = max(256, commits.count / (workers * 8))
        let runs = (commits.count + run - 1) / run
        let slots = Slots<Result<[CommitRecord], Error>>(count: runs)
        let next = RunCounter()
        nonisolated(unsafe) let main = repository
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let started = DispatchTime.now()
            let repository = Result { worker == 0 ? main : try main.reopen() }
            while let taken = next.take(below: runs) {
                slots[taken] = Result {
                    let repository = try repository.get()
                    return try (taken * run..<min(commits.count, (taken + 1) * run)).map { index in
                        if let known = reuse[commits[index].id] { return known }
                        return try record(for: commits[index], rootTree: trees, repository: repository)
                    }
                }
            }
            Trace.note("walker \(worker): \(Trace.milliseconds(since: started)) ms")
        }
        return try slots.values.flatMap { try $0!.get() }
    }

    /// The commits reachable from `head` and not from `hidden`, parents first.
    static func commits(in repository: Repository, head: ObjectID, hiding hidden: [ObjectID]) throws -> [CommitInfo] {
        var walked: [CommitInfo] = []
        try repository.walk(from: [head], hiding: hidden) { walked.append($0) }
        return walked
    }

    private func record(for commit: CommitInfo, rootTree: [ObjectID: ObjectID], repository: Repository) throws -> CommitRecord {
        let parentTrees = commit.parents.map { rootTree[$0]! }
        let changes = try changedFiles(tree: commit.tree, parentTrees: parentTrees, repository: repository)
        var threatFiles: [FileDelta] = []
        var paths: [String] = []
        paths.reserveCapacity(changes.count)
        for change in changes {
            paths.append(change.path)
            if change.path.hasPrefix(threatsFolder) {
                let inside = String(change.path.dropFirst(threatsFolder.count))
                if ModelStore.isThreatFile(inside) {
                    threatFiles.append(FileDelta(path: String(change.path.dropFirst(modelPrefix.count)), old: change.oldID, new: change.newID,
                                                 oldKind: change.oldKind, newKind: change.newKind))
                }
            }
        }
        return CommitRecord(
            id: commit.id, parents: commit.parents, rootTree: commit.tree, time: commit.committer.time,
            offsetMinutes: commit.committer.offsetMinutes,
            author: Identity(name: commit.author.name, email: commit.author.email),
            committer: Identity(name: commit.committer.name, email: commit.committer.email),
            reviewedIDs: try Self.reviewedIDs(in: commit.message), threatFiles: threatFiles, changedPaths: paths)
    }

    /// Paths that differ from the first parent; for a merge, those that differ from every parent
    /// (what git's default history simplification shows for a merge).
    private func changedFiles(tree: ObjectID, parentTrees: [ObjectID], repository: Repository) throws -> [TreeChange] {
        guard let first = parentTrees.first else { return try repository.changes(from: nil, to: tree, within: filter) }
        if parentTrees.count == 1 { return try repository.changes(from: first, to: tree, within: filter) }
        if parentTrees.contains(tree) { return [] }
        var common = try repository.changes(from: first, to: tree, within: filter)
        // Against the other parents only the few paths changed from the first are looked up: a
        // merged branch may be far from this tree, and a whole diff against it costs far more.
        for other in parentTrees.dropFirst() where !common.isEmpty {
            common = try common.filter { change in
                let there = try repository.entryID(in: other, path: change.path)
                // Summary changes carry no kinds: their ids decide.
                return there?.id != change.newID || (change.newKind != nil && there?.kind != change.newKind)
            }
        }
        return common
    }

    /// Ids from `Reviewed-threat:` trailers, parsed the way git parses trailers. A cheap
    /// substring test first: most commits have no such trailer.
    static func reviewedIDs(in message: String) throws -> [String] {
        guard mentionsReviewTrailer(message) else { return [] }
        var ids: [String] = []
        for trailer in try messageTrailers(message) where trailer.key.caseInsensitiveCompare("Reviewed-threat") == .orderedSame {
            for part in trailer.value.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }) where !part.isEmpty {
                ids.append(String(part))
            }
        }
        return ids
    }

    /// Whether "reviewed-threat" appears in any letter case; a byte scan, since most commits lack it.
    static func mentionsReviewTrailer(_ message: String) -> Bool {
        let needle = Array("reviewed-threat".utf8)
        let bytes = message.utf8
        return bytes.withContiguousStorageIfAvailable { buffer -> Bool in
            guard buffer.count >= needle.count else { return false }
            for start in 0...(buffer.count - needle.count) where buffer[start] | 0x20 == needle[0] {
                var offset = 1
                while offset < needle.count {
                    let byte = buffer[start + offset]
                    let lower = byte >= 65 && byte <= 90 ? byte + 32 : byte
                    guard lower == needle[offset] else { break }
                    offset += 1
                }
                if offset == needle.count { return true }
            }
            return false
        } ?? message.lowercased().contains("reviewed-threat")
    }

    /// The filter for a model's history: its threats folder, every mitigation's evidence (whatever
    /// its status: a later status change must find the changes already recorded) and `watched`
    /// (the system's code and templates). The full run and the status memo both make it here.
    static func filter(threatsFolder: String, mitigations: some Sequence<[Mitigation]>, watched: [String]) -> PathFilter {
        var evidence = watched
        for list in mitigations {
            for mitigation in list { evidence += mitigation.evidence }
        }
        return filter(threatsFolder: threatsFolder, evidence: evidence)
    }

    /// The filter for a model: its threats folder in detail; each evidence glob's literal folder
    /// in summary when the glob takes everything below it, else in detail.
    static func filter(threatsFolder: String, evidence globs: [String]) -> PathFilter {
        var detail = [String(threatsFolder.dropLast())]
        var summary: [String] = []
        for pattern in Set(globs) {
            let glob = Glob(pattern)
            if glob.takesEverythingBelowPrefix {
                summary.append(glob.literalPrefix)
            } else {
                detail.append(glob.literalPrefix)
            }
        }
        return PathFilter(detail: detail, summary: summary)
    }
}

/// Hands out 0, 1, 2… to whichever thread asks next.
final class RunCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func take(below limit: Int) -> Int? {
        lock.withLock {
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}

/// One result slot per piece of work; each slot is written by exactly one thread and read
/// after all of them finished, so no lock is needed.
final class Slots<Value>: @unchecked Sendable {
    private var storage: [Value?]

    init(count: Int) {
        storage = Array(repeating: nil, count: count)
    }

    subscript(index: Int) -> Value? {
        get { storage[index] }
        set { storage[index] = newValue }
    }

    var values: [Value?] { storage }
}
