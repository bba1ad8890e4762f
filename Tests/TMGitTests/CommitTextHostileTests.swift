import Foundation
import Testing
import TestSupport
@testable import TMGit

/// Written in a hostile review: the history listing (`commitsReachable`, CommitText and
/// RevwalkOrder) against libgit2's revwalk and git_commit_lookup, on hand-made commit objects
/// git itself would never write.
struct CommitTextHostileTests {
    private static let tree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"   // the empty tree

    private func hashObject(_ dir: TempDir, _ git: GitDriver, _ bytes: [UInt8]) throws -> String {
        let name = "obj-\(UUID().uuidString)"
        try dir.write(name, bytes: bytes)
        defer { try? dir.remove(name) }
        return try git.run(["hash-object", "-t", "commit", "-w", "--literally", dir.url(name)])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func describe(_ result: Result<[CommitInfo], Error>) -> String {
        switch result {
        case .failure(let error): return "error(\(error))"
        case .success(let commits):
            return commits.map { c in
                "\(c.id) p=\(c.parents) t=\(c.tree) a=\(Array(c.author.name.utf8))/\(Array(c.author.email.utf8))/\(c.author.time)/\(c.author.offsetMinutes) "
                    + "c=\(Array(c.committer.name.utf8))/\(Array(c.committer.email.utf8))/\(c.committer.time)/\(c.committer.offsetMinutes) m=\(Array(c.message.utf8))"
            }.joined(separator: "\n")
        }
    }

    /// Ours and libgit2's, as bytes (so canonically equivalent strings do not compare equal).
    private func compare(_ path: String, from tip: ObjectID) throws -> (ours: String, theirs: String) {
        let repository = try Repository.open(at: path)
        let ours = Result { try repository.commitsReachable(from: tip) }
        let theirs = Result { () -> [CommitInfo] in
            var list: [CommitInfo] = []
            try repository.revwalk(from: [tip], hiding: []) { list.append($0) }
            return list
        }
        return (describe(ours), describe(theirs))
    }

    /// Many odd single commits, each a root on its own branch, packed (the parser reads packed
    /// commits only). Every one must come out of the listing exactly as libgit2 has it.
    @Test func oddSingleCommitsMatchLibgit2() throws {
        let dir = try TempDir("hostile-odd")
        let git = try GitDriver.initialize(dir.path)
        let sig = "A <a@example.com> 1700000000 +0000"
        func c(_ rest: String) -> [UInt8] { Array("tree \(Self.tree)\n".utf8) + Array(rest.utf8) }
        let cases: [[UInt8]] = [
            c("author \(sig)\ncommitter \(sig)\n\nplain\n"),
            c("author <> 0 +0000\ncommitter <> 0 -0000\n\nempty name and email, time 0\n"),
            c("author A<a@b>  1 +0000\ncommitter A <a@b> 999999999999999999 +1459\n\n18 digits\n"),
            c("author A <a@b> 1 +1460\ncommitter A <a@b> 2 -1500\n\nzones\n"),
            c("author A <a@b> 1 +9999\ncommitter A <a@b> 2 -0059\n\nzones 2\n"),
            c("author \u{7F}A\u{7F} <\u{7F}a\u{7F}> 1 +0000\ncommitter A <a@b> 2 +0000\n\nDEL is no crud\n"),
            c("author \t\r A \u{0B} <\u{0C}a@b\u{01}> 1 +0000\ncommitter ;:,.'\"\\A\\\"'.,:; <;a;> 2 +0000\n\nall crud\n"),
            c("author ;;; <;;;> 1 +0000\ncommitter C <c> 2 +0000\n\nonly crud\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 2 +0000\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 2 +0000\nx-extra header\n continued\n\n\n\nmessage after blanks\n\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 2 +0000\n\nno final newline"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 2 +0000\nunterminated header"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 2 +0000\n\n\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 2 +0000\n\n\r\n\r\nCR\r\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 2 +0000\n\nx\n\n\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 2 +0000\n author in continuation\nauthorX y\ncommitterfoo\n\nm\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 00000000000000000002 +0000\n\n20 digits, zeros\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 2 +00000\n\nfive zone digits\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 2 +000\n\nthree zone digits\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 2 0000\n\nno sign\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c>\t2 +0000\n\ntab before time\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c> +2 +0000\n\nsigned time\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 2\t+0000\n\ntab before zone\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 2 +0000\r\n\nCR on committer\n"),
            c("author A <a@b> 1 +0000\r\ncommitter C <c> 2 +0000\n\nCR on author\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 2 +0000 \n\ntrailing space\n"),
            c("author A >a@b< 1 +0000\ncommitter C <c> 2 +0000\n\nreversed brackets\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 2 +0000\n\nmessage <with> > brackets <\n"),
            c("author Jos\u{E9} M\u{FC}ller <j@\u{E9}.example> 1 +0100\ncommitter \u{1F600} <e@x> 2 -0230\n\n\u{1F600} unicode\n"),
            Array("tree \(Self.tree)\nauthor ".utf8) + [0xC0, 0x80, 0xED, 0xA0, 0x80, 0xF4, 0x90, 0x80, 0x80, 0x20] + Array("<a@b> 1 +0000\ncommitter C <".utf8)
                + [0xFF, 0xFE] + Array("> 2 +0000\n\nbad ".utf8) + [0xE2, 0x82] + Array("\n".utf8),
            Array("tree \(Self.tree)\nauthor A <a@b> 1 +0000\ncommitter C <c> 2 +0000\n\n".utf8) + [UInt8](repeating: 0x41, count: 3 << 20) + [0x0A],
            c("author " + String(repeating: "N", count: 200_000) + " <a@b> 1 +0000\ncommitter C <c> 2 +0000\n\nlong name\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 2 +0000\nencoding ISO-8859-1\n\nencoded\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 2 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n x\n -----END PGP SIGNATURE-----\n\nsigned\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 2 +0000\ngpgsig x\n\n inner blank line ends the headers\n\nm\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 9223372036854775807 +0000\n\nInt64.max\n"),
            c("author A <a@b> 1 +0000\ncommitter C <c> 17179869185 +0000\n\n2^34+1\n"),
        ]
        var ids: [String] = []
        for (index, body) in cases.enumerated() {
            let id = try hashObject(dir, git, body)
            try git.run(["update-ref", "refs/heads/c\(index)", id])
            ids.append(id)
        }
        try git.run(["repack", "-adq"])
        var accepted: [Int] = []
        for (index, body) in cases.enumerated() {
            let parsed = body.withUnsafeBufferPointer { CommitText.parse($0, id: ObjectID(bytes: [UInt8](repeating: 0, count: 20)), names: StringInterner()) }
            if parsed != nil { accepted.append(index) }
            let (ours, theirs) = try compare(dir.path, from: try #require(ObjectID(hex: ids[index])))
            // Both failing is agreement (the messages name different operations).
            #expect(ours == theirs || (ours.hasPrefix("error") && theirs.hasPrefix("error")), "case \(index)")
        }
        // Those read here (the rest went to libgit2): every one that is written as git writes.
        #expect(accepted == [0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 27, 28, 29, 30, 31, 32, 33, 34, 36], "\(accepted)")
    }

    /// libgit2 counts in 16 bits: a commit named 65,535 times as a parent wraps its child count
    /// (`in_degree`) to 0, and libgit2's sort never emits it; past 65,535 parents its revwalk
    /// fails ("commit has more than 2^16 parents"). Git writes no such commit, but one can be
    /// written; the listing must not disagree.
    @Test(arguments: [65_535, 65_536])
    func aParentNamedPastSixteenBitsListsAsLibgit2Does(times: Int) throws {
        let dir = try TempDir("hostile-degree")
        let git = try GitDriver.initialize(dir.path)
        let root = try hashObject(dir, git, Array("tree \(Self.tree)\nauthor A <a@b> 1 +0000\ncommitter A <a@b> 1 +0000\n\nroot\n".utf8))
        var text = "tree \(Self.tree)\n"
        text += String(repeating: "parent \(root)\n", count: times)
        text += "author A <a@b> 2 +0000\ncommitter A <a@b> 2 +0000\n\nmany parents\n"
        let tip = try hashObject(dir, git, Array(text.utf8))
        try git.run(["update-ref", "refs/heads/main", tip])
        try git.run(["repack", "-adq"])
        let (ours, theirs) = try compare(dir.path, from: try #require(ObjectID(hex: tip)))
        #expect(ours == theirs || (ours.hasPrefix("error") && theirs.hasPrefix("error")),
                "ours: \(ours.prefix(200))\nlibgit2: \(theirs.prefix(200))")
    }

    /// With a commit-graph file (git gc writes one by default), libgit2 1.5.1's revwalk takes each
    /// commit's time from the graph, where git put the time *it* read: 0 for a commit with two
    /// author lines, the low 34 bits for a time past 2^34. The listing takes the commit's own.
    @Test(arguments: ["author A <a@b> 1000 +0000\nauthor B <b@b> 1000 +0000\ncommitter C <c> 1000 +0000\n",
                      "author A <a@b> 17179869284 +0000\ncommitter C <c> 17179869284 +0000\n"])
    func orderWithCommitGraphAsLibgit2Has(oddSignatures: String) throws {
        let dir = try TempDir("hostile-graph")
        let git = try GitDriver.initialize(dir.path)
        let root = try hashObject(dir, git, Array("tree \(Self.tree)\nauthor R <r> 100 +0000\ncommitter R <r> 100 +0000\n\nroot\n".utf8))
        let a = try hashObject(dir, git, Array("tree \(Self.tree)\nparent \(root)\n\(oddSignatures)\nodd A\n".utf8))
        let b = try hashObject(dir, git, Array("tree \(Self.tree)\nparent \(root)\nauthor B <b> 500 +0000\ncommitter B <b> 500 +0000\n\nB\n".utf8))
        let merge = try hashObject(dir, git, Array("tree \(Self.tree)\nparent \(a)\nparent \(b)\nauthor M <m> 2000 +0000\ncommitter M <m> 2000 +0000\n\nmerge\n".utf8))
        try git.run(["update-ref", "refs/heads/main", merge])
        try git.run(["repack", "-adq"])
        let tip = try #require(ObjectID(hex: merge))
        let before = try compare(dir.path, from: tip)
        #expect(before.ours == before.theirs, "without a commit-graph")
        // Generation-data graphs (git 2.34+'s default) are not opened by libgit2 1.5.1; a v1
        // graph (older git, JGit, or commitGraph.generationVersion=1) is, and its times win.
        try git.run(["-c", "commitGraph.generationVersion=1", "commit-graph", "write", "--reachable"])
        let after = try compare(dir.path, from: tip)
        #expect(after.ours == after.theirs, "with a commit-graph")
    }

    /// The interner keys by String, whose == is canonical equivalence: "é" (U+00E9) and
    /// "e\u{301}" are one key, so one commit's name comes out as another commit's bytes.
    @Test func canonicallyEquivalentNamesKeepTheirBytes() throws {
        let dir = try TempDir("hostile-nfc")
        let git = try GitDriver.initialize(dir.path)
        let older = try hashObject(dir, git, Array("tree \(Self.tree)\nauthor Ren\u{65}\u{301} <r@x> 1 +0000\ncommitter C <c> 1 +0000\n\nNFD\n".utf8))
        let newer = try hashObject(dir, git, Array("tree \(Self.tree)\nparent \(older)\nauthor Ren\u{E9} <r@x> 2 +0000\ncommitter C <c> 2 +0000\n\nNFC\n".utf8))
        try git.run(["update-ref", "refs/heads/main", newer])
        try git.run(["repack", "-adq"])
        let repository = try Repository.open(at: dir.path)
        let ours = try repository.commitsReachable(from: try #require(ObjectID(hex: newer)))
        let names = ours.map { Array($0.author.name.utf8) }
        #expect(names == [Array("Ren\u{65}\u{301}".utf8), Array("Ren\u{E9}".utf8)], "\(names)")
    }

    /// A parent that is not in the repository: an error, not a shorter list.
    @Test func missingParentIsAnError() throws {
        let dir = try TempDir("hostile-missing")
        let git = try GitDriver.initialize(dir.path)
        let tip = try hashObject(dir, git, Array("tree \(Self.tree)\nparent 1111111111111111111111111111111111111111\nauthor A <a@b> 1 +0000\ncommitter A <a@b> 1 +0000\n\nx\n".utf8))
        try git.run(["update-ref", "refs/heads/main", tip])
        // repack refuses (the parent is missing): pack the one commit by hand.
        try git.run(["pack-objects", "-q", ".git/objects/pack/pack"], stdin: tip + "\n")
        try git.run(["prune-packed"])
        let (ours, theirs) = try compare(dir.path, from: try #require(ObjectID(hex: tip)))
        #expect(ours.hasPrefix("error") && theirs.hasPrefix("error"), "ours: \(ours)\nlibgit2: \(theirs)")
    }

    /// Equal times everywhere, criss-cross merges, repeated parents, a long chain: same order.
    @Test func tiesCrissCrossAndRepeatsMatchLibgit2() throws {
        let dir = try TempDir("hostile-ties")
        let git = try GitDriver.initialize(dir.path)
        var random = SeededGenerator(seed: 7)
        var commits: [String] = []
        func make(_ parents: [String], _ time: Int, _ tag: Int) throws -> String {
            var text = "tree \(Self.tree)\n"
            for parent in parents { text += "parent \(parent)\n" }
            text += "author A <a@b> \(time) +0000\ncommitter A <a@b> \(time) +0000\n\n\(tag)\n"
            return try hashObject(dir, git, Array(text.utf8))
        }
        commits.append(try make([], 5, 0))
        for index in 1..<300 {
            let count = Int.random(in: 1...4, using: &random)
            var parents: [String] = []
            for _ in 0..<count { parents.append(commits[Int.random(in: max(0, commits.count - 8)..<commits.count, using: &random)]) }
            // Times: all equal mostly, some going backwards.
            let time = index % 17 == 0 ? 5 - index : 5
            commits.append(try make(parents, time, index))
        }
        // The tip merges everything not yet merged (so all are reachable), duplicates included.
        let tip = try make(commits.suffix(12) + commits.suffix(3), 5, 999)
        try git.run(["update-ref", "refs/heads/main", tip])
        try git.run(["repack", "-adq"])
        let (ours, theirs) = try compare(dir.path, from: try #require(ObjectID(hex: tip)))
        #expect(ours == theirs)
    }
}
