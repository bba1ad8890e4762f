import Foundation
import Testing
import TestSupport
import TMGit
import ThreatModel
@testable import TMRepoKit

/// The cache changes how long a run takes, never what it answers: on a generated history with
/// merges, renames, reviews and evidence, every cached path (a full segment, a warm run, an
/// increment, several increments) gives the very bytes an uncached run gives.
struct HistoryCacheEquivalenceTests {
    /// The project's own generator (Benchmarks/gen_history.py): the test needs nothing outside the clone.
    static let generator = SourceTree.root + "/Benchmarks/gen_history.py"

    /// The status report and the changelog, as the CLI renders them.
    func answer(_ root: String, cache: Bool) throws -> String {
        let store = try ModelStore.locate(explicit: root)
        let location = try ModelLocation.find(store: store)
        let analysis = try HistoryEngine(location: location, useCache: cache).analyze()
        let report = try analysis.status(asOf: ISOTime.parse("2026-11-01")!)
        return StatusFormatter.json(report, entries: report.entries).render()
            + ChangelogFormatter.render(Changelog.events(histories: analysis.histories), format: .json)
            + "\(analysis.commitCount) \(analysis.problems.map(\.message)) \(analysis.unreadableSince.keys.sorted())"
    }

    func git(_ root: String, _ arguments: [String]) throws {
        let run = try runProcess("/usr/bin/env", ["git"] + arguments, cwd: root, environment: [
            "GIT_AUTHOR_DATE": "2026-10-30T10:00:00Z", "GIT_COMMITTER_DATE": "2026-10-30T10:00:00Z",
            "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
        ])
        try #require(run.status == 0, "git \(arguments): \(run.stderr)")
    }

    @Test func cachedAndUncachedAnswersAreByteIdenticalOnAGeneratedHistory() throws {
        try #require(FileManager.default.fileExists(atPath: Self.generator), "the generator is expected at \(Self.generator)")
        let dir = try TempDir("cache-equivalence")
        let root = dir.path + "/repo"
        let generated = try runProcess("/usr/bin/env", ["python3", Self.generator, "--out", root, "--commits", "1200", "--threats", "80",
                                                        "--code-files", "200", "--seed", "7"], cwd: dir.path)
        try #require(generated.status == 0, "gen_history failed: \(generated.stderr)")
        let fresh = try answer(root, cache: false)
        #expect(try answer(root, cache: true) == fresh, "first run: writes a full segment")
        #expect(try answer(root, cache: true) == fresh, "warm, nothing new")

        // Increments: a code change, a threat edit with a review trailer, a threat removed.
        let threats = try FileManager.default.contentsOfDirectory(atPath: root + "/threats").filter { $0.hasSuffix(".md") }.sorted()
        let code = try FileManager.default.contentsOfDirectory(atPath: root + "/services").sorted()
        try #require(threats.count > 3 && !code.isEmpty)
        try Data("// more\n".utf8).append(to: root + "/services/\(code[0])/extra.ts")
        try git(root, ["add", "-A"])
        try git(root, ["commit", "-qm", "Code"])
        #expect(try answer(root, cache: true) == answer(root, cache: false), "one increment")
        let first = root + "/threats/" + threats[0]
        let text = try String(contentsOfFile: first, encoding: .utf8)
        try (text.replacingOccurrences(of: "severity: low", with: "severity: high")
            .replacingOccurrences(of: "severity: medium", with: "severity: critical") + "\nMore words.\n")
            .write(toFile: first, atomically: true, encoding: .utf8)
        try git(root, ["commit", "-qam", "Edit\n\nReviewed-threat: \(threats[1].prefix(6))"])
        try git(root, ["rm", "-q", "threats/" + threats[2]])
        try git(root, ["commit", "-qm", "Retire"])
        #expect(try answer(root, cache: true) == answer(root, cache: false), "two more increments")
        // A rewritten tip: a fresh walk that reuses what is still there.
        try git(root, ["reset", "-q", "--hard", "HEAD~2"])
        try git(root, ["commit", "-q", "--allow-empty", "-m", "Elsewhere"])
        #expect(try answer(root, cache: true) == answer(root, cache: false), "after a rewrite")
        #expect(try answer(root, cache: true) == answer(root, cache: false), "warm after the rewrite")
    }

    /// T-0001 with mitigation M-1 (evidence `src/**`), verified on `verified` or not yet.
    static func verifiedThreat(_ verified: String?) -> String {
        ModelRepo.threat("T-0001", mitigations: [(id: "M-1", status: "verified", evidence: "src/**", verified: verified)])
    }

    /// T-0001's stale mitigations and the commit count, as `status` computes them (no timelines) or
    /// the changelog's run does (timelines).
    func staleness(_ repo: ModelRepo, cache: Bool, timelines: Bool = false, asOf: String) throws -> (stale: [StaleMitigation], commits: Int) {
        let location = try ModelLocation.find(store: try ModelStore.locate(explicit: repo.root))
        let analysis = try HistoryEngine(location: location, useCache: cache).analyze(timelines: timelines)
        return (try analysis.status(asOf: ISOTime.parse(asOf)!).entries.first?.staleMitigations ?? [], analysis.commitCount)
    }

    /// Evidence `.` (the whole repository) and `src/auth/.` (that folder) go stale when code
    /// changes after the verification, cached and uncached, as `git log V.. -- .` would say.
    @Test(arguments: [".", "src/auth/.", "./src/auth/"])
    func evidenceNamedWithADotGoesStale(evidence: String) throws {
        let repo = try ModelRepo()
        try repo.writeRoot("src/auth/login.ts", "a\n")
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", mitigations: [(id: "M-1", status: "verified", evidence: "\"\(evidence)\"",
                                                                                       verified: "2026-01-01")]))
        let verified = try repo.commit("Verified", "2026-01-01T10:00:00Z")
        #expect(try staleness(repo, cache: false, asOf: "2026-01-20").stale.isEmpty)
        try repo.writeRoot("src/auth/login.ts", "b\n")
        let changed = try repo.commit("Code", "2026-01-05T10:00:00Z")
        for cache in [false, true] {
            let stale = try staleness(repo, cache: cache, asOf: "2026-01-20").stale
            #expect(stale.map(\.commit) == [changed] && stale.first?.verifiedIn == verified, "cache \(cache): \(stale)")
        }
    }

    /// The cached tip's clock went backwards: the walk of what is new since it must not bring back
    /// (and append a second time) commits the cache holds, or the root would count as a change
    /// after verification.
    @Test func aCachedTipDatedInThePastAddsOnlyWhatIsNew() throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a.md", Self.verifiedThreat(nil))
        try repo.write("src/a.ts", "a\n")
        try repo.commit("Model", "2026-01-01T10:00:00Z")
        try repo.write("threats/T-0001-a.md", Self.verifiedThreat("2026-01-02"))
        try repo.commit("Verify M-1", "2026-01-02T10:00:00Z")
        _ = try repo.git.run(["checkout", "-q", "-b", "side"])
        try repo.write("docs/side.md", "side\n")
        try repo.commit("Side", "2026-01-04T10:00:00Z")
        _ = try repo.git.run(["checkout", "-q", "-"])
        for day in 1...8 {
            try repo.write("docs/d.md", "\(day)\n")
            try repo.commit("Months behind \(day)", "2025-06-0\(day)T10:00:00Z")
        }
        func answer(cache: Bool) throws -> (stale: [StaleMitigation], commits: Int) { try staleness(repo, cache: cache, asOf: "2026-02-01") }
        _ = try answer(cache: true)
        _ = try repo.git.run(["merge", "-q", "--no-ff", "-m", "Merge side", "side"], date: "2026-01-05T10:00:00Z")
        let fresh = try answer(cache: false)
        #expect(fresh.commits == 12 && fresh.stale.isEmpty)
        for run in ["first cached run after the merge", "the next one"] {
            let cached = try answer(cache: true)
            #expect(cached.commits == 12, "\(run): each commit once")
            #expect(cached.stale.isEmpty, "\(run): nothing under src/ changed after verification")
        }
    }

    /// Two commits set the same `verified` day (the verification cherry-picked to a release branch
    /// merged after a cached run): the commit that set it is the later by commit time, not the one
    /// folded last, so the verdict does not depend on the cache.
    @Test func aCherryPickedVerificationIsJudgedAlikeCachedAndUncached() throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a.md", Self.verifiedThreat(nil))
        try repo.write("src/a.ts", "a\n")
        try repo.commit("Model", "2026-01-01T10:00:00Z")
        _ = try repo.git.run(["branch", "release"])
        try repo.write("src/a.ts", "a2\n")
        try repo.commit("Change src", "2026-01-02T10:00:00Z")
        try repo.write("threats/T-0001-a.md", Self.verifiedThreat("2026-01-03"))
        let verified = try repo.commit("Verify M-1", "2026-01-03T10:00:00Z")
        func stale(cache: Bool) throws -> [StaleMitigation] { try staleness(repo, cache: cache, asOf: "2026-01-20").stale }
        #expect(try stale(cache: true).isEmpty)
        _ = try repo.git.run(["checkout", "-q", "release"])
        _ = try repo.git.run(["cherry-pick", verified], date: "2026-01-02T12:00:00Z")
        _ = try repo.git.run(["checkout", "-q", "-"])
        _ = try repo.git.run(["merge", "-q", "--no-ff", "-m", "Merge release", "release"], date: "2026-01-05T10:00:00Z")
        let fresh = try stale(cache: false)
        #expect(fresh.isEmpty, "verified on main after the change (the later of the two commits)")
        #expect(try stale(cache: true) == fresh)
    }

    /// A branch dated before a mainline commit but merged after a run cached the mainline: the cache
    /// appends its commits after the mainline's, a fresh walk sorts them by date. Both must name the
    /// same commit as the first change after verification (the order every run agrees on).
    @Test func aLateMergedBranchNamesTheSameFirstChangeCachedAndUncached() throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a.md", Self.verifiedThreat(nil))
        try repo.write("src/a.ts", "a\n")
        try repo.write("src/b.ts", "b\n")
        try repo.commit("Model", "2026-01-01T10:00:00Z")
        try repo.write("threats/T-0001-a.md", Self.verifiedThreat("2026-01-02"))
        let verified = try repo.commit("Verify M-1", "2026-01-02T10:00:00Z")
        _ = try repo.git.run(["checkout", "-q", "-b", "side"])
        try repo.write("src/a.ts", "a2\n")
        let side = try repo.commit("Side change", "2026-01-03T10:00:00Z")
        _ = try repo.git.run(["checkout", "-q", "-"])
        try repo.write("src/b.ts", "b2\n")
        let mainline = try repo.commit("Mainline change", "2026-01-05T10:00:00Z")
        func staleCommit(cache: Bool, timelines: Bool) throws -> String? {
            try staleness(repo, cache: cache, timelines: timelines, asOf: "2026-02-01").stale.first { $0.reason == .evidenceChanged }?.commit
        }
        // Cached before the merge: the mainline change is the only one after verification.
        #expect(try staleCommit(cache: true, timelines: false) == mainline)
        #expect(try staleCommit(cache: true, timelines: true) == mainline)
        _ = try repo.git.run(["merge", "-q", "--no-ff", "-m", "Merge side", "side"], date: "2026-01-06T10:00:00Z")
        let fresh = try staleCommit(cache: false, timelines: false)
        #expect(fresh == side, "the side change is as deep as the mainline one, and earlier")
        #expect(try staleCommit(cache: true, timelines: false) == fresh, "snapshot and appended segment")
        #expect(try staleCommit(cache: true, timelines: true) == fresh, "cached chain")
        #expect(verified != side)
    }
}

struct HistoryCacheCodecTests {
    func id(_ n: UInt8) -> ObjectID { ObjectID(bytes: [UInt8](repeating: n, count: 20)) }

    @Test func aSegmentRoundTripsItsKeyTipsRecordsAndParses() throws {
        let records = [
            CommitRecord(id: id(1), parents: [], rootTree: id(2), time: 1_700_000_000, offsetMinutes: -300,
                         author: Identity(name: "A", email: "a@example.com"), committer: Identity(name: "C", email: "c@example.com"),
                         reviewedIDs: ["T-0001"], threatFiles: [FileDelta(path: "threats/T-0001-a.md", old: nil, new: id(3))],
                         changedPaths: ["threats/T-0001-a.md", "src/a.ts"]),
            CommitRecord(id: id(4), parents: [id(1), id(5)], rootTree: id(6), time: 1_700_000_100, offsetMinutes: 60,
                         author: Identity(name: "A", email: "a@example.com"), committer: Identity(name: "A", email: "a@example.com"),
                         reviewedIDs: [], threatFiles: [FileDelta(path: "threats/T-0002-b.md", old: id(7), new: id(8), oldKind: .symlink, newKind: .regular)],
                         changedPaths: ["src/a.ts"]),
        ]
        // Paths are not stored: a parse is by blob, filled in with its path when used.
        let parsedFile = ThreatParser.parse(path: "", bytes: Array("""
            ---
            id: T-0001
            title: A
            severity: high
            status: open
            ---
            Body.
            """.utf8), idPrefix: "T-")
        let key = HistoryCache.Key(threatsFolder: "threats/", modelPrefix: "", idPrefix: "T-", filter: "f")
        let bytes = HistoryCacheCodec.encodeSegment(key: key, base: id(9), tip: id(4), records: records, parsed: [(id(3), parsedFile)])
        let store = ParsedStore()
        let (segment, end) = try #require(HistoryCacheCodec.readSegment(bytes, at: 0, into: store))
        #expect(end == bytes.count)
        #expect(segment.key == key && segment.base == id(9) && segment.tip == id(4))
        #expect(try segment.records() == records)
        #expect(store[id(3)]?.threat == parsedFile.threat)
        #expect(store.facts(id(3)) == ThreatVersion(parsedFile.threat!, materialDigest: parsedFile.materialDigest))
        // Damage anywhere in the payload is caught.
        var damaged = bytes
        damaged[bytes.count - 3] ^= 1
        #expect(HistoryCacheCodec.readSegment(damaged, at: 0, into: ParsedStore()) == nil)
        #expect(HistoryCacheCodec.readSegment(Array(bytes.dropLast()), at: 0, into: ParsedStore()) == nil)
    }
}

private extension Data {
    func append(to path: String) throws {
        if let handle = FileHandle(forWritingAtPath: path) {
            handle.seekToEndOfFile()
            handle.write(self)
            try handle.close()
        } else {
            try write(to: URL(fileURLWithPath: path))
        }
    }
}
