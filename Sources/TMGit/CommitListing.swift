import CLibgit2
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

extension Repository {
    /// Every commit reachable from `head`, parents before children, in the very order libgit2's
    /// revwalk gives (topological and time sorting, reversed; see `RevwalkOrder`), each commit's
    /// object read once. libgit2's revwalk reads each commit, and `git_commit_lookup` then reads
    /// it again: 200–250 ms for 20k commits, against about 65 ms here (docs/benchmarks.md).
    /// Where libgit2 would order by other times than the commits' own, or its 16-bit counts
    /// give out, the listing is libgit2's revwalk itself.
    func commitsReachable(from head: ObjectID) throws -> [CommitInfo] {
        let names = StringInterner()
        // Breadth first; a commit's number is the order it was found in.
        var number: [ObjectID: Int] = [head: 0]
        var found = [head]
        var commits: [CommitInfo] = []
        var allReadHere = true
        while commits.count < found.count {
            let (commit, readHere) = try listedCommit(found[commits.count], names: names)
            allReadHere = allReadHere && readHere
            for parent in commit.parents where number[parent] == nil {
                number[parent] = found.count
                found.append(parent)
            }
            commits.append(commit)
        }
        let parents = commits.map { $0.parents.map { number[$0]! } }
        // With a commit-graph file, libgit2 sorts by the times git wrote there: the committer's
        // for a commit git reads as CommitText does (below 2^34 s), maybe not for any other.
        let graphTimesMayDiffer = hasCommitGraph && !(allReadHere && commits.allSatisfy { $0.committer.time < 1 << 34 })
        guard !graphTimesMayDiffer,
              let order = RevwalkOrder.parentsFirst(times: commits.map(\.committer.time), parents: parents) else {
            var listed: [CommitInfo] = []
            try revwalk(from: [head], hiding: []) { listed.append($0) }
            return listed
        }
        return order.map { commits[$0] }
    }

    /// Whether the object database has a commit-graph file (or chain), which libgit2's revwalk reads times from.
    private var hasCommitGraph: Bool {
        let info = commonDirectory + "objects/info/"
        return access(info + "commit-graph", F_OK) == 0 || access(info + "commit-graphs", F_OK) == 0
    }

    /// One commit, and whether it was parsed here: read (from the packs, or libgit2's object
    /// database for a loose one) and parsed by `CommitText` when it is written as git writes
    /// commits; else read and parsed by libgit2, whose error stands.
    private func listedCommit(_ id: ObjectID, names: StringInterner) throws -> (CommitInfo, readHere: Bool) {
        if let (kind, bytes) = packedObjects?.read(id, keepingWhole: false) {
            if kind == .commit,
               let commit = CommitText.parse(UnsafeBufferPointer(start: bytes.pointer, count: bytes.count), id: id, names: names) {
                return (commit, true)
            }
        } else if let commit = try looseCommit(id, names: names) {
            return (commit, true)
        }
        var oid = id.raw
        var pointer: OpaquePointer?
        try check(git_commit_lookup(&pointer, handle, &oid), "read commit \(id)")
        defer { git_commit_free(pointer) }
        return (Self.info(of: pointer!, id: id, names: names), false)
    }

    /// A commit the packs read here do not hold, read raw through libgit2 and parsed by
    /// `CommitText`; nil when it is missing, not a commit or not written as git writes commits.
    private func looseCommit(_ id: ObjectID, names: StringInterner) throws -> CommitInfo? {
        guard let object = try? odbObject(id, operation: "read commit \(id)") else { return nil }
        defer { git_odb_object_free(object) }
        guard git_odb_object_type(object) == GIT_OBJECT_COMMIT, let data = git_odb_object_data(object) else { return nil }
        let bytes = UnsafeBufferPointer(start: data.assumingMemoryBound(to: UInt8.self), count: git_odb_object_size(object))
        return CommitText.parse(bytes, id: id, names: names)
    }
}

/// The order of libgit2's revwalk with GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME | GIT_SORT_REVERSE
/// from one commit, nothing hidden: its `sort_in_topological_order`, step for step, over a binary
/// heap that moves entries exactly as its `git_pqueue` does, so that commits with equal times
/// come out in the same order too (history caches and reports keep the order they were made in).
enum RevwalkOrder {
    /// libgit2 counts a commit's parents and children in 16 bits (`out_degree`, `in_degree`).
    static let countLimit = Int(UInt16.max)

    /// `parents[i]`: the numbers of commit i's parents, in the commit's order (repeats kept).
    /// Commit 0 is the tip. Returns commit numbers, parents first; nil past libgit2's 16-bit
    /// counts (more than 65,535 parents, which it refuses, or a child count that wraps to 0 in
    /// its sort and drops the commit): there only libgit2's own walk gives libgit2's answer.
    static func parentsFirst(times: [Int64], parents: [[Int]]) -> [Int]? {
        // 1 for a listed commit, plus one per child naming it; 0 once it has been emitted.
        var inDegree = [Int](repeating: 1, count: times.count)
        for list in parents {
            guard list.count <= countLimit else { return nil }
            for parent in list {
                inDegree[parent] += 1
                guard inDegree[parent] <= countLimit else { return nil }
            }
        }
        var heap = TimeHeap(times: times)
        // The tips: commits no listed commit names (the one walked from).
        for commit in inDegree.indices where inDegree[commit] == 1 { heap.insert(commit) }
        var order: [Int] = []
        order.reserveCapacity(times.count)
        while let next = heap.pop() {
            for parent in parents[next] where inDegree[parent] != 0 {
                inDegree[parent] -= 1
                if inDegree[parent] == 1 { heap.insert(parent) }
            }
            inDegree[next] = 0
            order.append(next)
        }
        return order.reversed()
    }

    /// libgit2's `git_pqueue` with `git_commit_list_time_cmp`: the latest commit on top.
    struct TimeHeap {
        let times: [Int64]
        var items: [Int] = []

        /// libgit2's comparison: > 0 when `a` is earlier than `b` (so `b` goes above it).
        private func compare(_ a: Int, _ b: Int) -> Int {
            times[a] < times[b] ? 1 : times[a] > times[b] ? -1 : 0
        }

        mutating func insert(_ item: Int) {
            items.append(item)
            var slot = items.count - 1
            while slot > 0 {
                let parent = (slot - 1) >> 1
                if compare(items[parent], item) <= 0 { break }
                items[slot] = items[parent]
                slot = parent
            }
            items[slot] = item
        }

        mutating func pop() -> Int? {
            guard let top = items.first else { return nil }
            let last = items.removeLast()
            guard !items.isEmpty else { return top }
            // The last entry moves to the top and sinks, the smaller child (in `compare`'s terms) rising.
            var slot = 0
            while true {
                var child = 2 * slot + 1
                guard child < items.count else { break }
                if child + 1 < items.count && compare(items[child], items[child + 1]) > 0 { child += 1 }
                if compare(last, items[child]) <= 0 { break }
                items[slot] = items[child]
                slot = child
            }
            items[slot] = last
            return top
        }
    }
}
