import TMGit
import ThreatModel

/// Where a commit stands in the one order every run agrees on, however its records reached the
/// index (a fresh walk, or cached segments with later ones appended): generation (the longest
/// path from a root, so parents come first), then commit time, then id.
struct CommitOrder: Comparable, Hashable, Sendable {
    let generation: Int
    let time: Int64
    let id: ObjectID

    static func < (lhs: CommitOrder, rhs: CommitOrder) -> Bool {
        if lhs.generation != rhs.generation { return lhs.generation < rhs.generation }
        if lhs.time != rhs.time { return lhs.time < rhs.time }
        return lhs.id < rhs.id
    }
}

/// Answers "did a path matching these globs change after commit V?" exactly as
/// `git log V..HEAD -- <paths>` would: a change counts when its commit is reachable from HEAD
/// but not from V. Built once per run from the commit records, in O(commits + changed paths).
/// Every answer that names or orders commits uses `CommitOrder`, never the order records arrived
/// in: a cached run and a fresh walk name the same commit.
final class EvidenceIndex: EvidenceOracle, @unchecked Sendable {
    private var ids: [ObjectID] = []
    private var times: [Int64] = []
    private var generations: [Int] = []
    private var indexOf: [ObjectID: Int] = [:]
    private var parents: [[Int]] = []
    /// Position on HEAD's first-parent chain, nil for commits off it.
    private(set) var mainline: [Int?] = []
    /// For commits off the chain: the chain position of the first chain commit that contains them.
    private(set) var mergedAt: [Int?] = []
    private var byPath: [String: [Int]] = [:]
    /// `byPath`'s keys, sorted (built on first use).
    private lazy var paths: [String] = byPath.keys.sorted()
    /// Each commit's first parent by position (-1: none, or one outside the index). Always an
    /// earlier position, so walking the chain down always ends.
    private var firstParents: [Int] = []
    /// `changes(matching:)` per glob pattern; emptied when commits are appended.
    private var changesByPattern: [String: Changes] = [:]
    /// `containment(of:)` per commit off the chain; emptied when commits are appended.
    private var containments: [Int: Containment] = [:]

    /// What a commit off HEAD's first-parent chain contains: the highest chain position (-1: none),
    /// and its ancestors off the chain (itself included) as a bit per position.
    private struct Containment {
        let chainPosition: Int
        let offChain: [UInt64]

        func contains(_ index: Int) -> Bool {
            index / 64 < offChain.count && offChain[index / 64] & (1 << UInt64(index % 64)) != 0
        }
    }

    /// The commits that changed a path matching one pattern, arranged for "the earliest one a
    /// commit does not contain".
    private struct Changes {
        /// All of them, ascending by position.
        let all: [Int]
        /// Those on HEAD's first-parent chain or merged into it, ascending by `chainKey`.
        let placed: [Int]
        /// `chainKey` of each of `placed`.
        let keys: [Int]
        /// earliestFrom[i]: the earliest (by `CommitOrder`) of placed[i...]; -1 past the end.
        let earliestFrom: [Int]
        /// Those neither on the chain nor merged into it (none when every commit is HEAD's ancestor).
        let unplaced: [Int]
    }

    /// `records` in topological order (parents first); the last one is HEAD.
    init(records: [CommitRecord]) {
        add(records)
        computeGraph()
    }

    /// What the index is built from, to persist with a fold: commits in topological order, their
    /// parents and first parent by position (-1: none known), and the positions per changed path.
    struct State: Equatable {
        let ids: [ObjectID]
        /// Committer time of each commit (seconds since 1970).
        let times: [Int64]
        let parents: [[Int]]
        let firstParents: [Int]
        let byPath: [String: [Int]]
    }

    var state: State {
        State(ids: ids, times: times, parents: parents, firstParents: firstParents, byPath: byPath)
    }

    /// The index `state` was taken from.
    init(restoring state: State) {
        ids = state.ids
        times = state.times
        indexOf.reserveCapacity(ids.count)
        for (index, id) in ids.enumerated() { indexOf[id] = index }
        parents = state.parents
        generations.reserveCapacity(ids.count)
        for own in parents { generations.append(Self.generation(parents: own, generations)) }
        firstParents = state.firstParents.enumerated().map { position, first in first >= 0 && first < position ? first : -1 }
        byPath = state.byPath
        computeGraph()
    }

    /// Adds `records` (the commits after the last one, in topological order), in place.
    func append(_ records: [CommitRecord]) {
        let known = ids.count
        add(records)
        if !extendGraph(after: known) { computeGraph() }
        paths = byPath.keys.sorted()
        changesByPattern = [:]
        containments = [:]
    }

    private func add(_ records: [CommitRecord]) {
        indexOf.reserveCapacity(ids.count + records.count)
        for record in records {
            let index = ids.count
            ids.append(record.id)
            times.append(record.time)
            indexOf[record.id] = index
            let own = record.parents.compactMap { indexOf[$0] }
            parents.append(own)
            generations.append(Self.generation(parents: own, generations))
            // Parents come first, so a first parent in the index already has its position.
            firstParents.append(record.parents.first.flatMap { indexOf[$0] } ?? -1)
            for path in record.changedPaths { byPath[path, default: []].append(index) }
        }
    }

    /// Extends the graph of the first `known` commits to the appended ones, in O(appended), when
    /// the new HEAD's first-parent chain runs through the old HEAD (new commits on top, merges
    /// into it): the old chain positions and merge points then stay as they were. false when it
    /// does not (HEAD moved to a branch that merged the old one), and the graph is recomputed.
    private func extendGraph(after known: Int) -> Bool {
        guard known > 0, mainline.count == known, mergedAt.count == known, let oldHead = mainline[known - 1] else { return false }
        var chain: [Int] = []
        var cursor: Int? = ids.count - 1
        while let current = cursor, current >= known {
            chain.append(current)
            cursor = firstParents[current] >= 0 ? firstParents[current] : nil
        }
        guard cursor == known - 1 else { return false }
        mainline += [Int?](repeating: nil, count: ids.count - known)
        mergedAt += [Int?](repeating: nil, count: ids.count - known)
        for (offset, index) in chain.reversed().enumerated() { mainline[index] = oldHead + 1 + offset }
        for index in chain.reversed() { markMerged(into: index, position: mainline[index]!) }
        return true
    }

    /// One more than the highest of the parents' generations (positions before the commit's).
    private static func generation(parents: [Int], _ generations: [Int]) -> Int {
        parents.reduce(0) { max($0, generations[$1] + 1) }
    }

    /// The first-parent chain from the last commit (HEAD) and, for commits off it, where they joined it.
    private func computeGraph() {
        var mainline = [Int?](repeating: nil, count: ids.count)
        var chain: [Int] = []
        var cursor = ids.isEmpty ? nil : ids.count - 1
        while let current = cursor {
            chain.append(current)
            cursor = firstParents[current] >= 0 ? firstParents[current] : nil
        }
        chain.reverse()
        for (position, index) in chain.enumerated() { mainline[index] = position }
        self.mainline = mainline
        self.mergedAt = [Int?](repeating: nil, count: ids.count)
        for (position, index) in chain.enumerated() { markMerged(into: index, position: position) }
    }

    /// Gives the commits a chain commit's other parents bring in (and not yet merged) its position.
    private func markMerged(into index: Int, position: Int) {
        guard parents[index].count > 1 else { return }   // most commits merge nothing
        var stack = parents[index].dropFirst().filter { mainline[$0] == nil && mergedAt[$0] == nil }
        while let next = stack.popLast() {
            guard mergedAt[next] == nil else { continue }
            mergedAt[next] = position
            stack += parents[next].filter { mainline[$0] == nil && mergedAt[$0] == nil }
        }
    }

    func firstChange(matching globs: [String], after commit: String) -> String? {
        guard let id = ObjectID(hex: commit), let verified = indexOf[id] else { return nil }
        // Every chain position up to `contained` is in the verified commit; none after `merged` is.
        let merged = mainline[verified] ?? mergedAt[verified] ?? .max
        let containment = mainline[verified] == nil ? containment(of: verified) : nil
        let contained = mainline[verified] ?? containment!.chainPosition
        var earliest: Int?
        func consider(_ candidate: Int) {
            if earliest.map({ isEarlier(candidate, $0) }) ?? true { earliest = candidate }
        }
        for pattern in globs {
            let found = changes(matching: pattern)
            // Placed after the verified commit joined the chain: not contained (the usual answer, in
            // O(log changes) for the thousands of earlier changes a verified commit contains).
            let after = upperBound(found.keys, merged)
            if found.earliestFrom[after] >= 0 { consider(found.earliestFrom[after]) }
            // Between what it surely contains and what it surely does not (a commit verified on a
            // side branch): side commits its ancestry holds, known once per verified commit (a
            // search per candidate made a long-lived branch's history quadratic).
            for index in min(upperBound(found.keys, contained), after)..<after
            where containment.map({ !$0.contains(found.placed[index]) }) ?? true {
                consider(found.placed[index])
            }
            for candidate in found.unplaced where !isAncestor(candidate, of: verified) { consider(candidate) }
        }
        return earliest.map { ids[$0].hex }
    }

    /// A commit's place in the order every run agrees on.
    private func order(_ index: Int) -> CommitOrder {
        CommitOrder(generation: generations[index], time: times[index], id: ids[index])
    }

    /// `order(a) < order(b)`, without building either.
    private func isEarlier(_ a: Int, _ b: Int) -> Bool {
        if generations[a] != generations[b] { return generations[a] < generations[b] }
        if times[a] != times[b] { return times[a] < times[b] }
        return ids[a] < ids[b]
    }

    /// Where a commit stands on HEAD's first-parent chain: its own position, or for a commit off
    /// it, where it was merged; nil for one that is not HEAD's ancestor.
    private func chainKey(_ index: Int) -> Int? {
        mainline[index] ?? mergedAt[index]
    }

    /// What a commit off the chain contains: its ancestry is searched until it meets the chain.
    /// The side commits a candidate can be (placed after the highest chain position it contains)
    /// are all met on the way: a path to one through a chain commit would place it at or below it.
    private func containment(of index: Int) -> Containment {
        if let known = containments[index] { return known }
        var highest = -1
        var offChain = [UInt64](repeating: 0, count: (ids.count + 63) / 64)
        offChain[index / 64] |= 1 << UInt64(index % 64)
        var stack = [index]
        while let next = stack.popLast() {
            for parent in parents[next] {
                if let position = mainline[parent] {
                    highest = max(highest, position)
                } else if offChain[parent / 64] & (1 << UInt64(parent % 64)) == 0 {
                    offChain[parent / 64] |= 1 << UInt64(parent % 64)
                    stack.append(parent)
                }
            }
        }
        let found = Containment(chainPosition: highest, offChain: offChain)
        containments[index] = found
        return found
    }

    /// The position of the first element of ascending `values` above `value`.
    private func upperBound(_ values: [Int], _ value: Int) -> Int {
        var low = 0, high = values.count
        while low < high {
            let mid = (low + high) / 2
            if values[mid] <= value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The commits that changed a path matching `pattern`, ascending, found once per pattern
    /// (many mitigations name the same glob, and a wildcard may match thousands of paths).
    private func changes(matching pattern: String) -> Changes {
        if let known = changesByPattern[pattern] { return known }
        let glob = Glob(pattern)
        let prefix = glob.literalPrefix
        var found: [Int] = []
        // Every path that starts with the prefix sits in one run of the sorted list.
        var position = lowerBound(prefix)
        while position < paths.count, paths[position].hasPrefix(prefix) {
            let path = paths[position]
            position += 1
            guard Self.changedPath(path, matches: glob, below: prefix) else { continue }
            found += byPath[path]!
        }
        found.sort()
        var placed: [(key: Int, candidate: Int)] = []
        var unplaced: [Int] = []
        placed.reserveCapacity(found.count)
        for candidate in found {
            if let key = chainKey(candidate) { placed.append((key, candidate)) } else { unplaced.append(candidate) }
        }
        // Chain positions grow with position; only the merged side commits need moving.
        if !placed.isEmpty, zip(placed, placed.dropFirst()).contains(where: { $0.key > $1.key }) {
            placed.sort { ($0.key, $0.candidate) < ($1.key, $1.candidate) }
        }
        var earliestFrom = [Int](repeating: -1, count: placed.count + 1)
        if let last = placed.last {
            // The arrays are read through local copies: a class's stored arrays cost a retain per read.
            let generations = self.generations, times = self.times, ids = self.ids
            var earliest = last.candidate
            earliestFrom[placed.count - 1] = earliest
            for index in placed.indices.dropLast().reversed() {
                let candidate = placed[index].candidate
                if generations[candidate] < generations[earliest]
                    || generations[candidate] == generations[earliest]
                    && (times[candidate], ids[candidate]) < (times[earliest], ids[earliest]) {
                    earliest = candidate
                }
                earliestFrom[index] = earliest
            }
        }
        let changes = Changes(all: found, placed: placed.map(\.candidate), keys: placed.map(\.key), earliestFrom: earliestFrom,
                              unplaced: unplaced)
        changesByPattern[pattern] = changes
        return changes
    }

    /// Whether a changed path (as a record has it: a file, or a watched folder in summary) counts
    /// as a change of `glob`, whose literal prefix is `prefix`. The status memo asks the same.
    static func changedPath(_ path: String, matches glob: Glob, below prefix: String) -> Bool {
        path.hasPrefix(prefix) && (prefix.isEmpty || path.count == prefix.count || path.dropFirst(prefix.count).first == "/")
            && (glob.takesEverythingBelowPrefix || glob.matches(path))
    }

    private func lowerBound(_ prefix: String) -> Int {
        var low = 0, high = paths.count
        while low < high {
            let mid = (low + high) / 2
            if paths[mid] < prefix { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Commits that changed `path`, earliest first (by `CommitOrder`).
    func commits(changing path: String) -> [String] {
        inOrder(byPath[path] ?? [])
    }

    /// Commits that changed `path` and that `commit` does not contain, earliest first.
    func commits(changing path: String, after commit: String) -> [String] {
        guard let id = ObjectID(hex: commit), let since = indexOf[id] else { return [] }
        return inOrder((byPath[path] ?? []).filter { $0 != since && !isAncestor($0, of: since) })
    }

    /// Commits that changed a path matching any of `globs`, earliest first.
    func commits(matching globs: [String]) -> [String] {
        inOrder(Array(Set(globs.flatMap { changes(matching: $0).all })))
    }

    private func inOrder(_ positions: [Int]) -> [String] {
        positions.map(order).sorted().map(\.id.hex)
    }

    /// A commit's place in the order every run agrees on; nil for one the index does not hold.
    func order(of commit: String) -> CommitOrder? {
        ObjectID(hex: commit).flatMap { indexOf[$0] }.map(order)
    }

    func contains(_ descendant: String, _ ancestor: String) -> Bool {
        guard let d = ObjectID(hex: descendant).flatMap({ indexOf[$0] }), let a = ObjectID(hex: ancestor).flatMap({ indexOf[$0] }) else {
            return false
        }
        return isAncestor(a, of: d)
    }

    /// Whether commit `a` is reachable from commit `b` (indexes into the topological order).
    func isAncestor(_ a: Int, of b: Int) -> Bool {
        if a == b { return true }
        if a > b { return false }
        if let chainB = mainline[b] {
            if let chainA = mainline[a] { return chainA < chainB }
            if let merged = mergedAt[a] { return merged <= chainB }
        }
        // Off the first-parent chain: search b's ancestry, never below a's position.
        var seen = Set<Int>()
        var stack = [b]
        while let next = stack.popLast() {
            for parent in parents[next] where parent >= a && seen.insert(parent).inserted {
                if parent == a { return true }
                stack.append(parent)
            }
        }
        return false
    }
}
