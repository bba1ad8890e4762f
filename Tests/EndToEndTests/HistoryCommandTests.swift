import Foundation
import Testing
import TestSupport

/// status, review, log and changelog through the built binary, on real repositories.
struct HistoryCommandTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text.prefix(300))")
    }

    func threats(_ status: [String: Any]) -> [String: [String: Any]] {
        Dictionary(uniqueKeysWithValues: ((status["threats"] as? [[String: Any]]) ?? []).map { ($0["id"] as! String, $0) })
    }

    func sampleRepo() throws -> ModelRepo {
        let repo = try ModelRepo()
        try repo.write("src/auth.ts", "v1")
        try repo.write("threats/T-0001-forged-jwt.md", ModelRepo.threat("T-0001", title: "Forged JWT", severity: "high",
                                                                     mitigations: [("M-1", "verified", "src/auth.ts", "2026-01-01")]))
        try repo.write("threats/T-0002-no-owner.md", ModelRepo.threat("T-0002", severity: "low", owner: "ghost-team"))
        try repo.commit("Add threats", "2026-01-01T10:00:00Z")
        try repo.write("src/auth.ts", "v2")
        try repo.commit("Change auth\n\nReviewed-threat: T-0002", "2026-02-01T10:00:00Z", by: "bob@example.com")
        return repo
    }

    @Test func statusReportsOverdueStaleAndOwnershipInTheDocumentedShape() throws {
        let repo = try sampleRepo()
        let result = try TMRepoBinary.run(["status", "--as-of", "2026-04-01", "--format", "json"], in: repo.root)
        #expect(result.status == 0, "\(result.stderr)")
        let status = try json(result.stdout)
        #expect(status["as_of"] as? String == "2026-04-01T00:00:00Z")
        let head = try repo.git.run(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(status["head"] as? String == head)
        let summary = try #require(status["summary"] as? [String: Any])
        #expect(summary["threats"] as? Int == 2)
        #expect(summary["overdue"] as? Int == 1)
        #expect(summary["never_reviewed"] as? Int == 1)
        #expect(summary["stale_mitigations"] as? Int == 1)
        let byID = threats(status)
        let jwt = try #require(byID["T-0001"])
        #expect(jwt["last_review"] is NSNull)
        #expect(jwt["created"] as? String == "2026-01-01T10:00:00Z")
        #expect(jwt["review_due"] as? String == "2026-03-02")
        #expect(jwt["overdue"] as? Bool == true)
        #expect(jwt["days_overdue"] as? Int == 30)
        let staleList = try #require(jwt["stale_mitigations"] as? [[String: Any]])
        #expect(staleList.map { $0["reason"] as? String } == ["verification-expired", "evidence-changed"],
                "verified 2026-01-01 + 60d is past, and src/auth.ts changed since")
        let stale = try #require(staleList.first { $0["reason"] as? String == "evidence-changed" })
        #expect(stale["id"] as? String == "M-1")
        #expect(stale["commit"] as? String == head)
        let other = try #require(byID["T-0002"])
        #expect(other["last_review"] as? String == "2026-02-01T10:00:00Z")
        #expect(other["last_reviewer"] as? String == "bob@example.com")
        #expect(other["ownership_problem"] as? String == "owner 'ghost-team' is neither a configured team nor an email")
        #expect(((status["threats"] as? [[String: Any]])?.first?["id"] as? String) == "T-0001", "most urgent first")

        let text = try TMRepoBinary.run(["status", "--as-of", "2026-04-01"], in: repo.root)
        #expect(text.stdout.contains("Overdue reviews (1)"))
        #expect(text.stdout.contains("T-0001/M-1"))
        #expect(text.stdout.contains("Ownership gaps (1)"))

        #expect(try TMRepoBinary.run(["status", "--as-of", "2026-04-01", "--fail-on", "overdue"], in: repo.root).status == 1)
        #expect(try TMRepoBinary.run(["status", "--as-of", "2026-01-02", "--fail-on", "overdue"], in: repo.root).status == 0)
        #expect(try TMRepoBinary.run(["status", "--as-of", "2026-04-01", "--fail-on", "stale"], in: repo.root).status == 1)
        let owner = try json(try TMRepoBinary.run(["status", "--as-of", "2026-04-01", "--format", "json", "--owner", "bob@example.com"],
                                                  in: repo.root).stdout)
        #expect(threats(owner).keys.sorted() == ["T-0001"], "bob acts for team-a")
        let bad = try TMRepoBinary.run(["status", "--as-of", "tomorrow"], in: repo.root)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--as-of 'tomorrow' is not a date"))
    }

    @Test func reviewRewritesOnlyTheReviewedBlockAndCommitsWithTrailers() throws {
        let repo = try sampleRepo()
        let path = "threats/T-0001-forged-jwt.md"
        let before = try repo.dir.read(path)
        let result = try TMRepoBinary.run(["review", "T-0001", "--by", "carol@example.com", "--on", "2026-04-02",
                                           "--verify-mitigations", "--commit", "--note", "Checked the authorizer again."],
                                          in: repo.root, environment: ["GIT_COMMITTER_DATE": "2026-04-02T08:00:00Z",
                                                                       "GIT_AUTHOR_DATE": "2026-04-02T08:00:00Z"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("reviewed threats/T-0001-forged-jwt.md"))
        #expect(result.stdout.contains("verified T-0001/M-1"))
        let after = try repo.dir.read(path)
        let expected = before.replacingOccurrences(of: "owner: team-a\n", with: "owner: team-a\nreviewed:\n  on: 2026-04-02\n  by: carol@example.com\n")
            .replacingOccurrences(of: "    verified: 2026-01-01\n", with: "    verified: 2026-04-02\n")
        #expect(after == expected)
        let message = try repo.git.run(["log", "-1", "--format=%B"])
        #expect(message == "Review T-0001\n\nChecked the authorizer again.\n\nReviewed-threat: T-0001\n\n")
        #expect(try repo.git.run(["status", "--porcelain"]).isEmpty, "the index matches the commit")
        #expect(try repo.git.run(["show", "--name-only", "--format=", "HEAD"]) == "threats/T-0001-forged-jwt.md\n")

        let status = try json(try TMRepoBinary.run(["status", "--as-of", "2026-04-03", "--format", "json"], in: repo.root).stdout)
        let jwt = try #require(threats(status)["T-0001"])
        #expect(jwt["last_review"] as? String == "2026-04-02T08:00:00Z")
        #expect(jwt["overdue"] as? Bool == false)
        #expect((jwt["stale_mitigations"] as? [Any])?.isEmpty == true, "re-verified after the code change")

        let log = try TMRepoBinary.run(["log", "T-0001"], in: repo.root)
        #expect(log.stdout.contains("reviewed by carol@example.com (reviewed block)"))
        #expect(log.stdout.contains("mitigation M-1 verified 2026-04-02"))
        #expect(try TMRepoBinary.run(["review", "T-0404", "--by", "x@example.com"], in: repo.root).status == 2)
        #expect(try TMRepoBinary.run(["review", "T-0001", "--note", "x"], in: repo.root).status == 2)
    }

    @Test func changelogListsSeverityMovesWithWhoAndWhich() throws {
        let repo = try sampleRepo()
        try repo.write("threats/T-0001-forged-jwt.md", ModelRepo.threat("T-0001", title: "Forged JWT", severity: "critical",
                                                                     mitigations: [("M-1", "verified", "src/auth.ts", "2026-01-01")]))
        let raise = try repo.commit("Raise", "2026-03-15T10:00:00Z", by: "bob@example.com")
        let all = try json(try TMRepoBinary.run(["changelog", "--format", "json"], in: repo.root).stdout)
        let events = try #require(all["events"] as? [[String: Any]])
        #expect(events.map { "\($0["id"]!) \($0["field"]!)" } == ["T-0001 created", "T-0002 created", "T-0001 severity"])
        let last = events[2]
        #expect(last["from"] as? String == "high" && last["to"] as? String == "critical")
        #expect(last["commit"] as? String == raise && last["author"] as? String == "bob@example.com")
        #expect(last["time"] as? String == "2026-03-15T10:00:00Z")
        #expect((events[0]["from"]) is NSNull)
        let since = try json(try TMRepoBinary.run(["changelog", "--format", "json", "--since", "2026-03-01", "--threat", "T-0001"], in: repo.root).stdout)
        #expect((since["events"] as? [Any])?.count == 1)
        let md = try TMRepoBinary.run(["changelog"], in: repo.root)
        #expect(md.stdout.contains("## 2026-03"))
        #expect(md.stdout.contains("**T-0001** Forged JWT: severity high → **critical** — bob@example.com"))
        let csv = try TMRepoBinary.run(["changelog", "--format", "csv"], in: repo.root)
        #expect(csv.stdout.hasPrefix("id,field,from,to,time,commit,author\r\n"))
    }

    @Test func repositoryEdgeCases() throws {
        let repo = try sampleRepo()
        let reference = try TMRepoBinary.run(["status", "--as-of", "2026-04-01", "--format", "json"], in: repo.root).stdout

        // A shallow clone is refused with advice, exit 3.
        let shallow = try TempDir("shallow")
        try runProcess("/usr/bin/git", ["clone", "-q", "--depth", "1", "file://" + repo.dir.path, shallow.path], cwd: "/")
        let refused = try TMRepoBinary.run(["status"], in: shallow.path)
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("shallow clone") && refused.stderr.contains("fetch-depth: 0"))
        #expect(refused.stdout.isEmpty, "never a partial answer")

        // A bare repository (a git server) holds the model only in commits.
        let bare = try TempDir("bare")
        try runProcess("/usr/bin/git", ["clone", "-q", "--bare", repo.dir.path, bare.path], cwd: "/")
        let fromBare = try TMRepoBinary.run(["status", "--as-of", "2026-04-01", "--format", "json"], in: bare.path)
        #expect(fromBare.status == 0, "\(fromBare.stderr)")
        #expect(fromBare.stdout == reference)

        // A linked worktree and a detached HEAD see the same history.
        let worktree = try TempDir("worktree")
        try repo.git.run(["worktree", "add", "-q", "--detach", worktree.path + "/wt", "HEAD"])
        let fromWorktree = try TMRepoBinary.run(["status", "--as-of", "2026-04-01", "--format", "json"], in: worktree.path + "/wt")
        #expect(fromWorktree.status == 0, "\(fromWorktree.stderr)")
        #expect(fromWorktree.stdout == reference)

        // No commit yet: a clear error, not an empty report.
        let unborn = try ModelRepo()
        try unborn.write("threats/T-0001-a.md", ModelRepo.threat("T-0001"))
        let empty = try TMRepoBinary.run(["status"], in: unborn.root)
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("no commits yet"))

        // Not a git repository at all.
        let plain = try TempDir("plain")
        try plain.write(".tmrepo.yml", "")
        let outside = try TMRepoBinary.run(["status"], in: plain.path)
        #expect(outside.status == 2)
        #expect(outside.stderr.contains("not inside a git repository"))
    }

    /// Packs are read directly (PackedObjects) and loose objects through libgit2: a history that
    /// is part packed (with deep delta chains), part loose must give the answer libgit2 alone gives.
    @Test func aPackedHistoryReadsAsLibgit2ReadsIt() throws {
        let repo = try ModelRepo()
        try repo.writeRoot("services/orders/handler.ts", "v0\n")
        var random = SeededGenerator(seed: 3)
        for day in 1...40 {
            let id = "T-\(String(format: "%04d", Int.random(in: 1...25, using: &random)))"
            let verified = day % 3 == 0 ? "2026-02-\(String(format: "%02d", day % 28 + 1))" : nil
            try repo.write("threats/\(id).md", ModelRepo.threat(id, severity: day % 2 == 0 ? "high" : "low",
                                                                mitigations: [("M-1", "implemented", "services/orders/**", verified)],
                                                                body: "Seen on day \(day).\n" + String(repeating: "Context line.\n", count: 40)))
            if day % 4 == 0 { try repo.writeRoot("services/orders/handler.ts", "v\(day)\n") }
            try repo.commit(day % 5 == 0 ? "Review\n\nReviewed-threat: \(id)" : "Day \(day)", "2026-02-\(String(format: "%02d", day % 28 + 1))T10:00:00Z")
            if day == 30 { try repo.git.run(["gc", "-q", "--aggressive", "--prune=now"]) }
        }
        let arguments = ["status", "--format", "json", "--as-of", "2026-06-01"]
        let direct = try TMRepoBinary.run(arguments, in: repo.root, environment: ["TMREPO_NO_CACHE": "1"])
        let libgit2 = try TMRepoBinary.run(arguments, in: repo.root, environment: ["TMREPO_NO_CACHE": "1", "TMREPO_DIRECT_PACKS": "0"])
        #expect(direct.status == libgit2.status)
        #expect(direct.stdout == libgit2.stdout)
        #expect(threats(try json(direct.stdout)).count >= 10, "\(direct.stdout.prefix(400))")
        let changelog = ["changelog", "--format", "json"]
        #expect(try TMRepoBinary.run(changelog, in: repo.root, environment: ["TMREPO_NO_CACHE": "1"]).stdout
                == (try TMRepoBinary.run(changelog, in: repo.root, environment: ["TMREPO_NO_CACHE": "1", "TMREPO_DIRECT_PACKS": "0"])).stdout)
    }

    @Test func concurrentRunsShareTheCacheSafely() throws {
        let repo = try sampleRepo()
        let reference = try TMRepoBinary.run(["status", "--as-of", "2026-04-01", "--format", "json"], in: repo.root,
                                             environment: ["TMREPO_NO_CACHE": "1"]).stdout
        nonisolated(unsafe) var outputs = [String](repeating: "", count: 6)
        DispatchQueue.concurrentPerform(iterations: 6) { index in
            outputs[index] = (try? TMRepoBinary.run(["status", "--as-of", "2026-04-01", "--format", "json"], in: repo.root).stdout) ?? "failed"
        }
        #expect(outputs.allSatisfy { $0 == reference })
        #expect(try TMRepoBinary.run(["status", "--as-of", "2026-04-01", "--format", "json"], in: repo.root).stdout == reference)
    }
}

/// Repositories with unusual shapes.
struct UnusualRepositoryTests {
    @Test func submodulesAndOddDates() throws {
        let library = try ModelRepo()
        try library.writeRoot("lib.ts", "1")
        try library.commit("lib", "2026-01-01T00:00:00Z")
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "low",
                                                             mitigations: [("M-1", "verified", "vendor/lib", "2026-01-02")]))
        try repo.git.run(["-c", "protocol.file.allow=always", "submodule", "add", "-q", library.dir.path, "vendor/lib"])
        // A committer far ahead of UTC and a commit dated far in the future.
        try repo.git.run(["add", "-A"])
        try repo.git.run(["commit", "-q", "-m", "Add with a submodule"], date: "2026-01-02T23:30:00+14:00")
        try library.writeRoot("lib.ts", "2")
        try library.commit("lib 2", "2026-01-03T00:00:00Z")
        try repo.git.run(["-c", "protocol.file.allow=always", "submodule", "update", "-q", "--remote", "vendor/lib"])
        try repo.git.run(["add", "-A"])
        try repo.git.run(["commit", "-q", "-m", "Bump the submodule\n\nReviewed-threat: T-0001"], date: "2099-06-01T12:00:00-12:00")
        let result = try TMRepoBinary.run(["status", "--as-of", "2099-06-02", "--format", "json"], in: repo.root)
        #expect(result.status == 0, "\(result.stderr)")
        let status = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let threat = try #require((status["threats"] as? [[String: Any]])?.first)
        #expect(threat["created"] as? String == "2026-01-02T09:30:00Z", "times are shown in UTC")
        #expect(threat["last_review"] as? String == "2099-06-02T00:00:00Z")
        let stale = (threat["stale_mitigations"] as? [[String: Any]]) ?? []
        #expect(stale.contains { $0["reason"] as? String == "evidence-changed" }, "moving the submodule pointer changes vendor/lib")
        let counts = try #require(status["counts"] as? [String: [String: Int]])
        #expect(counts["severity"]?["low"] == 1 && counts["status"]?["open"] == 1)
    }
}
