import Foundation
import Testing
import TestSupport

/// `tmrepo check` and the git hooks, driven through the real git CLI.
struct GateTests {
    static let asOf = ["TMREPO_AS_OF": "2026-02-01"]

    /// main: T-0001 (low) and T-0002 (high), reviewed; a feature branch off it.
    func repoWithFeatureBranch() throws -> ModelRepo {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "low", reviewed: ("2026-01-01", "bob@example.com")))
        try repo.write("threats/T-0002-b.md", ModelRepo.threat("T-0002", severity: "high", reviewed: ("2026-01-01", "bob@example.com")))
        try repo.commit("Model", "2026-01-01T10:00:00Z")
        try repo.git.run(["checkout", "-q", "-b", "feature"])
        return repo
    }

    func check(_ repo: ModelRepo, _ extra: [String] = [], in directory: String? = nil) throws -> ProcessResult {
        try TMRepoBinary.run(["check", "--as-of", "2026-02-01"] + extra, in: directory ?? repo.root)
    }

    @Test func aChangedThreatNeedsAnIndependentReviewAfterItsLastChange() throws {
        let repo = try repoWithFeatureBranch()
        #expect(try check(repo).status == 0, "nothing changed yet")
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "medium", reviewed: ("2026-01-01", "bob@example.com")))
        let change = try repo.commit("Raise T-0001", "2026-01-10T10:00:00Z", by: "alice@example.com")
        let blocked = try check(repo)
        #expect(blocked.status == 1)
        #expect(blocked.stdout.contains("unreviewed-change threats/T-0001-a.md:2"))
        #expect(blocked.stdout.contains("T-0001 was changed in \(change.prefix(12)) by alice@example.com and no review in the range saw the version at head"))
        #expect(blocked.stdout.contains("fix: tmrepo review T-0001 --commit   (by someone other than alice@example.com)"))

        // The author reviewing their own change is not enough under independent_review.
        try repo.git.run(["commit", "-q", "--allow-empty", "-m", "Self review\n\nReviewed-threat: T-0001"], date: "2026-01-11T10:00:00Z",
                         author: ("alice", "alice@example.com"))
        let selfReviewed = try check(repo)
        #expect(selfReviewed.status == 1)
        #expect(selfReviewed.stdout.contains("review-not-independent"))

        // Someone else records the review with tmrepo itself.
        let review = try TMRepoBinary.run(["review", "T-0001", "--commit", "--on", "2026-01-12"], in: repo.root,
                                          environment: ["GIT_AUTHOR_EMAIL": "bob@example.com", "GIT_COMMITTER_EMAIL": "bob@example.com",
                                                        "GIT_AUTHOR_DATE": "2026-01-12T10:00:00Z", "GIT_COMMITTER_DATE": "2026-01-12T10:00:00Z"])
        #expect(review.status == 0, "\(review.stderr)")
        let passed = try check(repo)
        #expect(passed.status == 0, "\(passed.stdout)")
        #expect(passed.stdout.contains("tmrepo check passed"))

        // A later change needs a new review: the old one came before it.
        try repo.write("threats/T-0001-a.md", try repo.dir.read("threats/T-0001-a.md") + "More notes.\n")
        try repo.commit("Edit the body", "2026-01-13T10:00:00Z", by: "bob@example.com")
        let again = try check(repo)
        #expect(again.status == 1)
        #expect(again.stdout.contains("T-0001 was changed in"))
    }

    @Test func aRangeCannotSwitchOffTheGateItIsCheckedBy() throws {
        let repo = try repoWithFeatureBranch()
        try repo.write(".tmrepo.yml", "policy:\n  block_unreviewed_changes: false\n  block_overdue: []\n")
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "medium"))
        try repo.commit("Relax the policy and raise T-0001", "2026-01-10T10:00:00Z", by: "alice@example.com")
        let result = try check(repo)
        #expect(result.status == 1, "the base's policy still applies")
        #expect(result.stdout.contains("unreviewed-change"))
    }

    @Test func overdueLintAndUnknownTrailersBlock() throws {
        let repo = try repoWithFeatureBranch()
        try repo.write("threats/T-0003-c.md", "---\nid: T-0003\ntitle: c\nstride: [spoofing]\nseverity: urgent\nstatus: open\nowner: team-a\n---\n")
        try repo.commit("Add a broken threat\n\nReviewed-threat: T-0999", "2026-01-10T10:00:00Z", by: "alice@example.com")
        let result = try TMRepoBinary.run(["check", "--as-of", "2026-04-01", "--format", "json"], in: repo.root)
        #expect(result.status == 1)
        let json = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let findings = try #require(json["findings"] as? [[String: Any]])
        let rules = findings.map { "\($0["rule"]!) \($0["threat"] as? String ?? $0["path"] as? String ?? "")" }
        #expect(rules.contains("unknown-trailer-id T-0999"))
        #expect(rules.contains("lint-error threats/T-0003-c.md"))
        #expect(rules.contains("overdue-review T-0002"), "high and reviewed 2026-01-01: due 2026-03-02")
        #expect(!rules.contains { $0.hasPrefix("overdue-review T-0001") }, "low severity does not block")
        #expect(json["commits"] as? Int == 1)
    }

    @Test func machineFormatsSarifAndGitHub() throws {
        let repo = try repoWithFeatureBranch()
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "medium"))
        try repo.commit("Raise", "2026-01-10T10:00:00Z", by: "alice@example.com")
        let sarif = try check(repo, ["--format", "sarif"])
        #expect(sarif.status == 1)
        let document = try #require(JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])
        #expect(document["version"] as? String == "2.1.0")
        let run = try #require((document["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "tmrepo")
        let ruleIDs = (driver["rules"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == 1)
        let first = results[0]
        #expect(first["ruleId"] as? String == "unreviewed-change")
        #expect(ruleIDs[first["ruleIndex"] as! Int] == "unreviewed-change")
        let location = try #require(((first["locations"] as? [[String: Any]])?.first?["physicalLocation"]) as? [String: Any])
        #expect((location["artifactLocation"] as? [String: Any])?["uri"] as? String == "threats/T-0001-a.md")
        #expect((location["region"] as? [String: Any])?["startLine"] as? Int == 2)
        let github = try check(repo, ["--format", "github"])
        #expect(github.stdout.hasPrefix("::error file=threats/T-0001-a.md,line=2,title=tmrepo check%3A unreviewed-change::T-0001 was changed in"))
    }

    @Test func checkReadsCommitsNotTheWorkTreeAndWorksInABareRepository() throws {
        let repo = try repoWithFeatureBranch()
        try repo.write("threats/T-0001-a.md", "not even front matter\n")   // uncommitted: ignored
        #expect(try check(repo).status == 0)
        try repo.git.run(["checkout", "-q", "--", "."])
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "medium"))
        try repo.commit("Raise", "2026-01-10T10:00:00Z", by: "alice@example.com")
        let bare = try TempDir("bare-check")
        try runProcess("/usr/bin/git", ["clone", "-q", "--bare", repo.dir.path, bare.path], cwd: "/")
        let result = try TMRepoBinary.run(["check", "--as-of", "2026-02-01", "--base", "main", "--head", "feature"], in: bare.path)
        #expect(result.status == 1)
        #expect(result.stdout.contains("unreviewed-change"))
    }

    @Test func badRangesAreUsageErrors() throws {
        let repo = try repoWithFeatureBranch()
        let unknown = try check(repo, ["--base", "no-such-branch"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("--base 'no-such-branch' is not a commit in this repository"))
        try repo.git.run(["checkout", "-q", "--orphan", "unrelated"])
        try repo.write("threats/T-0005-e.md", ModelRepo.threat("T-0005", severity: "low"))
        try repo.commit("Unrelated root", "2026-01-05T10:00:00Z")
        let unrelated = try check(repo, ["--base", "main"])
        #expect(unrelated.status == 2)
        #expect(unrelated.stderr.contains("unrelated histories"))
        let shallow = try TempDir("shallow-check")
        try runProcess("/usr/bin/git", ["clone", "-q", "--depth", "1", "-b", "main", "file://" + repo.dir.path, shallow.path], cwd: "/")
        #expect(try TMRepoBinary.run(["check"], in: shallow.path).status == 3)
    }
}

/// The hooks, installed with `tmrepo hooks install` and run by git itself.
struct HookTests {
    func install(_ arguments: [String], in directory: String) throws {
        let result = try TMRepoBinary.run(["hooks", "install"] + arguments, in: directory)
        try #require(result.status == 0, "\(result.stderr)")
    }

    /// git, with the tmrepo under test first on PATH and a fixed evaluation date.
    func gitEnvironment() -> [String: String] {
        let folder = URL(fileURLWithPath: TMRepoBinary.path).deletingLastPathComponent().path
        return ["PATH": folder + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"), "TMREPO_AS_OF": "2026-02-01"]
    }

    @Test func theServerRejectsUnreviewedPushesToProtectedBranches() throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "low"))
        try repo.commit("Model", "2026-01-01T10:00:00Z")
        let server = try TempDir("server")
        try runProcess("/usr/bin/git", ["clone", "-q", "--bare", repo.dir.path, server.path], cwd: "/")
        try install(["--server"], in: server.path)
        try repo.git.run(["remote", "add", "origin", server.path])
        try repo.git.run(["fetch", "-q", "origin"])

        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "medium"))
        try repo.commit("Raise T-0001", "2026-01-10T10:00:00Z", by: "alice@example.com")
        let env = gitEnvironment()
        let rejected = try runProcess("/usr/bin/git", ["push", "origin", "main"], cwd: repo.dir.path, environment: env)
        #expect(rejected.status != 0)
        #expect(rejected.stderr.contains("tmrepo: rejected refs/heads/main"))
        #expect(rejected.stderr.contains("fix: tmrepo review T-0001 --commit"))

        // A branch that is not protected is accepted as it is.
        let feature = try runProcess("/usr/bin/git", ["push", "origin", "main:feature"], cwd: repo.dir.path, environment: env)
        #expect(feature.status == 0, "\(feature.stderr)")

        try repo.git.run(["commit", "-q", "--allow-empty", "-m", "Review\n\nReviewed-threat: T-0001"], date: "2026-01-11T10:00:00Z",
                         author: ("bob", "bob@example.com"))
        let accepted = try runProcess("/usr/bin/git", ["push", "origin", "main"], cwd: repo.dir.path, environment: env)
        #expect(accepted.status == 0, "\(accepted.stderr)")

        // Deleting the protected branch is refused; deleting another is not.
        let deleteMain = try runProcess("/usr/bin/git", ["push", "origin", ":main"], cwd: repo.dir.path, environment: env)
        #expect(deleteMain.status != 0)
        #expect(deleteMain.stderr.contains("cannot be deleted"))
        let deleteFeature = try runProcess("/usr/bin/git", ["push", "origin", ":feature"], cwd: repo.dir.path, environment: env)
        #expect(deleteFeature.status == 0, "\(deleteFeature.stderr)")
    }

    @Test func mergeIsStoppedByPreMergeCommit() throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "low"))
        try repo.commit("Model", "2026-01-01T10:00:00Z")
        try install([], in: repo.dir.path)
        try repo.git.run(["checkout", "-q", "-b", "feature"])
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "medium"))
        try repo.commit("Raise", "2026-01-10T10:00:00Z", by: "alice@example.com")
        try repo.git.run(["checkout", "-q", "main"])
        try repo.write("notes.txt", "x")
        try repo.commit("Diverge", "2026-01-11T10:00:00Z")
        let merge = try runProcess("/usr/bin/git", ["merge", "--no-ff", "--no-edit", "feature"], cwd: repo.dir.path, environment: gitEnvironment())
        #expect(merge.status != 0)
        #expect(merge.stderr.contains("tmrepo: merge stopped"))
        #expect(merge.stderr.contains("T-0001 was changed"))
    }

    @Test func prePushChecksOnlyThePushedRange() throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "low"))
        try repo.write("threats/T-0002-b.md", ModelRepo.threat("T-0002", severity: "low"))
        try repo.commit("Model", "2026-01-01T10:00:00Z")
        // An unreviewed change that is already on the remote is not this push's business.
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "medium"))
        try repo.commit("Old unreviewed change", "2026-01-02T10:00:00Z", by: "alice@example.com")
        let remote = try TempDir("remote")
        try runProcess("/usr/bin/git", ["init", "-q", "--bare", remote.path], cwd: "/")
        try repo.git.run(["remote", "add", "origin", remote.path])
        try repo.git.run(["push", "-q", "origin", "main"])
        try install([], in: repo.dir.path)
        let env = gitEnvironment()

        try repo.write("src/code.ts", "1")
        try repo.commit("Code only", "2026-01-03T10:00:00Z")
        let codeOnly = try runProcess("/usr/bin/git", ["push", "origin", "main"], cwd: repo.dir.path, environment: env)
        #expect(codeOnly.status == 0, "\(codeOnly.stderr)")

        try repo.write("threats/T-0002-b.md", ModelRepo.threat("T-0002", severity: "medium"))
        try repo.commit("Raise T-0002", "2026-01-04T10:00:00Z", by: "alice@example.com")
        let blocked = try runProcess("/usr/bin/git", ["push", "origin", "main"], cwd: repo.dir.path, environment: env)
        #expect(blocked.status != 0)
        #expect(blocked.stderr.contains("T-0002 was changed"))
        #expect(!blocked.stderr.contains("T-0001 was changed"), "only the pushed range is checked")

        // A new branch is checked against what the remote already has.
        let newBranch = try runProcess("/usr/bin/git", ["push", "origin", "HEAD~1:refs/heads/other"], cwd: repo.dir.path, environment: env)
        #expect(newBranch.status == 0, "\(newBranch.stderr)")
    }

    @Test func preCommitLintsStagedFilesAndCommitMsgChecksTrailers() throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "low"))
        try repo.commit("Model", "2026-01-01T10:00:00Z")
        try install([], in: repo.dir.path)
        let env = gitEnvironment()

        try repo.write("threats/T-0002-b.md", "---\nid: T-0002\ntitle: b\nstride: [spoofing]\nseverity: urgent\nstatus: open\nowner: team-a\n---\n")
        try repo.git.run(["add", "-A"])
        let broken = try runProcess("/usr/bin/git", ["commit", "-m", "Add T-0002"], cwd: repo.dir.path, environment: env)
        #expect(broken.status != 0)
        #expect(broken.stderr.contains("threats/T-0002-b.md:5:11: error: severity: 'urgent'"))
        // What counts is what is staged: fixing the work tree alone is not enough.
        try repo.write("threats/T-0002-b.md", ModelRepo.threat("T-0002", severity: "low"))
        #expect(try runProcess("/usr/bin/git", ["commit", "-m", "Add T-0002"], cwd: repo.dir.path, environment: env).status != 0)
        try repo.git.run(["add", "-A"])
        let fixed = try runProcess("/usr/bin/git", ["commit", "-m", "Add T-0002"], cwd: repo.dir.path, environment: env)
        #expect(fixed.status == 0, "\(fixed.stderr)")

        let unknown = try runProcess("/usr/bin/git", ["commit", "--allow-empty", "-m", "Review\n\nReviewed-threat: T-0404"],
                                     cwd: repo.dir.path, environment: env)
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("Reviewed-threat names T-0404"))
        let known = try runProcess("/usr/bin/git", ["commit", "--allow-empty", "-m", "Review\n\nReviewed-threat: T-0002"],
                                   cwd: repo.dir.path, environment: env)
        #expect(known.status == 0, "\(known.stderr)")
    }

    @Test func installingNeverClobbersAnExistingHook() throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "low"))
        try repo.commit("Model", "2026-01-01T10:00:00Z")
        let hooks = repo.dir.url(".git/hooks")
        let mine = "#!/bin/sh\necho mine-ran >> \"$(git rev-parse --git-dir)/mine.log\"\n"
        try repo.dir.write(".git/hooks/pre-commit", mine)
        chmod(hooks + "/pre-commit", 0o755)
        let refused = try TMRepoBinary.run(["hooks", "install", "--no-chain"], in: repo.dir.path)
        #expect(refused.status == 2)
        #expect(try repo.dir.read(".git/hooks/pre-commit") == mine)
        try install([], in: repo.dir.path)
        #expect(try repo.dir.read(".git/hooks/pre-commit.pre-tmrepo") == mine)
        try repo.write("x.txt", "x")
        try repo.git.run(["add", "-A"])
        let commit = try runProcess("/usr/bin/git", ["commit", "-m", "x"], cwd: repo.dir.path, environment: gitEnvironment())
        #expect(commit.status == 0, "\(commit.stderr)")
        #expect(try repo.dir.read(".git/mine.log") == "mine-ran\n", "the existing hook still runs")
        let removed = try TMRepoBinary.run(["hooks", "uninstall"], in: repo.dir.path)
        #expect(removed.stdout.contains("restored the previous pre-commit"))
        #expect(try repo.dir.read(".git/hooks/pre-commit") == mine)
        #expect(!repo.dir.exists(".git/hooks/commit-msg"))

        // core.hooksPath is respected.
        try repo.git.run(["config", "core.hooksPath", "githooks"])
        try install([], in: repo.dir.path)
        #expect(repo.dir.exists("githooks/pre-push"))
    }

    @Test func theBundledHookScriptsAreWhatInstallWrites() throws {
        for name in ["pre-commit", "commit-msg", "pre-merge-commit", "pre-push", "pre-receive"] {
            let bundled = try String(contentsOfFile: SourceTree.root + "/hooks/" + name, encoding: .utf8)
            let repo = try ModelRepo()
            try install(name == "pre-receive" ? ["--server"] : [], in: repo.dir.path)
            let installed = try repo.dir.read(".git/hooks/" + name)
                .replacingOccurrences(of: #"TMREPO="${TMREPO:-\#(TMRepoBinary.path)}""#, with: #"TMREPO="${TMREPO:-tmrepo}""#)
            #expect(installed.contains("exec \"$TMREPO\" hook \(name)"))
            #expect(bundled == installed.replacingOccurrences(of: URL(fileURLWithPath: TMRepoBinary.path).resolvingSymlinksInPath().path, with: "tmrepo"),
                    "hooks/\(name) differs from what tmrepo hooks install writes")
        }
    }
}
