import Foundation
import Testing
import TestSupport

private let sshKeygen = "/usr/bin/ssh-keygen"

/// Guarantees 5–7 of docs/security.md: signed reviews, the server hook, the cache.
struct ServerAndSigningTrustTests {
    /// git, with the tmrepo under test first on PATH and a fixed evaluation date.
    func gitEnvironment(asOf: String = "2026-02-01") -> [String: String] {
        let folder = URL(fileURLWithPath: TMRepoBinary.path).deletingLastPathComponent().path
        return ["PATH": folder + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"), "TMREPO_AS_OF": asOf]
    }

    /// A model repository pushed to a bare server with the pre-receive hook installed.
    func serverPair() throws -> (repo: ModelRepo, server: TempDir) {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "low", reviewed: ("2026-01-01", "bob@example.com")))
        try repo.commit("Model", "2026-01-01T10:00:00Z", by: "bob@example.com")
        let server = try TempDir("server")
        try runProcess("/usr/bin/git", ["clone", "-q", "--bare", repo.dir.path, server.path], cwd: "/")
        let installed = try TMRepoBinary.run(["hooks", "install", "--server"], in: server.path)
        try #require(installed.status == 0, "\(installed.stderr)")
        try repo.git.run(["remote", "add", "origin", server.path])
        try repo.git.run(["fetch", "-q", "origin"])
        return (repo, server)
    }

    func push(_ repo: ModelRepo, _ arguments: [String]) throws -> ProcessResult {
        try runProcess("/usr/bin/git", ["push"] + arguments, cwd: repo.dir.path, environment: gitEnvironment())
    }

    // MARK: 6. The server cannot be talked round by what is pushed

    @Test func aNewProtectedBranchIsCheckedAgainstWhatProtectedBranchesHold() throws {
        let (repo, server) = try serverPair()
        try repo.write(".tmrepo.yml", ModelRepo.config + "  protected_branches: [main, 'release/*']\n")
        try repo.git.run(["commit", "-qam", "Protect releases\n\nReviewed-config: .tmrepo.yml"], date: "2026-01-02T10:00:00Z",
                         author: ("bob", "bob@example.com"))
        try repo.git.run(["commit", "-q", "--allow-empty", "-m", "Review\n\nReviewed-config: .tmrepo.yml"], date: "2026-01-02T11:00:00Z",
                         author: ("carol", "carol@example.com"))
        #expect(try push(repo, ["origin", "main"]).status == 0)

        // An unreviewed change reaches the server on an unprotected topic branch…
        try repo.git.run(["checkout", "-q", "-b", "topic"])
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "critical", reviewed: ("2026-01-01", "bob@example.com")))
        try repo.commit("Raise T-0001", "2026-01-10T10:00:00Z", by: "alice@example.com")
        #expect(try push(repo, ["origin", "topic"]).status == 0, "unprotected")
        // …and is then named a release: the topic on the server hides nothing.
        let release = try push(repo, ["origin", "topic:refs/heads/release/1"])
        #expect(release.status != 0, "\(release.stderr)")
        #expect(release.stderr.contains("unreviewed-change"))

        // A branch whose own .tmrepo.yml drops the protection is still judged by main's policy.
        try repo.write(".tmrepo.yml", ModelRepo.config + "  protected_branches: []\n  block_unreviewed_changes: false\n")
        try repo.commit("Unprotect", "2026-01-11T10:00:00Z", by: "alice@example.com")
        let unprotected = try push(repo, ["origin", "topic:refs/heads/release/2"])
        #expect(unprotected.status != 0, "\(unprotected.stderr)")
        #expect(unprotected.stderr.contains("tmrepo: rejected refs/heads/release/2"))
        _ = server
    }

    @Test func aProtectedBranchIsNeverRewritten() throws {
        let (repo, server) = try serverPair()
        defer { _ = server }
        try repo.git.run(["commit", "-q", "--allow-empty", "-m", "Note"], date: "2026-01-02T10:00:00Z", author: ("bob", "bob@example.com"))
        #expect(try push(repo, ["origin", "main"]).status == 0)
        try repo.git.run(["reset", "-q", "--hard", "HEAD~1"])
        try repo.git.run(["commit", "-q", "--allow-empty", "-m", "Other"], date: "2026-01-03T10:00:00Z", author: ("bob", "bob@example.com"))
        let forced = try push(repo, ["--force", "origin", "main"])
        #expect(forced.status != 0)
        #expect(forced.stderr.contains("not a fast-forward"))
        let rewound = try push(repo, ["--force", "origin", "HEAD~1:main"])
        #expect(rewound.status != 0, "\(rewound.stderr)")
    }

    @Test func aMissingPolicyBranchMeansTheDefaultPolicyNotThePushersOwn() throws {
        // A bare repository whose HEAD names a branch that does not exist (git's default `master`),
        // while the team pushes main.
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "low", reviewed: ("2026-01-01", "bob@example.com")))
        try repo.commit("Model", "2026-01-01T10:00:00Z", by: "bob@example.com")
        let server = try TempDir("server")
        try runProcess("/usr/bin/git", ["init", "-q", "--bare", "--initial-branch=master", server.path], cwd: "/")
        let installed = try TMRepoBinary.run(["hooks", "install", "--server"], in: server.path)
        #expect(installed.stdout.contains("refs/heads/master does not exist yet"), "\(installed.stdout)")
        try repo.git.run(["remote", "add", "origin", server.path])
        #expect(try push(repo, ["origin", "main"]).status == 0, "the first push to an empty server sets it up")

        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "critical", reviewed: ("2026-01-01", "bob@example.com")))
        try repo.commit("Raise T-0001", "2026-01-10T10:00:00Z", by: "alice@example.com")
        #expect(try push(repo, ["origin", "main"]).status != 0, "main is protected by the default policy")

        // Creating the policy branch with a policy that protects nothing is itself checked.
        let weak = try repo.git.run(["hash-object", "-w", "--stdin"], stdin: "policy:\n  protected_branches: []\n  block_unreviewed_changes: false\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let tree = try repo.git.run(["mktree"], stdin: "100644 blob \(weak)\t.tmrepo.yml\n").trimmingCharacters(in: .whitespacesAndNewlines)
        let orphan = try repo.git.run(["commit-tree", tree, "-m", "policy"], date: "2026-01-11T10:00:00Z").trimmingCharacters(in: .whitespacesAndNewlines)
        let hijack = try push(repo, ["origin", "\(orphan):refs/heads/master"])
        #expect(hijack.status != 0, "\(hijack.stderr)")
        #expect(try push(repo, ["origin", "main"]).status != 0, "still protected")
    }

    @Test func aMonorepoModelIsGuardedOnTheServerWhereItLives() throws {
        let repo = try ModelRepo(prefix: "sec/")
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "low", reviewed: ("2026-01-01", "bob@example.com")))
        try repo.commit("Model", "2026-01-01T10:00:00Z", by: "bob@example.com")
        let server = try TempDir("server")
        try runProcess("/usr/bin/git", ["clone", "-q", "--bare", repo.dir.path, server.path], cwd: "/")
        let installed = try TMRepoBinary.run(["hooks", "install", "--server", "--model-root", "sec"], in: server.path)
        #expect(installed.status == 0, "\(installed.stderr)")
        try repo.git.run(["remote", "add", "origin", server.path])
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "critical", reviewed: ("2026-01-01", "bob@example.com")))
        try repo.commit("Raise T-0001", "2026-01-10T10:00:00Z", by: "alice@example.com")
        let rejected = try push(repo, ["origin", "main"])
        #expect(rejected.status != 0)
        #expect(rejected.stderr.contains("unreviewed-change"), "\(rejected.stderr)")
    }

    // MARK: 7. The cache is never wrong and never blocks

    @Test func aRejectedPushLeavesNothingBehindThatBreaksTheNext() throws {
        let (repo, server) = try serverPair()
        for round in 1...2 {
            try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: round == 1 ? "medium" : "high",
                                                                   reviewed: ("2026-01-01", "bob@example.com")))
            try repo.commit("Raise T-0001 (\(round))", "2026-01-1\(round)T10:00:00Z", by: "alice@example.com")
            let rejected = try push(repo, ["origin", "main"])
            #expect(rejected.status != 0)
            #expect(rejected.stderr.contains("unreviewed-change"), "round \(round): \(rejected.stderr)")
            #expect(!rejected.stderr.contains("not found"), "round \(round): \(rejected.stderr)")
        }
        try repo.git.run(["commit", "-q", "--allow-empty", "-m", "Review\n\nReviewed-threat: T-0001"], date: "2026-01-15T10:00:00Z",
                         author: ("bob", "bob@example.com"))
        let accepted = try push(repo, ["origin", "main"])
        #expect(accepted.status == 0, "\(accepted.stderr)")
        // The server's own history commands work on what it holds.
        let status = try TMRepoBinary.run(["status", "--as-of", "2026-02-01"], in: server.path)
        #expect(status.status == 0, "\(status.stderr)")
    }

    @Test func aCacheNamingObjectsThatAreGoneIsRecomputed() throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "low"))
        try repo.commit("Model", "2026-01-01T10:00:00Z")
        for day in 2...4 {
            try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "low", body: "Day \(day)."))
            try repo.commit("Edit \(day)", "2026-01-0\(day)T10:00:00Z")
            #expect(try TMRepoBinary.run(["status", "--as-of", "2026-02-01"], in: repo.root).status == 0)
        }
        let expected = try TMRepoBinary.run(["status", "--as-of", "2026-02-01", "--format", "json"], in: repo.root,
                                            environment: ["TMREPO_NO_CACHE": "1"])
        try repo.git.run(["reset", "-q", "--hard", "HEAD~2"])
        try repo.git.run(["reflog", "expire", "--expire=now", "--all"])
        try repo.git.run(["gc", "-q", "--prune=now"])
        for command in [["status", "--as-of", "2026-02-01"], ["log", "T-0001"], ["changelog"], ["check", "--base", "HEAD~1", "--as-of", "2026-02-01"]] {
            let result = try TMRepoBinary.run(command, in: repo.root)
            #expect(result.status < 2, "\(command): an answer (check finds the unreviewed edit), not an error: \(result.stderr)")
        }
        // And the answer is the one a run without any cache gives for the commit now at HEAD.
        let after = try TMRepoBinary.run(["status", "--as-of", "2026-02-01", "--format", "json"], in: repo.root)
        let uncached = try TMRepoBinary.run(["status", "--as-of", "2026-02-01", "--format", "json"], in: repo.root,
                                            environment: ["TMREPO_NO_CACHE": "1"])
        #expect(after.stdout == uncached.stdout)
        #expect(after.stdout != expected.stdout, "HEAD moved back two commits")
    }

    @Test func cachedAndUncachedAnswersAgreeAsEvidenceGlobsChange() throws {
        let repo = try ModelRepo()
        try repo.writeRoot("src/api/handler.py", "v1\n")
        try repo.writeRoot("src/auth/token.py", "v1\n")
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "low", mitigations: [("M-1", "implemented", "src/api/**", "2026-01-01")]))
        try repo.commit("Model", "2026-01-01T10:00:00Z")
        try repo.writeRoot("src/auth/token.py", "v2\n")
        try repo.commit("Change auth", "2026-01-05T10:00:00Z")
        func compare(_ label: String) throws {
            let uncached = try TMRepoBinary.run(["status", "--as-of", "2026-02-01", "--format", "json"], in: repo.root,
                                                environment: ["TMREPO_NO_CACHE": "1"])
            let cached = try TMRepoBinary.run(["status", "--as-of", "2026-02-01", "--format", "json"], in: repo.root)
            let warm = try TMRepoBinary.run(["status", "--as-of", "2026-02-01", "--format", "json"], in: repo.root)
            #expect(cached.stdout == uncached.stdout, "\(label): first cached run")
            #expect(warm.stdout == uncached.stdout, "\(label): warm run")
        }
        try compare("narrow glob")
        // Widen the glob: the auth change now makes M-1 stale, cached or not.
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "low", mitigations: [("M-1", "implemented", "src/**", "2026-01-01")]))
        try repo.commit("Widen evidence", "2026-01-06T10:00:00Z")
        try compare("wide glob")
        let status = try TMRepoBinary.run(["status", "--as-of", "2026-02-01", "--format", "json"], in: repo.root)
        #expect(status.stdout.contains("evidence-changed"), "\(status.stdout)")
        // Rewrite history under the cache (amend), then a new folder layout: recomputed each time.
        try repo.git.run(["commit", "-q", "--amend", "-m", "Widen evidence (amended)"], date: "2026-01-06T11:00:00Z")
        try compare("amended")
    }

    // MARK: 5. Identity is a claim, unless signed

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: sshKeygen), "ssh-keygen is not installed (apt-get install openssh-client)"))
    func onlyAReviewSignedByAKeyListedForTheReviewerCounts() throws {
        let repo = try ModelRepo()
        let keys = try TempDir("keys")
        func key(_ name: String) throws -> (path: String, publicKey: String) {
            let path = keys.url(name)
            let made = try runProcess(sshKeygen, ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path], cwd: keys.path)
            try #require(made.status == 0, "\(made.stderr)")
            let text = try String(contentsOfFile: path + ".pub", encoding: .utf8)
            return (path, text.split(separator: " ").prefix(2).joined(separator: " "))
        }
        let alice = try key("alice"), bob = try key("bob"), carol = try key("carol"), mallory = try key("mallory")
        try repo.write(".tmrepo.yml", ModelRepo.config + "  require_signed_reviews: true\n")
        try repo.write(".tmrepo/allowed_signers",
                       "alice@example.com \(alice.publicKey)\nbob@example.com \(bob.publicKey)\ncarol@example.com \(carol.publicKey)\n")
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "low"))
        try repo.commit("Model", "2026-01-01T10:00:00Z", by: "bob@example.com")
        try repo.git.run(["checkout", "-q", "-b", "feature"])
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "high"))
        // The change is signed too: under independent_review, who made it must be proven as well.
        try repo.git.run(["add", "-A"])
        try repo.git.run(["-c", "gpg.format=ssh", "-c", "user.signingkey=\(alice.path)", "commit", "-q", "-S", "-m", "Raise T-0001"],
                         date: "2026-01-10T10:00:00Z", author: ("alice", "alice@example.com"))
        let change = try repo.git.run(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)

        func review(signedWith key: String?, as author: (String, String), date: String) throws {
            var arguments = ["commit", "-q", "--allow-empty", "-m", "Review\n\nReviewed-threat: T-0001"]
            if let key { arguments = ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(key)"] + arguments + ["-S"] }
            try repo.git.run(arguments, date: date, author: author)
        }
        func gate() throws -> ProcessResult {
            try TMRepoBinary.run(["check", "--base", "main", "--as-of", "2026-02-01"], in: repo.root)
        }
        func reset() throws { try repo.git.run(["reset", "-q", "--hard", change]) }

        try review(signedWith: nil, as: ("bob", "bob@example.com"), date: "2026-01-11T10:00:00Z")
        var result = try gate()
        #expect(result.status == 1)
        #expect(result.stdout.contains("the commit is not signed"), "unsigned: \(result.stdout)")

        try reset()
        try review(signedWith: mallory.path, as: ("bob", "bob@example.com"), date: "2026-01-11T10:00:00Z")
        result = try gate()
        #expect(result.status == 1)
        #expect(result.stdout.contains("does not list"), "key not listed: \(result.stdout)")

        try reset()
        try review(signedWith: carol.path, as: ("bob", "bob@example.com"), date: "2026-01-11T10:00:00Z")
        result = try gate()
        #expect(result.status == 1)
        #expect(result.stdout.contains("not listed for bob@example.com"), "another's key: \(result.stdout)")

        try reset()
        try review(signedWith: bob.path, as: ("bob", "bob@example.com"), date: "2026-01-11T10:00:00Z")
        result = try gate()
        #expect(result.status == 0, "a good signature: \(result.stdout)")

        // The same commit with one byte of its message changed: the signature no longer holds.
        let raw = try repo.git.run(["cat-file", "commit", "HEAD"])
        let tampered = raw.replacingOccurrences(of: "Review\n", with: "Reviex\n")
        let forged = try repo.git.run(["hash-object", "-t", "commit", "-w", "--stdin"], stdin: tampered)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try repo.git.run(["reset", "-q", "--hard", forged])
        result = try gate()
        #expect(result.status == 1)
        #expect(result.stdout.contains("bad signature"), "tampered: \(result.stdout)")

        // Alice signing the review of her own change, whatever author she claims, is not independent.
        try reset()
        try review(signedWith: alice.path, as: ("bob", "bob@example.com"), date: "2026-01-11T10:00:00Z")
        result = try gate()
        #expect(result.status == 1, "alice's key is not listed for bob: \(result.stdout)")
        try reset()
        try review(signedWith: alice.path, as: ("alice", "alice@example.com"), date: "2026-01-11T10:00:00Z")
        result = try gate()
        #expect(result.stdout.contains("review-not-independent"), "\(result.stdout)")

        // An unsigned change cannot be shown to be someone else's: independence cannot be proven.
        try repo.git.run(["reset", "-q", "--hard", "main"])
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", severity: "critical"))
        try repo.commit("Raise T-0001, unsigned, claiming to be mallory", "2026-01-10T10:00:00Z", by: "mallory@example.com")
        try review(signedWith: bob.path, as: ("bob", "bob@example.com"), date: "2026-01-11T10:00:00Z")
        result = try gate()
        #expect(result.status == 1)
        #expect(result.stdout.contains("sign the change's commits"), "\(result.stdout)")

        // A range cannot list its own key: the signers file is read from the base.
        try reset()
        try repo.write(".tmrepo/allowed_signers", "bob@example.com \(mallory.publicKey)\n")
        try repo.commit("Trust mallory", "2026-01-11T09:00:00Z", by: "alice@example.com")
        try review(signedWith: mallory.path, as: ("bob", "bob@example.com"), date: "2026-01-11T10:00:00Z")
        result = try gate()
        #expect(result.status == 1, "\(result.stdout)")
    }
}
