import Foundation
import Testing
import TestSupport
@testable import TMGit

/// TMGit on real repositories made with the git CLI: what it reads must be what git says.
struct RepositoryTests {
    /// A repository with a file, an executable, a link, a gitlink and a nested folder, then a second commit.
    func sample() throws -> (dir: TempDir, git: GitDriver, repository: Repository, first: ObjectID, second: ObjectID) {
        let dir = try TempDir("tmgit")
        let git = try GitDriver.initialize(dir.path)
        try dir.write("a.md", "one\n")
        try dir.write("bin/run.sh", "#!/bin/sh\n")
        try git.run(["update-index", "--add", "--chmod=+x", "bin/run.sh"])
        try FileManager.default.createSymbolicLink(atPath: dir.url("link.md"), withDestinationPath: "a.md")
        try dir.write("deep/er/b.md", "two\n")
        let first = try git.commitAll("First", date: "2026-01-01T10:00:00Z")
        try dir.write("a.md", "one, changed\n")
        try dir.remove("deep/er/b.md")
        try git.run(["add", "-A"])
        // A gitlink has no folder in the work tree: staged by hand, committed without `add -A`.
        try git.run(["update-index", "--add", "--cacheinfo", "160000,\(first),sub.md"])
        try git.run(["commit", "-q", "-m", "Second\n\nReviewed-threat: T-1\nSigned-off-by: A <a@example.com>"], date: "2026-01-02T10:00:00Z")
        let second = try git.run(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let repository = try Repository.open(at: dir.path)
        return (dir, git, repository, try #require(ObjectID(hex: first)), try #require(ObjectID(hex: second)))
    }

    @Test func filesAndFoldersComeWithTheirKinds() throws {
        let fixture = try sample()
        let repository = fixture.repository; let second = fixture.second
        let files = try repository.files(in: try repository.commit(second).tree, includingFolders: true)
        let kinds = Dictionary(uniqueKeysWithValues: files.map { ($0.path, $0.kind) })
        #expect(kinds["a.md"] == .blob)
        #expect(kinds["bin/run.sh"] == .blob)
        #expect(kinds["bin"] == .tree)
        #expect(kinds["link.md"] == .symlink)
        #expect(kinds["sub.md"] == .submodule)
        #expect(kinds["deep/er/b.md"] == nil, "removed in the second commit")
        #expect(try repository.entryID(in: try repository.commit(second).tree, path: "link.md")?.kind == .symlink)
        #expect(try repository.entryID(in: try repository.commit(second).tree, path: "missing.md") == nil)
    }

    /// A search lists only the files it keeps, in the full listing's order, and never reads a
    /// tree below a folder it does not enter: with that tree's object deleted, the full listing
    /// fails and the search does not.
    @Test func aSearchSkipsTheFoldersItDoesNotEnter() throws {
        let dir = try TempDir("tmgit-search")
        let git = try GitDriver.initialize(dir.path)
        for path in ["template.yaml", "svc/a/template.yml", "svc/a/handler.ts", "svc/b/stack.JSON", "svc/b/readme",
                     "node_modules/x/template.yaml", ".hidden/template.yaml", "deep/er/est/t.template"] {
            try dir.write(path, "x: \(path)\n")
        }
        let commit = try git.commitAll("All", date: "2026-01-01T10:00:00Z")
        let repository = try Repository.open(at: dir.path)
        let tree = try repository.commit(try #require(ObjectID(hex: commit))).tree
        let enter = { (name: String) in name != "node_modules" && !name.hasPrefix(".") }
        let keep = { (name: String) in [".yaml", ".yml", ".json", ".template"].contains { name.lowercased().hasSuffix($0) } }
        let found = try repository.files(in: tree, entering: enter, keeping: keep).map(\.path)
        let expected = try repository.files(in: tree).map(\.path).filter { path in
            let parts = path.split(separator: "/").map(String.init)
            return keep(parts.last!) && parts.dropLast().allSatisfy(enter)
        }
        #expect(found == expected)
        #expect(found == ["deep/er/est/t.template", "svc/a/template.yml", "svc/b/stack.JSON", "template.yaml"])

        // The skipped folder's tree gone: only a listing that reads it fails.
        let skipped = try git.run(["rev-parse", "HEAD:node_modules"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.removeItem(atPath: dir.url(".git/objects/\(skipped.prefix(2))/\(skipped.dropFirst(2))"))
        let reopened = try Repository.open(at: dir.path)
        #expect(throws: GitError.self) { try reopened.files(in: tree) }
        #expect(try reopened.files(in: tree, entering: enter, keeping: keep).map(\.path) == found)
    }

    /// A summary of the root (evidence `.`: the whole repository) reports once that the tree
    /// changed, beside the other paths the filter asks for; nothing when the trees are equal.
    @Test func aRootSummaryReportsThatTheTreeChanged() throws {
        let fixture = try sample()
        let repository = fixture.repository
        let trees = (try repository.commit(fixture.first).tree, try repository.commit(fixture.second).tree)
        let root = PathFilter(detail: [], summary: [""])
        #expect(try repository.changes(from: trees.0, to: trees.1, within: root).map(\.path) == [""])
        #expect(try repository.changes(from: trees.0, to: trees.0, within: root).isEmpty)
        let all = try repository.changes(from: trees.0, to: trees.1).map(\.path)
        let both = PathFilter(detail: [""], summary: [""])
        #expect(try repository.changes(from: trees.0, to: trees.1, within: both).map(\.path) == all, "a detail of the root is the whole diff")
    }

    /// A tree read against one version of its folder (and kept) is later diffed against another:
    /// the second diff must not reuse what the first learnt about the bytes the two share.
    @Test func aTreeKeptFromOneDiffIsComparedAfreshWithAnotherVersion() throws {
        let dir = try TempDir("tmgit-versions")
        let git = try GitDriver.initialize(dir.path)
        for index in 0..<40 { try dir.write("threats/T-\(100 + index).md", "threat \(index)\n") }
        let first = try git.commitAll("A", date: "2026-01-01T10:00:00Z")
        try dir.write("threats/T-110.md", "threat 10, changed\n")
        let second = try git.commitAll("B", date: "2026-01-02T10:00:00Z")
        try dir.write("threats/T-130.md", "threat 30, changed\n")
        let third = try git.commitAll("C", date: "2026-01-03T10:00:00Z")
        let repository = try Repository.open(at: dir.path)
        let trees = try [first, second, third].map { try repository.commit(try #require(ObjectID(hex: $0))).tree }
        let threats = PathFilter(detail: ["threats"], summary: [])
        #expect(try repository.changes(from: trees[1], to: trees[2], within: threats).map(\.path) == ["threats/T-130.md"])
        #expect(try repository.changes(from: trees[0], to: trees[2], within: threats).map(\.path) == ["threats/T-110.md", "threats/T-130.md"])
        #expect(try repository.changes(from: trees[0], to: trees[2]).map(\.path) == ["threats/T-110.md", "threats/T-130.md"])
    }

    @Test func treeChangesMatchGitDiff() throws {
        let fixture = try sample()
        let git = fixture.git; let repository = fixture.repository; let first = fixture.first; let second = fixture.second
        let changes = try repository.changes(from: try repository.commit(first).tree, to: try repository.commit(second).tree)
        let ours = Set(changes.map(\.path))
        let theirs = Set(try git.run(["diff", "--name-only", first.hex, second.hex]).split(separator: "\n").map(String.init))
        #expect(ours == theirs)
        let sub = try #require(changes.first { $0.path == "sub.md" })
        #expect(sub.oldID == nil && sub.newKind == .submodule)
        let removed = try #require(changes.first { $0.path == "deep/er/b.md" })
        #expect(removed.newID == nil && removed.oldKind == .blob)
        // A filter reads only what it names: "deep" in summary is one entry for the folder.
        let filtered = try repository.changes(from: try repository.commit(first).tree, to: try repository.commit(second).tree,
                                              within: PathFilter(detail: ["a.md"], summary: ["deep"]))
        #expect(Set(filtered.map(\.path)) == ["a.md", "deep"])
    }

    @Test func theIndexReportsLinksAndGitlinks() throws {
        let fixture = try sample()
        let repository = fixture.repository
        let staged = Dictionary(uniqueKeysWithValues: try repository.indexFiles().map { ($0.path, $0.kind) })
        #expect(staged["link.md"] == .symlink)
        #expect(staged["sub.md"] == .submodule)
        #expect(staged["a.md"] == .blob)
    }

    @Test func trailersAreReadFromTheLastParagraphOnly() throws {
        let fixture = try sample()
        let repository = fixture.repository; let second = fixture.second
        let trailers = try messageTrailers(try repository.commit(second).message)
        #expect(trailers.map(\.key) == ["Reviewed-threat", "Signed-off-by"])
        #expect(trailers.first?.value == "T-1")
        #expect(try messageTrailers("Reviewed-threat: T-1").isEmpty, "a subject line is not a trailer")
    }

    /// A walk hiding a tip whose clock went backwards: libgit2 (like `git rev-list HEAD ^tip`)
    /// returns some of the tip's ancestry; TMGit's walks must return exactly what is new.
    @Test func walksHidingATipAreExactWhenDatesGoBackwards() throws {
        let dir = try TempDir("tmgit-skew")
        let git = try GitDriver.initialize(dir.path)
        try dir.write("a", "0")
        let root = try git.commitAll("Root", date: "2026-01-01T10:00:00Z")
        try dir.write("a", "1")
        let second = try git.commitAll("Second", date: "2026-01-02T10:00:00Z")
        try git.run(["checkout", "-q", "-b", "side"])
        try dir.write("s", "s")
        let side = try git.commitAll("Side", date: "2026-01-04T10:00:00Z")
        try git.run(["checkout", "-q", "-"])
        var tip = second
        for day in 1...8 {
            try dir.write("d", "\(day)")
            tip = try git.commitAll("Months behind \(day)", date: "2025-06-0\(day)T10:00:00Z")
        }
        try git.run(["merge", "-q", "--no-ff", "-m", "Merge side", "side"], date: "2026-01-05T10:00:00Z")
        let merge = try git.run(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        // What git itself returns here includes the root: the case this guards against.
        let gitSays = Set(try git.run(["rev-list", "HEAD", "^\(tip)"]).split(separator: "\n").map(String.init))
        #expect(gitSays.contains(root), "the skew no longer leaks in git; the test lost its point")
        let repository = try Repository.open(at: dir.path)
        let head = try #require(ObjectID(hex: merge)), hidden = try #require(ObjectID(hex: tip))
        #expect(Set(try repository.commitIDs(from: head, hiding: [hidden]).map(\.hex)) == [side, merge])
        var walked: [String] = []
        try repository.walk(from: [head], hiding: [hidden]) { walked.append($0.id.hex) }
        #expect(walked == [side, merge])
        #expect(try repository.commitIDs(from: head, hiding: [head]).isEmpty)
    }

    @Test func referencesAncestryAndWalksAgreeWithGit() throws {
        let fixture = try sample()
        let git = fixture.git; let repository = fixture.repository; let first = fixture.first; let second = fixture.second
        try git.run(["branch", "side", first.hex])
        try git.run(["symbolic-ref", "refs/remotes/origin/HEAD", "refs/heads/side"])
        #expect(try repository.referenceCommit("side") == first)
        #expect(try repository.referenceCommit("refs/heads/nothing") == nil)
        #expect(repository.symbolicTarget(of: "refs/remotes/origin/HEAD") == "refs/heads/side")
        #expect(repository.symbolicTarget(of: "refs/heads/side") == nil, "not symbolic")
        #expect(Set(try repository.references(matching: "refs/heads/*").map(\.name)) == ["refs/heads/main", "refs/heads/side"])
        #expect(try repository.isDescendant(second, of: first))
        #expect(try !repository.isDescendant(first, of: second))
        #expect(try repository.mergeBase(first, second) == first)
        #expect(try repository.commitIDs(from: second, hiding: []) == [first, second], "parents first")
        #expect(try repository.commitIDs(from: second, hiding: [first]) == [second])
        #expect(repository.isCommit(first))
        #expect(!repository.isCommit(try repository.commit(first).tree), "a tree is not a commit")
    }

    @Test func configurationIsWrittenToTheRepositoryItself() throws {
        let fixture = try sample()
        let dir = fixture.dir; let git = fixture.git; let repository = fixture.repository
        try repository.setConfigString("tmrepo.policyBranch", "refs/heads/main")
        #expect(try git.run(["config", "--local", "tmrepo.policyBranch"]).trimmingCharacters(in: .whitespacesAndNewlines) == "refs/heads/main")
        #expect(try Repository.open(at: dir.path).configString("tmrepo.policyBranch") == "refs/heads/main")
    }

    @Test func aMissingObjectIsAnErrorThatSaysSo() throws {
        let fixture = try sample()
        let repository = fixture.repository
        let missing = try #require(ObjectID(hex: String(repeating: "ab", count: 20)))
        #expect(throws: GitError.self) { try repository.blob(missing) }
        do {
            _ = try repository.commit(missing)
            Issue.record("reading a missing commit must throw")
        } catch let error as GitError {
            #expect(error.code == .notFound, "\(error)")
        }
    }
}
