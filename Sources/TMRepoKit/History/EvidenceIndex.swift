import TMGit
import ThreatModel

/// Answers "did a path matching these globs change after commit V?" exactly as
/// `git log V..HEAD -- <paths>` would: a change counts when its commit is reachable from HEAD
/// but not from V. Built once per run from the commit records, in O(commits + changed paths).
final class EvidenceIndex: EvidenceOracle, @unchecked Sendable {
    private var ids: [ObjectID] = []
    private var indexOf: [ObjectID: Int] = [:]
    private var parents: [[Int]] = []
    /// Position on HEAD's first-parent chain, nil for commits off it.
    private(set) var mainline: [Int?] = []
    /// For commits off the chain: the chain position of the first chain commit that contains them.
    private(set) var mergedAt: [Int?] = []
    private var byPath: [String: [Int]] = [:]
    /// `byPath`'s keys, sorted (built on first use).
    private lazy var paths: [String] = byPath.keys.sorted()
    private var firstParents: [ObjectID?] = []
    /// `changes(matching:)` per glob pattern; emptied when commits are appended.
    private var changesByPattern: [String: Changes] = [:]

    /// The commits that changed a path matching one pattern, ascending: all of them, and those off
    /// HEAD's first-parent chain.
    private struct Changes {
        let all: [Int]
        let offChain: [Int]
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
        let parents: [[Int]]
        let firstParents: [Int]
        let byPath: [String: [Int]]
    }

    var state: State {
        State(ids: ids, parents: parents, firstParents: firstParents.map { $0.flatMap { indexOf[$0] } ?? -1 }, byPath: byPath)
    }

    /// The index `state` was taken from.
    init(restoring state: State) {
        ids = state.ids
        indexOf.reserveCapacity(ids.count)
        for (index, id) in ids.enumerated() { indexOf[id] = index }
        parents = state.parents
        firstParents = state.firstParents.map { $0 >= 0 && $0 < state.ids.count ? state.ids[$0] : nil }
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
    }

    private func add(_ records: [CommitRecord]) {
        indexOf.reserveCapacity(ids.count + records.count)
        for record in records {
            let index = ids.count
            ids.append(record.id)
            indexOf[record.id] = index
            parents.append(record.parents.compactMap { indexOf[$0] })
            firstParents.append(record.parents.first)
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
            cursor = firstParents[current].flatMap { indexOf[$0] }
        }
        guard cursor == known - 1 else { return false }
        mainline += [Int?](repeating: nil, count: ids.count - known)
        mergedAt += [Int?](repeating: nil, count: ids.count - known)
        for (offset, index) in chain.reversed().enumerated() { mainline[index] = oldHead + 1 + offset }
        for index in chain.reversed() { markMerged(into: index, position: mainline[index]!) }
        return true
    }

    /// The first-parent chain from the last commit (HEAD) and, for commits off it, where they joined it.
    private func computeGraph() {
        var mainline = [Int?](repeating: nil, count: ids.count)
        var chain: [Int] = []
        var cursor = ids.isEmpty ? nil : ids.count - 1
        while let current = cursor {
            chain.append(current)
            cursor = firstParents[current].flatMap { indexOf[$0] }
        }
        chain.reverse()
        for (position, index) in chain.enumerated() { mainline[index] = position }
        self.mainline = mainline
        self.mergedAt = [Int?](repeating: nil, count: ids.count)
        for (position, index) in chain.enumerated() { markMerged(into: index, position: position) }
    }

    /// Gives the commits a chain commit's other parents bring in (and not yet merged) its position.
    private func markMerged(into index: Int, position: Int) {
        var stack = parents[index].dropFirst().filter { mainline[$0] == nil && mergedAt[$0] == nil }
        while let next = stack.popLast() {
            guard mergedAt[next] == nil else { continue }
            mergedAt[next] = position
            stack += parents[next].filter { mainline[$0] == nil && mergedAt[$0] == nil }
        }
    }

    func firstChange(matching globs: [String], after commit: String) -> String? {
        guard let id = ObjectID(hex: commit), let verified = indexOf[id] else { return nil }
        var best: Int?
        for pattern in globs {
            // The first commit, in topological order, that changed a matching path and is not
            // contained in the verified one.
            let found = changes(matching: pattern)
            if let chainPosition = mainline[verified] {
                // Verified on the chain (the usual case): what it does not contain is every later
                // commit, and the earlier ones off the chain merged after it; no scan of the
                // (often thousands of) earlier changes it does contain.
                let later = upperBound(found.all, verified)
                if later < found.all.count, found.all[later] < (best ?? .max) { best = found.all[later] }
                for candidate in found.offChain {
                    guard candidate < (best ?? .max) else { break }
                    if candidate > verified || mergedAt[candidate].map({ $0 > chainPosition }) ?? !isAncestor(candidate, of: verified) {
                        best = candidate
                        break
                    }
                }
                continue
            }
            for candidate in found.all {
                guard candidate < (best ?? .max) else { break }
                if candidate != verified && !isAncestor(candidate, of: verified) {
                    best = candidate
                    break
                }
            }
        }
        return best.map { ids[$0].hex }
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
            guard prefix.isEmpty || path.count == prefix.count || path.dropFirst(prefix.count).first == "/",
                  glob.matches(path) else { continue }
            found += byPath[path]!
        }
        found.sort()
        let changes = Changes(all: found, offChain: found.filter { mainline[$0] == nil })
        changesByPattern[pattern] = changes
        return changes
    }

    private func lowerBound(_ prefix: String) -> Int {
        var low = 0, high = paths.count
        while low < high {
            let mid = (low + high) / 2
            if paths[mid] < prefix { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Commits that changed `path`, oldest first.
    func commits(changing path: String) -> [String] {
        (byPath[path] ?? []).map { ids[$0].hex }
    }

    /// Commits that changed `path` and that `commit` does not contain, oldest first.
    func commits(changing path: String, after commit: String) -> [String] {
        guard let id = ObjectID(hex: commit), let since = indexOf[id] else { return [] }
        return (byPath[path] ?? []).filter { $0 != since && !isAncestor($0, of: since) }.map { ids[$0].hex }
    }

    /// Commits that changed a path matching any of `globs`, oldest first.
    func commits(matching globs: [String]) -> [String] {
        Set(globs.flatMap { changes(matching: $0).all }).sorted().map { ids[$0].hex }
    }

    /// Position in topological order (parents first).
    func position(of commit: String) -> Int? {
        ObjectID(hex: commit).flatMap { indexOf[$0] }
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
