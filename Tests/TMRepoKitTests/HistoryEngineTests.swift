import Foundation
import Testing
import TestSupport
import ThreatModel
@testable import TMRepoKit

/// The history engine on real repositories made with the git CLI, with fixed commit dates.
struct HistoryEngineTests {
    func analyze(_ repo: ModelRepo, cache: Bool = false) throws -> HistoryAnalysis {
        let store = try ModelStore.locate(explicit: repo.root)
        return try HistoryEngine(location: try ModelLocation.find(store: store), useCache: cache).analyze()
    }

    func entry(_ analysis: HistoryAnalysis, _ id: String, asOf: String) throws -> ThreatStatusEntry {
        try #require(try analysis.status(asOf: ISOTime.parse(asOf)!).entries.first { $0.threat.id == id })
    }

    @Test func reviewsComeFromTrailersAndReviewedBlocksAtCommitTime() throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001"))
        try repo.write("threats/T-0002-b.md", ModelRepo.threat("T-0002"))
        try repo.commit("Add threats", "2026-01-01T10:00:00Z")
        try repo.write("src/a.ts", "a")
        try repo.commit("Harden\n\nReviewed-threat: T-0001\nReviewed-threat: t-0002", "2026-03-01T12:00:00Z", by: "bob@example.com")
        // A trailer-looking line that is not in the last paragraph does not count.
        try repo.write("src/a.ts", "b")
        try repo.commit("Notes\n\nReviewed-threat: T-0002\n\nSigned-off-by: X <x@example.com>", "2026-03-05T12:00:00Z")
        // A reviewed block written later, with a typed date far in the past: the commit time counts.
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", reviewed: ("2025-01-01", "alice@example.com")))
        try repo.commit("Review T-0001", "2026-04-01T09:00:00Z")

        let analysis = try analyze(repo)
        let first = try entry(analysis, "T-0001", asOf: "2026-05-01")
        #expect(first.lastReview?.ref.time == ISOTime.parse("2026-04-01T09:00:00Z"))
        #expect(first.lastReview?.via == .reviewedBlock)
        #expect(first.lastReview?.reviewer == "alice@example.com")
        #expect(first.reviewDue == Day("2026-05-31"))
        #expect(!first.overdue)
        let second = try entry(analysis, "T-0002", asOf: "2026-05-01")
        #expect(second.lastReview?.ref.time == ISOTime.parse("2026-03-01T12:00:00Z"), "the lower-case trailer id matches; the non-trailer line does not")
        #expect(second.lastReview?.reviewer == "bob@example.com")
        #expect(second.reviewDue == Day("2026-04-30"))
        #expect(second.overdue && second.daysOverdue == 1)
    }

    @Test func aReviewDateAfterItsCommitIsFlaggedAndNotTrusted() throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", reviewed: ("2026-12-24", "alice@example.com")))
        try repo.commit("Add", "2026-01-01T10:00:00Z")
        let analysis = try analyze(repo)
        #expect(analysis.problems.contains { $0.rule == "review-date-after-commit" && $0.message.contains("2026-12-24") })
        #expect(try entry(analysis, "T-0001", asOf: "2026-06-01").lastReview?.ref.time == ISOTime.parse("2026-01-01T10:00:00Z"))
    }

    @Test func neverReviewedThreatsAreDueOneCadenceAfterCreation() throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "critical"))
        try repo.write("threats/T-0002-b.md", ModelRepo.threat("T-0002", status: "closed"))
        try repo.commit("Add", "2026-01-01T10:00:00Z")
        let analysis = try analyze(repo)
        let critical = try entry(analysis, "T-0001", asOf: "2026-02-10")
        #expect(critical.lastReview == nil)
        #expect(critical.reviewDue == Day("2026-01-31"))
        #expect(critical.daysOverdue == 10)
        let closed = try entry(analysis, "T-0002", asOf: "2027-01-01")
        #expect(closed.reviewDue == nil && !closed.overdue, "closed threats need no review")
    }

    @Test func renamedFilesKeepTheirHistoryAndDeletedOnesAreRetired() throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-old-name.md", ModelRepo.threat("T-0001", severity: "low"))
        try repo.write("threats/T-0002-gone.md", ModelRepo.threat("T-0002"))
        try repo.commit("Add", "2026-01-01T10:00:00Z")
        try repo.git.run(["mv", "threats/T-0001-old-name.md", "threats/T-0001-new-name.md"])
        try repo.commit("Rename", "2026-02-01T10:00:00Z")
        try repo.write("threats/T-0001-new-name.md", ModelRepo.threat("T-0001", severity: "critical"))
        try repo.remove("threats/T-0002-gone.md")
        try repo.commit("Raise T-0001, retire T-0002", "2026-03-01T10:00:00Z", by: "bob@example.com")

        let analysis = try analyze(repo)
        let history = try #require(analysis.histories["T-0001"])
        #expect(history.created?.time == ISOTime.parse("2026-01-01T10:00:00Z"))
        #expect(history.path == "threats/T-0001-new-name.md")
        #expect(history.events.contains { if case .renamed("threats/T-0001-old-name.md", "threats/T-0001-new-name.md") = $0.kind { true } else { false } })
        #expect(analysis.histories["T-0002"]?.retired?.time == ISOTime.parse("2026-03-01T10:00:00Z"))
        #expect(analysis.model.threats.map(\.id) == ["T-0001"])
        let events = Changelog.events(histories: analysis.histories)
        #expect(events.map { "\($0.id) \($0.field.rawValue) \($0.from ?? "-") \($0.to ?? "-") \($0.author)" } == [
            "T-0001 created - low alice@example.com", "T-0002 created - high alice@example.com",
            "T-0001 severity low critical bob@example.com", "T-0002 retired - - bob@example.com",
        ])
    }

    @Test func aChangeMadeOnABranchIsCountedOnceAfterTheMerge() throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "medium"))
        try repo.commit("Add", "2026-01-01T10:00:00Z")
        try repo.git.run(["checkout", "-q", "-b", "side"])
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "high"))
        try repo.commit("Raise on a branch", "2026-01-02T10:00:00Z", by: "bob@example.com")
        try repo.git.run(["checkout", "-q", "main"])
        try repo.write("src/x.ts", "x")
        try repo.commit("Code on main", "2026-01-03T10:00:00Z")
        try repo.git.run(["merge", "-q", "--no-ff", "-m", "Merge side", "side"], date: "2026-01-04T10:00:00Z")
        let analysis = try analyze(repo)
        let severity = Changelog.events(histories: analysis.histories).filter { $0.field == .severity }
        #expect(severity.count == 1)
        #expect(severity.first?.author == "bob@example.com")
        #expect(analysis.model.threat(id: "T-0001")?.severity == .high)
    }

    @Test func mitigationsGoStaleWhenTheirEvidenceChangesAfterVerification() throws {
        let repo = try ModelRepo()
        try repo.write("services/auth/verify.ts", "v1")
        try repo.write("services/other/x.ts", "x1")
        try repo.write("infra/api.tf", "t1")
        let mitigations: [(id: String, status: String, evidence: String, verified: String?)] = [
            ("M-1", "verified", "services/auth/**", "2026-01-01"), ("M-2", "verified", "infra/api.tf", "2026-01-01"),
            ("M-3", "verified", "services/*/x.ts", "2026-01-01"), ("M-4", "planned", "services/auth/**", nil),
        ]
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", mitigations: mitigations))
        let verifying = try repo.commit("Verify everything (code and threat together)", "2026-01-01T10:00:00Z")
        try repo.write("services/auth/verify.ts", "v2")
        let staleMaker = try repo.commit("Change the authorizer", "2026-01-10T10:00:00Z")
        try repo.write("services/auth/README.md", "docs")
        try repo.commit("Docs", "2026-01-11T10:00:00Z")
        try repo.write("services/unrelated/y.ts", "y")
        try repo.commit("Unrelated", "2026-01-12T10:00:00Z")

        let analysis = try analyze(repo)
        let stale = try entry(analysis, "T-0001", asOf: "2026-01-20").staleMitigations
        #expect(stale.map(\.id) == ["M-1"], "M-2's file and M-3's glob did not change; a planned mitigation is never stale")
        #expect(stale.first?.reason == .evidenceChanged)
        #expect(stale.first?.commit == staleMaker, "the first commit after verification that touched the evidence")
        #expect(stale.first?.verifiedIn == verifying)

        // Re-verifying in a later commit clears it; verification older than the cadence expires.
        var remitigated = mitigations
        remitigated[0].verified = "2026-01-15"
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", mitigations: remitigated))
        try repo.commit("Re-verify M-1", "2026-01-15T10:00:00Z")
        let later = try analyze(repo)
        #expect(try entry(later, "T-0001", asOf: "2026-01-20").staleMitigations.isEmpty)
        let expired = try entry(later, "T-0001", asOf: "2026-03-05").staleMitigations
        #expect(expired.map(\.id) == ["M-2", "M-3"], "verified 2026-01-01 + 60d is before 2026-03-05; M-1 was re-verified")
        #expect(expired.allSatisfy { $0.reason == .verificationExpired })
    }

    @Test func codeMergedBeforeVerificationDoesNotMakeItStale() throws {
        let repo = try ModelRepo()
        try repo.write("services/auth/a.ts", "1")
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", mitigations: [("M-1", "implemented", "services/auth", nil)]))
        try repo.commit("Start", "2026-01-01T10:00:00Z")
        try repo.git.run(["checkout", "-q", "-b", "feature"])
        try repo.write("services/auth/a.ts", "2")
        try repo.commit("Feature code", "2026-01-02T10:00:00Z")
        try repo.git.run(["checkout", "-q", "main"])
        try repo.git.run(["merge", "-q", "--no-ff", "-m", "Merge feature", "feature"], date: "2026-01-03T10:00:00Z")
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", mitigations: [("M-1", "verified", "services/auth", "2026-01-04")]))
        try repo.commit("Verify after the merge", "2026-01-04T10:00:00Z")
        #expect(try entry(try analyze(repo), "T-0001", asOf: "2026-01-10").staleMitigations.isEmpty)

        // A branch that forked before verification and is merged after it: its change is after V.
        try repo.git.run(["checkout", "-q", "-b", "late", "HEAD~1"])
        try repo.write("services/auth/a.ts", "3")
        let late = try repo.commit("Late branch code", "2026-01-02T12:00:00Z")
        try repo.git.run(["checkout", "-q", "main"])
        try repo.git.run(["merge", "-q", "--no-ff", "-m", "Merge late", "late"], date: "2026-01-05T10:00:00Z")
        let stale = try entry(try analyze(repo), "T-0001", asOf: "2026-01-10").staleMitigations
        #expect(stale.map(\.commit) == [late], "committed before V by the clock, but not contained in V")
    }

    @Test func aFileThatCannotBeReadInHistoryIsReportedNotFatal() throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "low"))
        try repo.commit("Add", "2026-01-01T10:00:00Z")
        try repo.write("threats/T-0001-a.md", "---\nid: T-0001\ntitle: [broken\n---\n")
        try repo.commit("Break it", "2026-01-02T10:00:00Z")
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "high"))
        try repo.commit("Fix it", "2026-01-03T10:00:00Z")
        let analysis = try analyze(repo)
        #expect(analysis.problems.contains { $0.rule == "unreadable-in-history" && $0.path == "threats/T-0001-a.md" })
        let events = Changelog.events(histories: analysis.histories)
        #expect(events.map(\.field) == [.created, .severity], "no second creation after the file was fixed")
    }

    @Test func aModelInASubfolderOfAMonorepo() throws {
        let repo = try ModelRepo(prefix: "services/shop/model/")
        try repo.writeRoot("services/shop/src/pay.ts", "1")
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", mitigations: [("M-1", "verified", "services/shop/src/**", "2026-01-01")]))
        try repo.commit("Add", "2026-01-01T10:00:00Z")
        try repo.writeRoot("services/shop/src/pay.ts", "2")
        let change = try repo.commit("Code", "2026-01-02T10:00:00Z")
        let analysis = try analyze(repo)
        #expect(analysis.model.threats.first?.path == "threats/T-0001-a.md")
        #expect(try entry(analysis, "T-0001", asOf: "2026-01-05").staleMitigations.first?.commit == change,
                "evidence paths are relative to the repository root")
    }

    @Test func theCacheGivesTheSameAnswersAndSurvivesRewritesAndDamage() throws {
        let repo = try ModelRepo()
        try repo.write("services/a/x.ts", "1")
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", mitigations: [("M-1", "verified", "services/a/**", "2026-01-01")]))
        try repo.commit("Add", "2026-01-01T10:00:00Z")
        func answer(_ cache: Bool) throws -> String {
            let analysis = try analyze(repo, cache: cache)
            let report = try analysis.status(asOf: ISOTime.parse("2026-06-01")!)
            return StatusFormatter.json(report, entries: report.entries).render()
                + ChangelogFormatter.render(Changelog.events(histories: try HistoryEngine(location: analysis.location(repo), useCache: cache)
                    .analyze().histories), format: .json)
        }
        #expect(try answer(true) == answer(false))
        let cacheFile = repo.dir.url(".git/tmrepo/history.cache")
        #expect(FileManager.default.fileExists(atPath: cacheFile))
        // One more commit: answered from the cache plus one increment.
        try repo.write("services/a/x.ts", "2")
        try repo.commit("Code", "2026-02-01T10:00:00Z")
        #expect(try answer(true) == answer(false))
        // Rewrite the tip (amend, as after a rebase or force-push).
        try repo.write("services/a/x.ts", "amended")
        try repo.git.run(["commit", "-q", "--amend", "-a", "-m", "Code amended"], date: "2026-02-02T10:00:00Z")
        #expect(try answer(true) == answer(false))
        // Damage the file: it is rebuilt, never trusted.
        var bytes = [UInt8](FileManager.default.contents(atPath: cacheFile)!)
        bytes[bytes.count / 2] ^= 0xFF
        FileManager.default.createFile(atPath: cacheFile, contents: Data(bytes))
        #expect(try answer(true) == answer(false))
        FileManager.default.createFile(atPath: cacheFile, contents: Data("garbage".utf8))
        #expect(try answer(true) == answer(false))
        // A torn append (an interrupted writer) is ignored.
        try repo.write("services/a/x.ts", "3")
        try repo.commit("Code 3", "2026-03-01T10:00:00Z")
        _ = try answer(true)
        let whole = [UInt8](FileManager.default.contents(atPath: cacheFile)!)
        FileManager.default.createFile(atPath: cacheFile, contents: Data(whole + whole.prefix(40)))
        #expect(try answer(true) == answer(false))
    }
}

struct CacheCompactionTests {
    @Test func manyIncrementsAreCompactedIntoOneSegment() throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001"))
        try repo.commit("Add", "2026-01-01T10:00:00Z")
        let store = try ModelStore.locate(explicit: repo.root)
        for round in 1...(HistoryCache.compactAfterSegments + 3) {
            try repo.write("src/code.ts", "\(round)")
            try repo.commit("Code \(round)", "2026-01-02T10:\(String(round).leftPadded(to: 2)):00Z")
            _ = try HistoryEngine(location: try ModelLocation.find(store: store), useCache: true).analyze()
        }
        let path = repo.dir.url(".git/tmrepo/history.cache")
        let layout = HistoryCache.Key(threatsFolder: "threats/", modelPrefix: "", idPrefix: "T-", filter: "")
        let segments = HistoryCache.load(from: path, layout: layout).segments.count
        #expect(segments >= 1 && segments < HistoryCache.compactAfterSegments)
        let cached = try HistoryEngine(location: try ModelLocation.find(store: store), useCache: true).analyze()
        let fresh = try HistoryEngine(location: try ModelLocation.find(store: store), useCache: false).analyze()
        #expect(cached.commitCount == fresh.commitCount && cached.commitCount == HistoryCache.compactAfterSegments + 4)
    }
}

private extension HistoryAnalysis {
    func location(_ repo: ModelRepo) throws -> ModelLocation {
        try ModelLocation.find(store: try ModelStore.locate(explicit: repo.root))
    }
}

struct StatusJSONTests {
    @Test func theStreamedReportIsTheSameDocumentAsTheTree() throws {
        let repo = try ModelRepo()
        try repo.write("src/a.ts", "1")
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", title: "Quote \" and \\ and\ttab",
                                                             mitigations: [("M-1", "verified", "src/**", "2026-01-01")]))
        try repo.write("threats/T-0002-b.md", ModelRepo.threat("T-0002", owner: "ghost"))
        try repo.commit("Add", "2026-01-01T10:00:00Z")
        try repo.write("src/a.ts", "2")
        try repo.commit("Code", "2026-01-02T10:00:00Z")
        let store = try ModelStore.locate(explicit: repo.root)
        let analysis = try HistoryEngine(location: try ModelLocation.find(store: store), useCache: false).analyze()
        let report = try analysis.status(asOf: ISOTime.parse("2026-06-01")!)
        let tree = StatusFormatter.json(report, entries: report.entries).bytes()
        let streamed = StatusFormatter.jsonBytes(report, entries: report.entries)
        #expect(streamed == tree, "\(String(decoding: streamed, as: UTF8.self))")
        #expect(StatusFormatter.jsonBytes(report, entries: []) == StatusFormatter.json(report, entries: []).bytes())
        // Thousands of entries are written in chunks on several cores and joined: still one document.
        for copies in [1_001, 2_003] {
            let many = Array(repeating: report.entries, count: copies).flatMap { $0 }
            #expect(StatusFormatter.jsonBytes(report, entries: many) == StatusFormatter.json(report, entries: many).bytes(), "\(many.count) entries")
        }
    }
}
