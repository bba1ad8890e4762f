import CLibgit2

extension Repository {
    /// Every commit reachable from `head`, parents before children, in the very order libgit2's
    /// revwalk gives (topological and time sorting, reversed; see `RevwalkOrder`), each commit's
    /// object read once. libgit2's revwalk reads each commit, and `git_commit_lookup` then reads
    /// it again: 200–250 ms for 20k commits, against 60–80 ms here (docs/benchmarks.md).
    func commitsReachable(from head: ObjectID) throws -> [CommitInfo] {
        let names = StringInterner()
        // Breadth first; a commit's number is the order it was found in.
        var number: [ObjectID: Int] = [head: 0]
        var found = [head]
        var commits: [CommitInfo] = []
        while commits.count < found.count {
            let commit = try listedCommit(found[commits.count], names: names)
            for parent in commit.parents where number[parent] == nil {
                number[parent] = found.count
                found.append(parent)
            }
            commits.append(commit)
        }
        let parents = commits.map { $0.parents.map { number[$0]! } }
        return RevwalkOrder.parentsFirst(times: commits.map(\.committer.time), parents: parents).map { commits[$0] }
    }

    /// One commit: read from the packs and parsed here when it is written as git writes commits,
    /// else (a loose object, anything unusual) read and parsed by libgit2, whose error stands.
    private func listedCommit(_ id: ObjectID, names: StringInterner) throws -> CommitInfo {
        if let (kind, bytes) = packedObjects?.read(id, keepingWhole: false), kind == .commit,
           let commit = CommitText.parse(UnsafeBufferPointer(start: bytes.pointer, count: bytes.count), id: id, names: names) {
            return commit
        }
        var oid = id.raw
        var pointer: OpaquePointer?
        try check(git_commit_lookup(&pointer, handle, &oid), "read commit \(id)")
        defer { git_commit_free(pointer) }
        return Self.info(of: pointer!, id: id, names: names)
    }
}

/// The order of libgit2's revwalk with GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME | GIT_SORT_REVERSE
/// from one commit, nothing hidden: its `sort_in_topological_order`, step for step, over a binary
/// heap that moves entries exactly as its `git_pqueue` does, so that commits with equal times
/// come out in the same order too (history caches and reports keep the order they were made in).
enum RevwalkOrder {
    /// `parents[i]`: the numbers of commit i's parents, in the commit's order (repeats kept).
    /// Commit 0 is the tip. Returns commit numbers, parents first.
    static func parentsFirst(times: [Int64], parents: [[Int]]) -> [Int] {
        // 1 for a listed commit, plus one per child naming it; 0 once it has been emitted.
        var inDegree = [Int](repeating: 1, count: times.count)
        for list in parents {
            for parent in list { inDegree[parent] += 1 }
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
