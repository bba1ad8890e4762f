import Testing
import TestSupport
import TMGit
import ThreatModel
@testable import TMRepoKit

/// The staleness index against a brute-force answer on generated commit graphs (no repository):
/// ancestry by explicit reachability, and "the first change after V" by scanning every commit.
/// An index grown by appends must hold the graph one built at once holds, and one fed the same
/// commits in another topological order (a cache's appends against a fresh walk) must name the
/// same commits.
struct EvidenceIndexTests {
    /// A generated history: records in topological order, and the points where every commit so far
    /// is an ancestor of the last one (where a run could have stopped and appended later).
    struct History {
        var records: [CommitRecord] = []
        var cuts: [Int] = []
    }

    static let paths = ["src/a.ts", "src/b.ts", "src/deep/c.ts", "infra/main.tf", "docs/readme.md"]

    static func id(_ number: Int) -> ObjectID {
        var bytes = [UInt8](repeating: 0, count: 20)
        withUnsafeBytes(of: UInt64(number + 1).bigEndian) { bytes.replaceSubrange(12..<20, with: $0) }
        return ObjectID(bytes: bytes)
    }

    /// Mainline commits, side branches merged back, and now and then HEAD moving to a branch that
    /// merged the mainline (its first-parent chain then leaves the old one).
    static func generate(seed: UInt64, commits: Int) -> History {
        var random = SeededGenerator(seed: seed)
        var history = History()
        var mainline: Int?
        var branch: Int?
        func commit(_ parents: [Int]) -> Int {
            let number = history.records.count
            let changed = paths.filter { _ in random.next() % 3 == 0 }
            history.records.append(CommitRecord(
                // Clocks are not to be trusted: some commits are dated before their parents.
                id: id(number), parents: parents.map(id), rootTree: id(100_000 + number),
                time: 1_700_000_000 + Int64(number) * 60 - Int64(random.next() % 4 == 0 ? random.next() % 3_600 : 0),
                offsetMinutes: 0, author: Identity(name: "A", email: "a@example.com"), committer: Identity(name: "A", email: "a@example.com"),
                reviewedIDs: [], threatFiles: [], changedPaths: changed))
            return number
        }
        mainline = commit([])
        while history.records.count < commits {
            switch random.next() % 10 {
            case 0...3:
                mainline = commit([mainline!])
            case 4...6:
                branch = commit([branch ?? mainline!])
            case 7, 8:
                if let side = branch {
                    mainline = commit([mainline!, side])
                    branch = nil
                } else {
                    mainline = commit([mainline!])
                }
            default:
                if let side = branch {
                    // The branch merges the mainline and becomes it.
                    mainline = commit([side, mainline!])
                    branch = nil
                } else {
                    mainline = commit([mainline!])
                }
            }
            if branch == nil && mainline == history.records.count - 1 { history.cuts.append(history.records.count) }
        }
        if branch != nil || mainline != history.records.count - 1 {
            _ = commit([mainline!] + (branch.map { [$0] } ?? []))
        }
        if history.cuts.last != history.records.count { history.cuts.append(history.records.count) }
        return history
    }

    /// Reachability by brute force: ancestors[i] holds every commit reachable from i (itself included).
    static func ancestors(_ records: [CommitRecord]) -> [Set<Int>] {
        var index: [ObjectID: Int] = [:]
        var out: [Set<Int>] = []
        for (number, record) in records.enumerated() {
            index[record.id] = number
            var reach: Set<Int> = [number]
            for parent in record.parents { reach.formUnion(out[index[parent]!]) }
            out.append(reach)
        }
        return out
    }

    /// The order every run must agree on, by brute force: longest path from a root, time, id.
    static func orders(_ records: [CommitRecord]) -> [CommitOrder] {
        var index: [ObjectID: Int] = [:]
        var out: [CommitOrder] = []
        for (number, record) in records.enumerated() {
            index[record.id] = number
            let generation = record.parents.map { out[index[$0]!].generation + 1 }.max() ?? 0
            out.append(CommitOrder(generation: generation, time: record.time, id: record.id))
        }
        return out
    }

    /// The same commits in another topological order: Kahn's algorithm taking a random ready commit.
    static func shuffledTopologically(_ records: [CommitRecord], seed: UInt64) -> [CommitRecord] {
        var random = SeededGenerator(seed: seed)
        let index = Dictionary(uniqueKeysWithValues: records.enumerated().map { ($1.id, $0) })
        var waiting = records.map { Set($0.parents.compactMap { index[$0] }).count }
        var children = [[Int]](repeating: [], count: records.count)
        for (number, record) in records.enumerated() {
            for parent in Set(record.parents.compactMap({ index[$0] })) { children[parent].append(number) }
        }
        var ready = records.indices.filter { waiting[$0] == 0 }
        var out: [CommitRecord] = []
        while !ready.isEmpty {
            let next = ready.remove(at: Int(random.next() % UInt64(ready.count)))
            out.append(records[next])
            for child in children[next] {
                waiting[child] -= 1
                if waiting[child] == 0 { ready.append(child) }
            }
        }
        return out
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func appendsGiveTheGraphAndAnswersOfOneBuildAndOfBruteForce(seed: UInt64) throws {
        let history = Self.generate(seed: seed, commits: 160)
        let records = history.records
        let whole = EvidenceIndex(records: records)

        // Grown in the chunks a run after each cut would append.
        var start = 0
        var grown: EvidenceIndex?
        for cut in history.cuts {
            let chunk = Array(records[start..<cut])
            if let index = grown { index.append(chunk) } else { grown = EvidenceIndex(records: chunk) }
            start = cut
        }
        let appended = try #require(grown)
        #expect(appended.mainline == whole.mainline, "seed \(seed): chain positions")
        #expect(appended.mergedAt == whole.mergedAt, "seed \(seed): merge points")

        let reach = Self.ancestors(records)
        let orders = Self.orders(records)
        // Another topological order of the same commits (HEAD, the only commit without children, stays last).
        let shuffled = EvidenceIndex(records: Self.shuffledTopologically(records, seed: seed &* 31))
        for b in records.indices {
            for a in records.indices where appended.isAncestor(a, of: b) != reach[b].contains(a) {
                Issue.record("seed \(seed): isAncestor(\(a), of: \(b)) should be \(reach[b].contains(a))")
            }
        }
        for pattern in ["src/**", "infra/*.tf", "docs/readme.md", "nothing/**"] {
            let glob = Glob(pattern)
            for verified in records.indices {
                let expected = records.indices.filter { candidate in
                    !reach[verified].contains(candidate) && records[candidate].changedPaths.contains { glob.matches($0) }
                }.min { orders[$0] < orders[$1] }
                for (name, index) in [("appended", appended), ("whole", whole), ("shuffled", shuffled)] {
                    let answer = index.firstChange(matching: [pattern], after: records[verified].id.hex)
                    #expect(answer == expected.map { records[$0].id.hex }, "seed \(seed), \(name): first change of \(pattern) after \(verified)")
                }
            }
            #expect(shuffled.commits(matching: [pattern]) == appended.commits(matching: [pattern]), "seed \(seed): commits matching \(pattern)")
        }
        for path in Self.paths {
            let expected = records.indices.filter { records[$0].changedPaths.contains(path) }.sorted { orders[$0] < orders[$1] }
            #expect(shuffled.commits(changing: path) == expected.map { records[$0].id.hex }, "seed \(seed): commits changing \(path)")
            #expect(appended.commits(changing: path) == expected.map { records[$0].id.hex }, "seed \(seed): commits changing \(path)")
            for verified in records.indices where verified % 7 == 0 {
                let since = records[verified].id.hex
                #expect(shuffled.commits(changing: path, after: since) == appended.commits(changing: path, after: since),
                        "seed \(seed): commits changing \(path) after \(verified)")
            }
        }
    }

    @Test func headMovingOffTheOldChainRecomputesTheGraph() throws {
        // 0 ← 1 (old HEAD); 0 ← 2 (branch); 3 = merge with first parent 2, second 1: the chain leaves 1.
        func record(_ number: Int, _ parents: [Int], _ paths: [String]) -> CommitRecord {
            CommitRecord(id: Self.id(number), parents: parents.map(Self.id), rootTree: Self.id(900 + number), time: Int64(number),
                         offsetMinutes: 0, author: Identity(name: "A", email: "a@x"), committer: Identity(name: "A", email: "a@x"),
                         reviewedIDs: [], threatFiles: [], changedPaths: paths)
        }
        let first = [record(0, [], ["src/a.ts"]), record(1, [0], ["src/a.ts"])]
        let index = EvidenceIndex(records: first)
        index.append([record(2, [0], ["src/b.ts"]), record(3, [2, 1], [])])
        let whole = EvidenceIndex(records: first + [record(2, [0], ["src/b.ts"]), record(3, [2, 1], [])])
        #expect(index.mainline == whole.mainline)
        #expect(index.mergedAt == whole.mergedAt)
        #expect(index.mainline[1] == nil, "the old HEAD is off the new chain")
        #expect(index.firstChange(matching: ["src/**"], after: Self.id(1).hex) == Self.id(2).hex)
        #expect(index.firstChange(matching: ["src/**"], after: Self.id(2).hex) == Self.id(1).hex)
    }
}
