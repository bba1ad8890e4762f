import Foundation
import Testing
import TestSupport
@testable import TMGit

/// The history listing reads commits itself (`commitsReachable`); libgit2's revwalk is the
/// reference. Both must give the same commits, in the same order (ties in time included), with
/// the same authors, committers and messages, on packed and loose commits alike.
struct CommitListingTests {
    /// Generated histories: four branches merging into each other (octopus merges too), commit
    /// times drawn from a few minutes so that many are equal, some going backwards.
    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func listingMatchesLibgit2sRevwalk(seed: UInt64) throws {
        let dir = try TempDir("listing-\(seed)")
        let git = try GitDriver.initialize(dir.path)
        var random = SeededGenerator(seed: seed)
        var stream = ""
        var tips: [Int: Int] = [:]   // branch → mark of its last commit
        let zones = ["+0000", "-0700", "+0530", "+1400", "-1200"]
        for index in 1...400 {
            let branch = Int.random(in: 0..<4, using: &random)
            let time = 1_700_000_000 + Int.random(in: 0..<6, using: &random) * 60 + index / 40 * 600
            stream += "commit refs/heads/b\(branch)\nmark :\(index)\n"
            stream += "author A\(index % 7) <a\(index % 7)@example.com> \(time - 30) \(zones.randomElement(using: &random)!)\n"
            stream += "committer C\(index % 3) <c@example.com> \(time) \(zones.randomElement(using: &random)!)\n"
            let message = index % 11 == 0 ? "\n\nleading blank lines \(index)\n" : "change \(index)\n\nReviewed-threat: T-\(index)\n"
            stream += "data \(message.utf8.count)\n\(message)\n"
            if let tip = tips[branch] {
                stream += "from :\(tip)\n"
            } else if let any = tips.values.min() {
                stream += "from :\(any)\n"
            }
            // Now and then merge one or two other branches.
            if tips[branch] != nil, index % 5 == 0 {
                let others = tips.filter { $0.key != branch }.map(\.value).sorted().shuffled(using: &random).prefix(index % 3 == 0 ? 2 : 1)
                for other in others { stream += "merge :\(other)\n" }
            }
            stream += "M 100644 inline f\(index % 30).txt\ndata 4\nv\(index % 9)\n\n"
            tips[branch] = index
        }
        // One branch holds everything: merge the others into b0 last.
        stream += "commit refs/heads/main\nmark :401\ncommitter C <c@example.com> 1700000000 +0000\ndata 6\nmerge\nfrom :\(tips[0] ?? 400)\n"
        for (branch, tip) in tips.sorted(by: { $0.key < $1.key }) where branch != 0 { stream += "merge :\(tip)\n" }
        stream += "\n"
        let imported = try runProcess("/usr/bin/env", ["git", "fast-import", "--quiet"], cwd: dir.path, stdin: stream)
        try #require(imported.status == 0, "fast-import: \(imported.stderr)")
        try git.run(["repack", "-adq"])
        // Two commits on top stay loose: the listing reads those through libgit2.
        try git.run(["checkout", "-q", "main"])
        try dir.write("loose.txt", "1\n")
        try git.commitAll("loose one", date: "2023-11-14T22:13:20Z")
        try dir.write("loose.txt", "2\n")
        try git.commitAll("loose two", date: "2023-11-14T22:13:20Z")
        try expectSameListing(in: dir.path, count: 403)
    }

    /// Commits written by other tools or by hand: the listing parses the ones written as git
    /// writes them and leaves the rest to libgit2, and every field comes out as libgit2 has it.
    @Test func unusualCommitsReadAsLibgit2ReadsThem() throws {
        let dir = try TempDir("listing-odd")
        let git = try GitDriver.initialize(dir.path)
        let tree = try git.run(["mktree"], stdin: "").trimmingCharacters(in: .whitespacesAndNewlines)
        let plain = "author A <a@example.com> 1700000000 +0000\ncommitter C <c@example.com> 1700000000 +0000\n"
        let bodies: [[UInt8]] = [
            Array("\(plain)encoding ISO-8859-1\ngpgsig -----BEGIN PGP SIGNATURE-----\n line\n -----END PGP SIGNATURE-----\n\n\n\nTitle after blank lines\n".utf8),
            Array("author A <a@example.com> 1700000000 +0000\nauthor B <b@example.com> 1700000001 +0000\ncommitter C <c@example.com> 1700000002 +0000\n\ntwo authors\n".utf8),
            Array("author  .Jane \"J\" Doe, <  jane@example.com. > 1700000000 +0130\ncommitter \t'Q' <q@x;> 1700000003 -0045\n\ncrud around names\n".utf8),
            Array("author A <a@example.com> 1700000000 +1500\ncommitter C <c@example.com> 1700000004 -0099\n\nzones out of range\n".utf8),
            Array("author A <a@example.com> 1700000000\ncommitter C <c@example.com> 1700000005\n\nno zones\n".utf8),
            Array("author A <a@example.com>\ncommitter C <c@example.com> 0001700000006 +0000\n\nno time, leading zeros\n".utf8),
            Array(plain.utf8),   // headers only: no message
            Array("author Zo\u{EB} <z@example.com> 1700000007 +0100\ncommitter L".utf8) + [0xE9, 0xFF] + Array(" <l@example.com> 1700000007 +0100\n\nbad ".utf8) + [0xC3, 0x28] + Array(" bytes\r\nCRLF\n".utf8),
            Array("author A <b> <a@example.com> 1700000008 +0000\ncommitter C <c@example.com> 1700000008 +0000\n\ntwo opening brackets\n".utf8),
            Array("\(plain)\n\n\n".utf8),
            Array("author A <a@example.com> 1700000009 +0000 \ncommitter C <c@example.com>  1700000009 +0000\n\ntrailing and double spaces\n".utf8),
            Array("\(plain)committer D <d@example.com> 1700000010 +0000\n\ntwo committers\n".utf8),
        ]
        // Which of them the listing reads itself (the rest go to libgit2).
        let parsedHere = [true, false, true, true, false, false, true, true, false, true, false, false]
        var parent: String?
        for (index, body) in bodies.enumerated() {
            let header = "tree \(tree)\n" + (parent.map { "parent \(index == 5 ? $0.uppercased() : $0)\n" } ?? "")
            let object = Array(header.utf8) + body
            let parsed = object.withUnsafeBufferPointer { CommitText.parse($0, id: ObjectID(bytes: [UInt8](repeating: 0, count: 20)), names: StringInterner()) }
            #expect((parsed != nil) == parsedHere[index], "commit \(index)")
            try dir.write("commit-\(index)", bytes: object)
            parent = try git.run(["hash-object", "-t", "commit", "-w", "--literally", dir.url("commit-\(index)")])
                .trimmingCharacters(in: .whitespacesAndNewlines)
            try dir.remove("commit-\(index)")
        }
        try git.run(["update-ref", "refs/heads/main", parent!])
        try expectSameListing(in: dir.path, count: bodies.count)
        try git.run(["repack", "-adq"])
        try expectSameListing(in: dir.path, count: bodies.count)
    }

    /// Past libgit2's 16-bit counts there is no order of its own to give (libgit2 refuses more
    /// than 65,535 parents, and a child count past that wraps in its sort): nil, and the caller
    /// lets libgit2's walk answer.
    @Test func countsPastSixteenBitsHaveNoOrderOfTheirOwn() {
        let many = RevwalkOrder.countLimit + 1
        let times = [Int64](repeating: 1, count: many + 1)
        var distinctParents = [[Int]](repeating: [], count: many + 1)
        distinctParents[0] = Array(1...many)
        #expect(RevwalkOrder.parentsFirst(times: times, parents: distinctParents) == nil)
        distinctParents[0].removeLast()
        #expect(RevwalkOrder.parentsFirst(times: Array(times.dropLast()), parents: Array(distinctParents.dropLast()))?.count == many)
        // One parent named by as many children as the count holds.
        var children = [[Int]](repeating: [0], count: many)
        children[0] = []
        #expect(RevwalkOrder.parentsFirst(times: [Int64](repeating: 1, count: many), parents: children) == nil)
    }

    private func expectSameListing(in path: String, count: Int) throws {
        let repository = try Repository.open(at: path)
        let head = try #require(try repository.headCommit())
        let ours = try repository.commitsReachable(from: head)
        var theirs: [CommitInfo] = []
        try repository.revwalk(from: [head], hiding: []) { theirs.append($0) }
        #expect(ours.count == count)
        #expect(ours.map(\.id) == theirs.map(\.id))
        for (mine, reference) in zip(ours, theirs) {
            #expect(mine.parents == reference.parents, "\(mine.id)")
            #expect(mine.tree == reference.tree, "\(mine.id)")
            #expect(mine.author == reference.author, "\(mine.id)")
            #expect(mine.committer == reference.committer, "\(mine.id)")
            #expect(mine.message == reference.message, "\(mine.id)")
        }
    }
}
