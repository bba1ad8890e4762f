import Foundation
import Testing
import TestSupport

/// The guarantees of docs/security.md, tried as a hostile contributor would: each test breaks
/// the gate in several ways through the real git CLI and the built binary.
struct GateTrustTests {
    /// main: T-0001 (low) and T-0002 (high), reviewed by bob; then a feature branch.
    func repo(config: String = ModelRepo.config) throws -> ModelRepo {
        let repo = try ModelRepo(config: config)
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "low", reviewed: ("2026-01-01", "bob@example.com")))
        try repo.write("threats/T-0002-b.md", ModelRepo.threat("T-0002", severity: "high", reviewed: ("2026-01-01", "bob@example.com")))
        try repo.commit("Model", "2026-01-01T10:00:00Z", by: "bob@example.com")
        try repo.git.run(["checkout", "-q", "-b", "feature"])
        return repo
    }

    func check(_ repo: ModelRepo, asOf: String = "2026-02-01", _ extra: [String] = []) throws -> (status: Int32, rules: [String], text: String) {
        let result = try TMRepoBinary.run(["check", "--base", "main", "--as-of", asOf, "--format", "json"] + extra, in: repo.root)
        guard let json = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
              let findings = json["findings"] as? [[String: Any]] else {
            return (result.status, [], result.stdout + result.stderr)
        }
        let rules = findings.map { "\($0["rule"]!) \($0["threat"] as? String ?? $0["path"] as? String ?? "")" }
        return (result.status, rules, findings.map { "\($0["message"]!)" }.joined(separator: "\n"))
    }

    func statusJSON(_ repo: ModelRepo, asOf: String = "2026-02-01") throws -> [String: Any] {
        let result = try TMRepoBinary.run(["status", "--as-of", asOf, "--format", "json"], in: repo.root)
        return try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
    }

    func restart(_ repo: ModelRepo) throws {
        try repo.git.run(["checkout", "-q", "-f", "main"])
        try repo.git.run(["clean", "-q", "-fdx"])
        try repo.git.run(["checkout", "-q", "-B", "feature"])
    }

    // MARK: 1. Nothing unreadable is invisible

    @Test func everyUnreadableEntryUnderTheThreatsFolderBlocksAndStaysListed() throws {
        let repo = try repo()
        let good = ModelRepo.threat("T-0001", severity: "low", reviewed: ("2026-01-01", "bob@example.com"))
        let variants: [(name: String, apply: () throws -> Void, path: String)] = [
            ("YAML typo", { try repo.write("threats/T-0001-a.md", good.replacingOccurrences(of: "title: A threat", with: "title: [x")) }, "threats/T-0001-a.md"),
            ("not UTF-8", { try repo.dir.write("threats/T-0001-a.md", bytes: Array(good.utf8) + [0xFF, 0xFE]) }, "threats/T-0001-a.md"),
            ("closing --- deleted", {
                let lines = good.split(separator: "\n", omittingEmptySubsequences: false)
                let closing = try #require(lines.indices.dropFirst().first { lines[$0] == "---" })
                try repo.write("threats/T-0001-a.md", lines.enumerated().filter { $0.offset != closing }.map(\.element).joined(separator: "\n"))
            }, "threats/T-0001-a.md"),
            ("emptied", { try repo.write("threats/T-0001-a.md", "") }, "threats/T-0001-a.md"),
            ("no id", { try repo.write("threats/T-0001-a.md", good.replacingOccurrences(of: "id: T-0001\n", with: "")) }, "threats/T-0001-a.md"),
            ("new broken file", { try repo.write("threats/T-0007-new.md", "---\nid: [T-0007\n---\n") }, "threats/T-0007-new.md"),
            ("too large", { try repo.write("threats/T-0001-a.md", good + String(repeating: "x", count: 1_200_000)) }, "threats/T-0001-a.md"),
            ("symlink", {
                try repo.remove("threats/T-0001-a.md")
                try FileManager.default.createSymbolicLink(atPath: repo.dir.url("threats/T-0001-a.md"), withDestinationPath: "../elsewhere.md")
                try repo.write("elsewhere.md", good)
            }, "threats/T-0001-a.md"),
            ("folder named *.md", {
                try repo.remove("threats/T-0001-a.md")
                try repo.write("threats/T-0001-a.md/T-0001-a.md", good)
            }, "threats/T-0001-a.md"),
        ]
        for variant in variants {
            try restart(repo)
            try variant.apply()
            try repo.commit("Break: \(variant.name)", "2026-01-10T10:00:00Z", by: "alice@example.com")
            let gate = try check(repo)
            #expect(gate.status == 1, "\(variant.name): \(gate.text)")
            #expect(gate.rules.contains { $0.hasPrefix("unreadable-threat") }, "\(variant.name): \(gate.rules)")
            let status = try statusJSON(repo)
            let unreadable = try #require(status["unreadable"] as? [[String: Any]], "\(variant.name)")
            #expect(unreadable.contains { $0["path"] as? String == variant.path }, "\(variant.name): \(unreadable)")
            if variant.path == "threats/T-0001-a.md" {
                let entry = unreadable.first { $0["path"] as? String == variant.path }
                let id = entry?["id"] as? String
                let since = entry?["since"] as? String
                #expect(id == "T-0001", "\(variant.name): the threat it was is named")
                // A folder is no file history follows (here the threat lives on inside it).
                #expect(since != nil || variant.name == "folder named *.md", "\(variant.name): since which commit \(unreadable)")
            }
            let lint = try TMRepoBinary.run(["lint"], in: repo.root)
            #expect(lint.status == 1, "\(variant.name): lint fails")
            #expect(lint.stdout.contains(variant.path), "\(variant.name): \(lint.stdout)")
        }
        // A gitlink: history must not call itself incomplete, and the gate must see it.
        try restart(repo)
        let commit = try repo.git.run(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try repo.git.run(["update-index", "--add", "--cacheinfo", "160000,\(commit),threats/T-0008-sub.md"])
        try repo.git.run(["commit", "-q", "-m", "A gitlink"], date: "2026-01-10T10:00:00Z", author: ("alice", "alice@example.com"))
        let gate = try check(repo)
        #expect(gate.status == 1)
        #expect(gate.rules.contains("unreadable-threat T-0008"), "\(gate.rules) \(gate.text)")
        #expect(gate.text.contains("threats/T-0008-sub.md cannot be read as a threat"))
        let status = try TMRepoBinary.run(["status", "--as-of", "2026-02-01"], in: repo.root)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("Unreadable threat files (1)"))
    }

    /// The threats folder or a catalog folder replaced by a link (out of the repository or inside
    /// it) or by a file: the work tree would follow the link and a commit holds no folder, so
    /// each is an error that names it, in lint, status and the gate, never an empty model.
    @Test func aModelFolderThatIsNoFolderIsAnErrorNeverAnEmptyModel() throws {
        let repo = try repo()
        let outside = try TempDir("outside-model")
        try outside.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "low", reviewed: ("2026-01-01", "bob@example.com")))
        try outside.write("mitigations/MIT-0001-x.md", "---\nid: MIT-0001\ntitle: X\nstatus: implemented\n---\n")
        let variants: [(name: String, folder: String, apply: () throws -> Void)] = [
            ("threats linked out of the repository", "threats", {
                try FileManager.default.removeItem(atPath: repo.dir.url("threats"))
                try FileManager.default.createSymbolicLink(atPath: repo.dir.url("threats"), withDestinationPath: outside.path + "/threats")
            }),
            ("threats linked inside the repository", "threats", {
                try FileManager.default.moveItem(atPath: repo.dir.url("threats"), toPath: repo.dir.url("kept"))
                try FileManager.default.createSymbolicLink(atPath: repo.dir.url("threats"), withDestinationPath: "kept")
            }),
            ("threats replaced by a file", "threats", {
                try FileManager.default.removeItem(atPath: repo.dir.url("threats"))
                try repo.write("threats", "not a folder\n")
            }),
            ("mitigations linked out of the repository", "mitigations", {
                try FileManager.default.createSymbolicLink(atPath: repo.dir.url("mitigations"), withDestinationPath: outside.path + "/mitigations")
            }),
        ]
        for variant in variants {
            try restart(repo)
            try variant.apply()
            let lint = try TMRepoBinary.run(["lint"], in: repo.root)
            #expect(lint.status == 1, "\(variant.name): \(lint.stdout)")
            #expect(lint.stdout.contains("\(variant.folder) is a "), "\(variant.name): \(lint.stdout)")
            #expect(!lint.stdout.contains(outside.path), "\(variant.name): nothing outside is read")
            try repo.git.run(["add", "-A"])
            let hook = try TMRepoBinary.run(["hook", "pre-commit"], in: repo.root)
            #expect(hook.status == 1 && hook.stderr.contains("\(variant.folder) is a "), "\(variant.name): the pre-commit hook: \(hook.stderr)")
            try repo.commit("Break: \(variant.name)", "2026-01-10T10:00:00Z", by: "alice@example.com")
            let status = try TMRepoBinary.run(["status", "--as-of", "2026-02-01"], in: repo.root)
            #expect(status.stdout.contains("\(variant.folder) is a "), "\(variant.name): \(status.stdout)")
            let gate = try check(repo)
            #expect(gate.status == 1, "\(variant.name): \(gate.rules) \(gate.text)")
            #expect(gate.text.contains("\(variant.folder) is a "), "\(variant.name): \(gate.rules) \(gate.text)")
        }

        // A range that moves the threats folder in .tmrepo.yml onto a link, config review and all:
        // head is judged with the base's folders, and the folder it moves to blocks.
        try restart(repo)
        try FileManager.default.createSymbolicLink(atPath: repo.dir.url("elsewhere"), withDestinationPath: outside.path + "/threats")
        let config = try String(contentsOfFile: repo.dir.url(".tmrepo.yml"), encoding: .utf8)
        #expect(!config.contains("threats:"), "the fixture keeps the default threats folder")
        try repo.write(".tmrepo.yml", config + "\nthreats: elsewhere/\n")
        try repo.commit("Move the threats folder", "2026-01-10T10:00:00Z", by: "alice@example.com")
        try repo.git.run(["commit", "-q", "--allow-empty", "-m", "Review", "-m", "Reviewed-config: .tmrepo.yml"],
                         date: "2026-01-11T10:00:00Z", author: ("bob", "bob@example.com"))
        let moved = try check(repo)
        #expect(moved.status == 1, "\(moved.rules) \(moved.text)")
        #expect(moved.text.contains("moves a model folder to elsewhere/, but elsewhere is a symbolic link"), "\(moved.rules) \(moved.text)")
    }

    @Test func thePreCommitHookRefusesAStagedUnreadableFile() throws {
        let repo = try repo()
        try repo.write("threats/T-0001-a.md", "---\ntitle: [x\n---\n")
        try repo.git.run(["add", "-A"])
        let hook = try TMRepoBinary.run(["hook", "pre-commit"], in: repo.root)
        #expect(hook.status == 1)
        #expect(hook.stderr.contains("threats/T-0001-a.md"))
    }

    // MARK: 2. A range is judged by the model shape of its base

    @Test func aRangeCannotReshapeTheModelItIsJudgedBy() throws {
        let repo = try repo()
        // The threats folder moved to a decoy: from the base's view every threat was retired.
        try repo.write(".tmrepo.yml", ModelRepo.config + "threats: decoy/\n")
        try repo.write("decoy/T-0001-a.md", ModelRepo.threat("T-0001", severity: "low"))
        var gate = try check(repo)
        _ = gate
        try repo.commit("Move threats to a decoy", "2026-01-10T10:00:00Z", by: "alice@example.com")
        gate = try check(repo)
        #expect(gate.status == 1)
        #expect(gate.rules.contains("unreviewed-model-file-change .tmrepo.yml"), "\(gate.rules)")

        // `threats: .` hides nothing either.
        try restart(repo)
        try repo.write(".tmrepo.yml", ModelRepo.config + "threats: .\n")
        try repo.write("threats/T-0002-b.md", ModelRepo.threat("T-0002", severity: "critical", reviewed: ("2026-01-01", "bob@example.com")))
        try repo.commit("Hide and raise", "2026-01-10T10:00:00Z", by: "alice@example.com")
        gate = try check(repo)
        #expect(gate.rules.contains("unreviewed-change T-0002"), "\(gate.rules)")
        #expect(gate.rules.contains("unreviewed-model-file-change .tmrepo.yml"))

        // A cadence of 100 years does not switch the overdue rule off: the base's cadence applies.
        try restart(repo)
        try repo.write(".tmrepo.yml", ModelRepo.config.replacingOccurrences(of: "high: 60d", with: "high: 100y"))
        try repo.commit("Relax the cadence", "2026-01-10T10:00:00Z", by: "alice@example.com")
        gate = try check(repo, asOf: "2026-04-01")
        #expect(gate.rules.contains("overdue-review T-0002"), "\(gate.rules)")
    }

    @Test func aConfigurationChangeNeedsAnIndependentReviewOfItsOwn() throws {
        let repo = try repo()
        try repo.write(".tmrepo.yml", ModelRepo.config + "due_soon: 7d\n")
        try repo.commit("Shorter warning", "2026-01-10T10:00:00Z", by: "alice@example.com")
        #expect(try check(repo).rules == ["unreviewed-model-file-change .tmrepo.yml"])
        // The author's own review is not independent (policy.independent_review in the base).
        let own = try TMRepoBinary.run(["review", "--config", "--commit"], in: repo.root,
                                       environment: identity("alice@example.com", "2026-01-11T10:00:00Z"))
        #expect(own.status == 0, "\(own.stderr)")
        #expect(try check(repo).rules == ["review-not-independent .tmrepo.yml"])
        let other = try TMRepoBinary.run(["review", "--config", "--commit"], in: repo.root,
                                         environment: identity("bob@example.com", "2026-01-12T10:00:00Z"))
        #expect(other.status == 0, "\(other.stderr)")
        let passed = try check(repo)
        #expect(passed.status == 0, "\(passed.text)")
        // A trailer naming another file is no review of this one.
        try repo.write(".tmrepo.yml", ModelRepo.config + "due_soon: 3d\n")
        try repo.commit("Even shorter", "2026-01-13T10:00:00Z", by: "alice@example.com")
        try repo.git.run(["commit", "-q", "--allow-empty", "-m", "Review\n\nReviewed-config: other.yml"], date: "2026-01-14T10:00:00Z",
                         author: ("bob", "bob@example.com"))
        #expect(try check(repo).rules == ["unreviewed-model-file-change .tmrepo.yml"])
    }

    func identity(_ email: String, _ date: String) -> [String: String] {
        ["GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_EMAIL": email, "GIT_AUTHOR_NAME": email, "GIT_COMMITTER_NAME": email,
         "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date]
    }

    // MARK: 3. A change is a change whatever its YAML style

    @Test func aChangeInAnyYAMLStyleIsSeenAndAReviewIsNeverOne() throws {
        let repo = try repo()
        let changes = [
            ("flow style", "---\n{id: T-0001, title: A threat, stride: [spoofing], severity: high, status: open, owner: team-a, reviewed: {on: 2026-01-01, by: bob@example.com}}\n---\n\nBody.\n"),
            ("JSON style", "---\n{\"id\": \"T-0001\", \"title\": \"A threat\", \"stride\": [\"spoofing\"], \"severity\": \"low\", \"status\": \"closed\", \"owner\": \"team-a\", \"reviewed\": {\"on\": \"2026-01-01\", \"by\": \"bob@example.com\"}}\n---\n\nBody.\n"),
            ("reviewed block first, owner changed", "---\nreviewed:\n  on: 2026-01-01\n  by: bob@example.com\nid: T-0001\ntitle: A threat\nstride: [spoofing]\nseverity: low\nstatus: open\nowner: someone@example.com\n---\n\nBody.\n"),
            ("body only", ModelRepo.threat("T-0001", severity: "low", reviewed: ("2026-01-01", "bob@example.com"), body: "Body, rewritten.")),
        ]
        for (name, text) in changes {
            try restart(repo)
            try repo.write("threats/T-0001-a.md", text)
            try repo.commit("Change: \(name)", "2026-01-10T10:00:00Z", by: "alice@example.com")
            let gate = try check(repo)
            #expect(gate.rules.contains("unreviewed-change T-0001"), "\(name): \(gate.rules) \(gate.text)")
        }
        // Same values in another style, key order and comments: no change.
        try restart(repo)
        try repo.write("threats/T-0001-a.md", "---\n# restyled\n{owner: team-a, status: open, severity: low, stride: [spoofing], title: 'A threat', id: \"T-0001\", reviewed: {on: 2026-01-01, by: bob@example.com}}\n---\n\nBody.\n")
        try repo.commit("Restyle", "2026-01-10T10:00:00Z", by: "alice@example.com")
        #expect(try check(repo).status == 0)
        // Recording a review (the block as the last key, or added where there was none) is never a change.
        try restart(repo)
        try repo.write("threats/T-0003-c.md", ModelRepo.threat("T-0003", severity: "low"))
        try repo.commit("Add T-0003", "2026-01-10T10:00:00Z", by: "alice@example.com")
        for (id, date) in [("T-0003", "2026-01-11T10:00:00Z"), ("T-0002", "2026-01-12T10:00:00Z"), ("T-0003", "2026-01-13T10:00:00Z")] {
            let review = try TMRepoBinary.run(["review", id, "--commit", "--on", String(date.prefix(10))], in: repo.root,
                                              environment: identity("bob@example.com", date))
            #expect(review.status == 0, "\(review.stderr)")
        }
        let reviewed = try check(repo)
        #expect(reviewed.status == 0, "\(reviewed.rules) \(reviewed.text)")
    }

    // MARK: 4. Time is a claim

    @Test func aReviewFromTheFutureIsNoReview() throws {
        let repo = try repo()
        try repo.write("threats/T-0002-b.md", ModelRepo.threat("T-0002", severity: "critical", reviewed: ("2026-01-01", "bob@example.com")))
        try repo.commit("Raise T-0002", "2026-01-10T10:00:00Z", by: "alice@example.com")
        try repo.git.run(["commit", "-q", "--allow-empty", "-m", "Review\n\nReviewed-threat: T-0002"], date: "@4102444800 +0000",
                         author: ("bob", "bob@example.com"))
        let gate = try check(repo)
        #expect(gate.rules.contains("unreviewed-change T-0002"), "\(gate.rules)")
        #expect(gate.text.contains("dated 2100-01-01, after the moment judged"))
        // Once that moment has come, the review counts.
        #expect(try check(repo, asOf: "2100-01-02").rules.allSatisfy { !$0.hasPrefix("unreviewed-change") })
        // status: the review does not reset the clock, and it is reported.
        try repo.git.run(["checkout", "-q", "main"])
        try repo.git.run(["merge", "-q", "--ff-only", "feature"])
        let status = try statusJSON(repo, asOf: "2026-06-01")
        let threats = try #require(status["threats"] as? [[String: Any]])
        let t2 = try #require(threats.first { $0["id"] as? String == "T-0002" })
        #expect(t2["overdue"] as? Bool == true, "\(t2)")
        let problems = try #require(status["problems"] as? [[String: Any]])
        #expect(problems.contains { ($0["message"] as? String ?? "").contains("a review from the future does not count") })
    }

    // MARK: Found by a hostile review: merges, orphans and order

    func git(_ repo: ModelRepo, _ arguments: [String], _ who: String, _ date: String) throws -> String {
        try repo.git.run(arguments, date: date, author: (who, who + "@example.com")).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aMergeThatTakesAnOldVersionOrDropsEverythingIsAChange() throws {
        let repo = try repo()
        try repo.git.run(["checkout", "-q", "main"])
        try repo.write("threats/T-0002-b.md", ModelRepo.threat("T-0002", severity: "critical", reviewed: ("2026-01-01", "bob@example.com")))
        try repo.commit("Raise T-0002", "2026-01-05T10:00:00Z", by: "alice@example.com")
        _ = try git(repo, ["commit", "-q", "--allow-empty", "-m", "Review\n\nReviewed-threat: T-0002"], "carol", "2026-01-06T10:00:00Z")
        // Back to the old version through `merge -s ours` on a branch from before the change.
        try repo.git.run(["checkout", "-q", "-B", "feature", "main~2"])
        _ = try git(repo, ["merge", "-q", "-s", "ours", "--no-edit", "main"], "alice", "2026-01-07T10:00:00Z")
        var gate = try check(repo)
        #expect(gate.rules.contains("unreviewed-change T-0002"), "revert through a merge: \(gate.rules)")
        // An orphan commit with an empty model merged in, taking its (empty) threats folder.
        try repo.git.run(["checkout", "-q", "-B", "feature", "main"])
        let empty = try git(repo, ["mktree"], "alice", "2026-01-07T10:00:00Z")
        let orphan = try repo.git.run(["commit-tree", empty, "-m", "unrelated"], date: "2026-01-07T10:00:00Z").trimmingCharacters(in: .whitespacesAndNewlines)
        let kept = try repo.git.run(["ls-tree", "main"]).split(separator: "\n").filter { !$0.hasSuffix("\tthreats") }.joined(separator: "\n") + "\n"
        let tree = try repo.git.run(["mktree"], stdin: kept).trimmingCharacters(in: .whitespacesAndNewlines)
        let merge = try repo.git.run(["commit-tree", tree, "-p", "main", "-p", orphan, "-m", "Merge"], date: "2026-01-07T11:00:00Z")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try repo.git.run(["reset", "-q", "--hard", merge])
        gate = try check(repo)
        #expect(gate.rules.contains("unreviewed-change T-0001") && gate.rules.contains("unreviewed-change T-0002"), "orphan merge: \(gate.rules)")
    }

    @Test func aConfigurationFromAnOrphanCommitIsAChange() throws {
        let repo = try repo()
        let weak = try repo.git.run(["hash-object", "-w", "--stdin"], stdin: "policy:\n  protected_branches: []\n  block_unreviewed_changes: false\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let orphanTree = try repo.git.run(["mktree"], stdin: "100644 blob \(weak)\t.tmrepo.yml\n").trimmingCharacters(in: .whitespacesAndNewlines)
        let orphan = try repo.git.run(["commit-tree", orphanTree, "-m", "x"], date: "2026-01-07T10:00:00Z").trimmingCharacters(in: .whitespacesAndNewlines)
        let kept = try repo.git.run(["ls-tree", "main"]).split(separator: "\n").filter { !$0.hasSuffix("\t.tmrepo.yml") }.joined(separator: "\n")
            + "\n100644 blob \(weak)\t.tmrepo.yml\n"
        let tree = try repo.git.run(["mktree"], stdin: kept).trimmingCharacters(in: .whitespacesAndNewlines)
        let merge = try repo.git.run(["commit-tree", tree, "-p", "main", "-p", orphan, "-m", "Merge"], date: "2026-01-07T11:00:00Z")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try repo.git.run(["reset", "-q", "--hard", merge])
        #expect(try check(repo).rules.contains("unreviewed-model-file-change .tmrepo.yml"))
    }

    @Test func theReviewMustHaveSeenTheVersionThatIsMergedNotAnother() throws {
        let repo = try repo()
        try repo.git.run(["checkout", "-q", "-b", "x", "main"])
        try repo.write("threats/T-0002-b.md", ModelRepo.threat("T-0002", severity: "info", reviewed: ("2026-01-01", "bob@example.com")))
        try repo.commit("Lower to info", "2026-01-21T10:00:00Z", by: "alice@example.com")
        try repo.git.run(["checkout", "-q", "feature"])
        try repo.write("threats/T-0002-b.md", ModelRepo.threat("T-0002", severity: "medium", reviewed: ("2026-01-01", "bob@example.com")))
        try repo.commit("Set medium", "2026-01-22T10:00:00Z", by: "alice@example.com")
        _ = try git(repo, ["commit", "-q", "--allow-empty", "-m", "Review\n\nReviewed-threat: T-0002"], "carol", "2026-01-23T10:00:00Z")
        #expect(try check(repo).status == 0, "carol reviewed medium")
        // The conflict is resolved to x's version: carol never saw it.
        _ = try? git(repo, ["merge", "-q", "--no-edit", "x"], "alice", "2026-01-24T10:00:00Z")
        try repo.git.run(["checkout", "--theirs", "threats/T-0002-b.md"])
        try repo.git.run(["add", "-A"])
        _ = try git(repo, ["commit", "-q", "--no-edit"], "alice", "2026-01-24T10:00:00Z")
        let gate = try check(repo)
        #expect(gate.rules.contains("unreviewed-change T-0002"), "\(gate.rules)")
    }

    @Test func inventoriesAreModelFilesThatNeedAReviewToo() throws {
        let repo = try repo()
        try repo.write("elements.yml", "elements:\n  - id: api\n    kind: process\n")
        try repo.commit("Add an element", "2026-01-10T10:00:00Z", by: "alice@example.com")
        #expect(try check(repo).rules == ["unreviewed-model-file-change elements.yml"])
        let review = try TMRepoBinary.run(["review", "--config", "--commit"], in: repo.root, environment: identity("bob@example.com", "2026-01-11T10:00:00Z"))
        #expect(review.status == 0, "\(review.stderr)")
        let passed = try check(repo)
        #expect(passed.status == 0, "\(passed.rules) \(passed.text)")
    }

    // MARK: 11. The default base is the branch's target

    @Test func onMainWithoutARemoteDefaultTheUnpushedCommitsAreTheRange() throws {
        let repo = try repo()
        let server = try TempDir("server")
        try runProcess("/usr/bin/git", ["init", "-q", "--bare", server.path], cwd: "/")
        try repo.git.run(["remote", "add", "origin", server.path])
        try repo.git.run(["push", "-q", "origin", "main"])
        try repo.git.run(["checkout", "-q", "main"])
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "high", reviewed: ("2026-01-01", "bob@example.com")))
        try repo.commit("Raise T-0001 on main", "2026-01-10T10:00:00Z", by: "alice@example.com")
        let result = try TMRepoBinary.run(["check", "--as-of", "2026-02-01"], in: repo.root)
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stdout.contains("(1 commit)"), "\(result.stdout)")
    }

    @Test(arguments: [".", "./", "threats/..", "/"])
    func theThreatsFolderMustBeAFolderBelowTheRoot(folder: String) throws {
        let repo = try repo()
        try repo.write(".tmrepo.yml", ModelRepo.config + "threats: \(folder)\n")
        let lint = try TMRepoBinary.run(["lint"], in: repo.root)
        #expect(lint.status == 2, "\(folder): \(lint.stdout)\(lint.stderr)")
        #expect(lint.stderr.contains("threats:"), "\(lint.stderr)")
    }

    @Test func checkWithoutBaseComparesWithTheRemotesDefaultBranch() throws {
        let repo = try repo()
        let server = try TempDir("server")
        try runProcess("/usr/bin/git", ["init", "-q", "--bare", server.path], cwd: "/")
        try repo.git.run(["remote", "add", "origin", server.path])
        try repo.git.run(["push", "-q", "origin", "main"])
        try repo.git.run(["remote", "set-head", "origin", "main"])
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "high", reviewed: ("2026-01-01", "bob@example.com")))
        try repo.commit("Raise T-0001", "2026-01-10T10:00:00Z", by: "alice@example.com")
        try repo.git.run(["push", "-q", "-u", "origin", "feature"])
        let result = try TMRepoBinary.run(["check", "--as-of", "2026-02-01"], in: repo.root)
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stdout.contains("unreviewed-change"))
    }
}
