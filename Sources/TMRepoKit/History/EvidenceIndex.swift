import TMGit
import ThreatModel

/// Answers "did a path matching these globs change after commit V?" exactly as
/// `git log V..HEAD -- <paths>` would: a change counts when its commit is reachable from HEAD
/// but not from V. Built once per run from the commit records, in O(commits + changed paths).
final class EvidenceIndex: EvidenceOracle {
    private let ids: [ObjectID]
    private let indexOf: [ObjectID: Int]
    private let parents: [[Int]]
    /// Position on HEAD's first-parent chain, nil for commits off it.
    private let mainline: [Int?]
    /// For commits off the chain: the chain position of the first chain commit that contains them.
    private let mergedAt: [Int?]
    private let paths: [String]
    private let commitsByPath: [[Int]]

    /// `records` in topological order (parents first); the last one is HEAD.
    init(records: [CommitRecord]) {
        ids = records.map(\.id)
        var byID: [ObjectID: Int] = [:]
        byID.reserveCapacity(records.count)
        for (index, record) in records.enumerated() { byID[record.id] = index }
        self.indexOf = byID
        let parents = records.map { $0.parents.compactMap { byID[$0] } }
        self.parents = parents

        var mainline = [Int?](repeating: nil, count: records.count)
        var chain: [Int] = []
        var cursor = records.isEmpty ? nil : records.count - 1
        while let current = cursor {
            chain.append(current)
            cursor = records[current].parents.first.flatMap { byID[$0] }
        }
        chain.reverse()
        for (position, index) in chain.enumerated() { mainline[index] = position }
        var mergedAt = [Int?](repeating: nil, count: records.count)
        for (position, index) in chain.enumerated() {
            var stack = parents[index].dropFirst().filter { mainline[$0] == nil && mergedAt[$0] == nil }
            while let next = stack.popLast() {
                guard mergedAt[next] == nil else { continue }
                mergedAt[next] = position
                stack += parents[next].filter { mainline[$0] == nil && mergedAt[$0] == nil }
            }
        }
        self.mainline = mainline
        self.mergedAt = mergedAt

        var byPath: [String: [Int]] = [:]
        for (index, record) in records.enumerated() {
            for path in record.changedPaths { byPath[path, default: []].append(index) }
        }
        paths = byPath.keys.sorted()
        commitsByPath = paths.map { byPath[$0]! }
    }

    func firstChange(matching globs: [String], after commit: String) -> String? {
        guard let id = ObjectID(hex: commit), let verified = indexOf[id] else { return nil }
        var best: Int?
        for pattern in globs {
            let glob = Glob(pattern)
            let prefix = glob.literalPrefix
            // Every path that starts with the prefix sits in one run of the sorted list.
            var position = lowerBound(prefix)
            while position < paths.count, paths[position].hasPrefix(prefix) {
                let path = paths[position]
                defer { position += 1 }
                guard prefix.isEmpty || path.count == prefix.count || path.dropFirst(prefix.count).first == "/",
                      glob.matches(path) else { continue }
                for candidate in commitsByPath[position] where candidate != verified && candidate < (best ?? .max) {
                    if !isAncestor(candidate, of: verified) {
                        best = candidate
                        break
                    }
                }
            }
        }
        return best.map { ids[$0].hex }
    }

    private func lowerBound(_ prefix: String) -> Int {
        var low = 0, high = paths.count
        while low < high {
            let mid = (low + high) / 2
            if paths[mid] < prefix { low = mid + 1 } else { high = mid }
        }
        return low
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
