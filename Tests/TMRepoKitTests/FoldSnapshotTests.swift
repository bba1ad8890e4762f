import Foundation
import Testing
import TestSupport
import TMGit
import ThreatModel
@testable import TMRepoKit

/// A status run continues from the folded snapshot of the previous run and folds only the new
/// commits; what it answers is what a run without any cache answers, value for value. A snapshot
/// that is damaged, truncated or made under another key is never used, and is replaced.
struct FoldSnapshotTests {
    /// Everything a status-shaped analysis gives, compared whole.
    struct Answer: Equatable {
        let report: String
        let histories: [String: ThreatHistory]
        let lastActivity: [String: Int64]
        let problems: [String]
        let commitCount: Int
        let unreadableSince: [String: CommitRef]
        let index: EvidenceIndex.State?
    }

    func answer(_ root: String, cache: Bool, at tip: String? = nil) throws -> (answer: Answer, restored: Bool) {
        let location = try ModelLocation.find(store: try ModelStore.locate(explicit: root))
        let engine = HistoryEngine(location: location, useCache: cache)
        let analysis = try engine.analyze(at: tip, timelines: false)
        let report = try analysis.status(asOf: ISOTime.parse("2026-11-01")!)
        let answer = Answer(report: StatusFormatter.json(report, entries: report.entries).render(), histories: analysis.histories,
                            lastActivity: analysis.lastActivity, problems: analysis.problems.map(\.message),
                            commitCount: analysis.commitCount, unreadableSince: analysis.unreadableSince,
                            index: (analysis.evidence as? EvidenceIndex)?.state)
        return (answer, engine.restoredSnapshot)
    }

    /// A cached run: answers as an uncached one, continuing from the snapshot or not as `restored` says.
    func expectCached(_ root: String, restored: Bool, _ comment: Comment, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let cached = try answer(root, cache: true)
        #expect(cached.restored == restored, comment, sourceLocation: sourceLocation)
        #expect(try cached.answer == answer(root, cache: false).answer, comment, sourceLocation: sourceLocation)
    }

    func generated(_ dir: TempDir) throws -> String {
        let generator = HistoryCacheEquivalenceTests.generator
        try #require(FileManager.default.fileExists(atPath: generator), "the generator is expected at \(generator)")
        let root = dir.path + "/repo"
        let run = try runProcess("/usr/bin/env", ["python3", generator, "--out", root, "--commits", "900", "--threats", "60",
                                                  "--code-files", "150", "--seed", "11"], cwd: dir.path)
        try #require(run.status == 0, "gen_history failed: \(run.stderr)")
        return root
    }

    func git(_ root: String, _ arguments: String...) throws {
        try HistoryCacheEquivalenceTests().git(root, arguments)
    }

    func snapshotPath(_ root: String) -> String { root + "/.git/tmrepo/fold.snapshot" }

    func threatFiles(_ root: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root + "/threats").filter { $0.hasSuffix(".md") }.sorted()
    }

    func edit(_ root: String, threat: String, _ change: (String) -> String) throws {
        let path = root + "/threats/" + threat
        try change(try String(contentsOfFile: path, encoding: .utf8)).write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func warmRunsContinueFromTheSnapshotAndAnswerAsAnUncachedRun() throws {
        let dir = try TempDir("fold-snapshot")
        let root = try generated(dir)
        try expectCached(root, restored: false, "first cached run: walks everything, writes the snapshot")
        #expect(FileManager.default.fileExists(atPath: snapshotPath(root)))
        try expectCached(root, restored: true, "nothing new")

        let threats = try threatFiles(root)
        try #require(threats.count > 6)
        let code = try FileManager.default.contentsOfDirectory(atPath: root + "/services").sorted()
        try Data("// more\n".utf8).write(to: URL(fileURLWithPath: root + "/services/\(code[0])/extra.ts"))
        try git(root, "add", "-A")
        try git(root, "commit", "-qm", "Code")
        try expectCached(root, restored: true, "one new commit")

        // Several commits at once: an edit with a review trailer, a retirement, a rename.
        try edit(root, threat: threats[0]) { $0.replacingOccurrences(of: "severity: low", with: "severity: high") + "\nMore words.\n" }
        try git(root, "commit", "-qam", "Edit\n\nReviewed-threat: \(threats[1].prefix(6))")
        try git(root, "rm", "-q", "threats/" + threats[2])
        try git(root, "commit", "-qm", "Retire")
        try git(root, "mv", "threats/" + threats[3], "threats/" + threats[3].replacingOccurrences(of: ".md", with: "-renamed.md"))
        try git(root, "commit", "-qm", "Rename")
        try expectCached(root, restored: true, "three new commits")

        // A merge of a branch that changed a threat while the mainline changed another.
        try git(root, "switch", "-q", "-c", "side")
        try edit(root, threat: threats[4]) { $0.replacingOccurrences(of: "status: open", with: "status: mitigated") + "\nSide.\n" }
        try git(root, "commit", "-qam", "Side edit")
        try git(root, "switch", "-q", "-")
        try edit(root, threat: threats[5]) { $0 + "\nMain.\n" }
        try git(root, "commit", "-qam", "Main edit\n\nReviewed-threat: \(threats[4].prefix(6))")
        try git(root, "merge", "-q", "--no-ff", "side", "-m", "Merge side")
        try expectCached(root, restored: true, "after a merge")
        try expectCached(root, restored: true, "warm after the merge")

        // An older tip continues from the snapshot only if it descends from the snapshot's tip.
        let snapshotAt = try snapshotTip(root).hex
        for older in ["HEAD~3", snapshotAt + "~1"] {
            let descends = try runProcess("/usr/bin/env", ["git", "merge-base", "--is-ancestor", snapshotAt, older], cwd: root).status == 0
            let answered = try answer(root, cache: true, at: older)
            #expect(answered.restored == descends, "at \(older)")
            #expect(try answered.answer == answer(root, cache: false, at: older).answer, "at \(older)")
        }
        // A rewritten history: the snapshot's tip is gone from HEAD's ancestry.
        try git(root, "reset", "-q", "--hard", snapshotAt + "~1")
        try git(root, "commit", "-q", "--allow-empty", "-m", "Elsewhere")
        try expectCached(root, restored: false, "after a rewrite")
        try expectCached(root, restored: true, "warm after the rewrite")
    }

    func snapshotTip(_ root: String) throws -> ObjectID {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: snapshotPath(root))))
        return try #require(FoldSnapshotCodec.header(bytes)).0.tip
    }

    func head(_ root: String) throws -> ObjectID {
        try #require(try Repository.open(at: root).headCommit())
    }

    /// A snapshot is not rewritten for every few commits: later runs fold the cached records after
    /// its tip onto it, until enough have gathered or the cache is compacted.
    @Test func aSnapshotBehindTheCachedTipIsContinuedThenRefreshed() throws {
        let dir = try TempDir("fold-snapshot-lag")
        let root = try generated(dir)
        try expectCached(root, restored: false, "writes the snapshot")
        let written = try snapshotTip(root)
        #expect(written == (try head(root)))

        let threats = try threatFiles(root)
        try edit(root, threat: threats[0]) { $0.replacingOccurrences(of: "severity: low", with: "severity: critical") + "\nLag.\n" }
        try git(root, "commit", "-qam", "Edit one")
        try expectCached(root, restored: true, "one commit past the snapshot")
        #expect(try snapshotTip(root) == written, "one commit does not rewrite the snapshot")
        try git(root, "rm", "-q", "threats/" + threats[1])
        try git(root, "commit", "-qm", "Retire one\n\nReviewed-threat: \(threats[2].prefix(6))")
        try expectCached(root, restored: true, "two cached segments past the snapshot")
        #expect(try snapshotTip(root) == written)
        try expectCached(root, restored: true, "again, nothing new")

        for number in 0..<FoldSnapshot.refreshAfterCommits {
            try git(root, "commit", "-q", "--allow-empty", "-m", "Empty \(number)")
        }
        try expectCached(root, restored: true, "enough commits past the snapshot")
        #expect(try snapshotTip(root) == (try head(root)), "the snapshot was written at HEAD")

        // Compaction rewrites the cache as one segment, whose tip alone is left: the snapshot follows.
        try edit(root, threat: threats[3]) { $0 + "\nBefore compaction.\n" }
        try git(root, "commit", "-qam", "Edit before compaction")
        try expectCached(root, restored: true, "one commit")
        let behind = try snapshotTip(root)
        #expect(behind != (try head(root)))
        for number in 0..<HistoryCache.compactAfterSegments {
            try git(root, "commit", "-q", "--allow-empty", "-m", "Segment \(number)")
            _ = try answer(root, cache: true)
        }
        #expect(try snapshotTip(root) != behind, "compaction moved the snapshot")
        try expectCached(root, restored: true, "after compaction")
    }

    @Test func aDamagedOrTruncatedSnapshotIsDetectedAndRebuilt() throws {
        let dir = try TempDir("fold-snapshot-damage")
        let root = try generated(dir)
        try expectCached(root, restored: false, "writes the snapshot")
        let path = snapshotPath(root)
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))

        // One letter of an email changed: still well-formed, only the checksum tells.
        var damaged = good
        let at = try #require(damaged.firstIndex(of: UInt8(ascii: "@")))
        damaged[at + 1] = damaged[at + 1] == UInt8(ascii: "x") ? UInt8(ascii: "y") : UInt8(ascii: "x")
        try Data(damaged).write(to: URL(fileURLWithPath: path))
        try expectCached(root, restored: false, "a damaged snapshot is not used")
        try expectCached(root, restored: true, "and was rewritten")

        try Data(good.prefix(good.count / 2)).write(to: URL(fileURLWithPath: path))
        try expectCached(root, restored: false, "a truncated snapshot is not used")
        try expectCached(root, restored: true, "and was rewritten")

        try Data("not a snapshot".utf8).write(to: URL(fileURLWithPath: path))
        try expectCached(root, restored: false, "a foreign file is not used")
        try expectCached(root, restored: true, "and was replaced")
    }

    @Test func aSnapshotMadeUnderAnotherKeyIsNotUsed() throws {
        let dir = try TempDir("fold-snapshot-key")
        let root = try generated(dir)
        try expectCached(root, restored: false, "writes the snapshot")
        let path = snapshotPath(root)
        let snapshot = try #require(FoldSnapshotCodec.decode(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))))
        #expect(FoldSnapshotCodec.decode(FoldSnapshotCodec.encode(snapshot))?.folder == snapshot.folder, "round trip")
        let key = snapshot.header.key
        for other in [FoldSnapshot.Key(cache: key.cache, tool: "tmrepo 0.0.0"),
                      FoldSnapshot.Key(cache: HistoryCache.Key(threatsFolder: key.cache.threatsFolder, modelPrefix: key.cache.modelPrefix,
                                                               idPrefix: key.cache.idPrefix, filter: key.cache.filter + "x"))] {
            let foreign = FoldSnapshot(header: FoldSnapshot.Header(key: other, tip: snapshot.header.tip, commitCount: snapshot.header.commitCount),
                                       folder: snapshot.folder, index: snapshot.index)
            try Data(FoldSnapshotCodec.encode(foreign)).write(to: URL(fileURLWithPath: path))
            try expectCached(root, restored: false, "made under \(other)")
            try expectCached(root, restored: true, "and was replaced")
        }
    }
}
