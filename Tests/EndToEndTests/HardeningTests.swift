import Foundation
import Testing
import TestSupport

/// What tmrepo prints cannot attack the reader, and what it writes stays where it belongs.
struct OutputSafetyTests {
    /// A threat whose every free-text field carries terminal escapes, bidi overrides and formula starts.
    static let hostileThreat = """
    ---
    id: T-0001
    title: "=HYPERLINK(\\"http://evil\\") \\e]8;;http://evil.example\\aclick\\e]8;;\\a \\e[2J\\u202Egnp.exe"
    stride: [spoofing]
    element: "api\\e[31m"
    severity: high
    status: open
    owner: "@team\\r-fake"
    mitigations:
      - id: M-1
        title: "+cmd|' /C calc'!A0 \\e]0;pwned\\a"
        status: planned
    ---
    Body with \u{1B}[1A\u{1B}[2K an erased line and a \u{2066}bidi\u{2069} isolate.

    """

    static func repo() throws -> ModelRepo {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-hostile.md", hostileThreat)
        try repo.write("elements.yml", "elements:\n  - id: \"api\\e[31m\"\n    kind: process\n    name: \"\\e]2;title\\a API\"\n")
        try repo.commit("Add \u{1B}[31mred\u{1B}[0m threat", "2026-01-05T10:00:00Z", by: "=evil@example.com")
        return repo
    }

    static func assertNoRawControls(_ text: String, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let bad = text.unicodeScalars.filter {
            ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || (0x7F...0x9F).contains($0.value)
                || (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value)
        }
        #expect(bad.isEmpty, "\(label): raw control characters \(bad.map { String($0.value, radix: 16) })", sourceLocation: sourceLocation)
    }

    @Test(arguments: [["list"], ["show", "T-0001"], ["lint"], ["status", "--as-of", "2026-06-01"], ["log", "T-0001"], ["matrix"],
                      ["changelog"], ["matrix", "--format", "md"], ["list", "--format", "json"], ["status", "--format", "json", "--as-of", "2026-06-01"],
                      ["show", "T-0001", "--format", "json"], ["lint", "--format", "github"], ["lint", "--format", "json"]])
    func noCommandPassesControlCharactersThrough(arguments: [String]) throws {
        let repo = try Self.repo()
        let result = try TMRepoBinary.run(arguments, in: repo.root, environment: ["TERM": "xterm"])
        #expect(result.status <= 1, "\(result.stderr)")
        Self.assertNoRawControls(result.stdout, arguments.joined(separator: " "))
        Self.assertNoRawControls(result.stderr, arguments.joined(separator: " ") + " (stderr)")
    }

    @Test func escapesAreShownNotDropped() throws {
        let repo = try Self.repo()
        let show = try TMRepoBinary.run(["show", "T-0001"], in: repo.root)
        #expect(show.stdout.contains("\\u{1B}]8;;http://evil.example\\u{7}click"), "\(show.stdout)")
        #expect(show.stdout.contains("\\u{202E}gnp.exe"))
        #expect(show.stdout.contains("owner        @team\\r-fake"), "a CR in a one-line field is visible")
        #expect(show.stdout.contains("\\u{2066}bidi\\u{2069}"))
        // JSON keeps the value exactly (a parser reads the ESC back), but as an escape.
        let json = try TMRepoBinary.run(["show", "T-0001", "--format", "json"], in: repo.root)
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["title"] as? String)?.contains("\u{1B}]8;;http://evil.example\u{07}click") == true)
        #expect(json.stdout.contains("\\u001b]8;;") && json.stdout.contains("\\u202e"))
    }

    @Test func csvCellsCannotStartFormulas() throws {
        let repo = try Self.repo()
        let list = try TMRepoBinary.run(["list", "--format", "csv"], in: repo.root)
        #expect(list.status == 0, "\(list.stderr)")
        let row = list.stdout.components(separatedBy: "\r\n")[1]
        // The cell is defused for spreadsheets; printed, its CR is also shown, not obeyed.
        #expect(row.hasPrefix("T-0001,high,open,\"'@team\\r-fake\",api\\u{1B}[31m,"), "\(row.debugDescription)")
        #expect(row.contains(",\"'=HYPERLINK(\"\"http://evil\"\")"), "\(row.debugDescription)")
        let changelog = try TMRepoBinary.run(["changelog", "--format", "csv"], in: repo.root)
        #expect(changelog.stdout.contains(",\"'=evil@example.com\""), "\(changelog.stdout.debugDescription)")
        #expect(!changelog.stdout.contains(",=evil"))
    }

    @Test(arguments: ["=1+1", "+1", "-1", "@SUM(A1)", "＝1+1", "=cmd|' /C calc'!A0", "-2+3"])
    func everyFormulaStartIsDefused(title: String) throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-x.md", ModelRepo.threat("T-0001", title: "\"\(title)\""))
        let list = try TMRepoBinary.run(["list", "--format", "csv"], in: repo.root)
        #expect(list.stdout.hasSuffix(",\"'\(title)\"\r\n"), "\(list.stdout.debugDescription)")
    }

    @Test func githubAnnotationsCannotBeSplitOrForged() throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a,b:c.md", ModelRepo.threat("T-0001", severity: "\"hi\\n::error file=x::forged,%0A\""))
        let result = try TMRepoBinary.run(["lint", "--format", "github"], in: repo.root)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.allSatisfy { $0.hasPrefix("::error ") || $0.hasPrefix("::warning ") }, "\(result.stdout)")
        #expect(!lines.contains { $0.hasPrefix("::error file=x") })
        #expect(result.stdout.contains("file=threats/T-0001-a%2Cb%3Ac.md"), "\(result.stdout)")
        #expect(result.stdout.contains("hi%0A::error file=x::forged,%250A"), "\(result.stdout)")
    }

    /// Lines of Markdown outside fenced code blocks (where text is inert).
    static func outsideFences(_ markdown: String) -> [String] {
        var out: [String] = []
        var fence: Int?
        for line in markdown.components(separatedBy: "\n") {
            let ticks = line.prefix { $0 == "`" }.count
            if let open = fence {
                if ticks >= open && line.allSatisfy({ $0 == "`" }) { fence = nil }
            } else if ticks >= 3 {
                fence = ticks
            } else {
                out.append(line)
            }
        }
        return out
    }

    @Test func markdownReportRendersUserTextAsText() throws {
        let repo = try ModelRepo()
        let body = "Intro <script>alert(1)</script> [bad](javascript:alert(1)) ![img](data:image/png;base64,AA)\n\n````\nnot closed by four\n````\n<img src=x onerror=alert(2)>\n[v](vbscript:msgbox)"
        try repo.write("threats/T-0001-x.md", ModelRepo.threat("T-0001", title: "\"<img src=x onerror=alert(1)> [t](javascript:x) `code` *em* | pipe\"",
                                                                 owner: "\"<b>o</b>\"", body: body))
        try repo.commit("Add", "2026-01-05T10:00:00Z")
        let result = try TMRepoBinary.run(["report", "--format", "md", "--as-of", "2026-02-01"], in: repo.root)
        #expect(result.status == 0, "\(result.stderr)")
        let visible = Self.outsideFences(result.stdout).joined(separator: "\n")
        for raw in ["<script", "<img", "<b>", "](javascript:", "](data:", "](vbscript:", "onerror=alert(2)"] {
            #expect(!visible.contains(raw), "\(raw) outside a code fence")
        }
        #expect(visible.contains("### T\\-0001 — &lt;img src=x onerror=alert\\(1\\)&gt; \\[t\\]\\(javascript:x\\) \\`code\\` \\*em\\* \\| pipe")
                || visible.contains("### T-0001 — &lt;img src=x onerror=alert\\(1\\)&gt; \\[t\\]\\(javascript:x\\) \\`code\\` \\*em\\* \\| pipe"), "\(visible)")
        #expect(result.stdout.contains("`````text\nIntro <script>"), "the body sits in a fence longer than its own backtick runs")
    }
}

/// Threat Composer files are untrusted input: numbers are range-checked, text is cleaned.
struct ThreatComposerHostileInputTests {
    func importing(_ document: String) throws -> (ProcessResult, TempDir) {
        let dir = try TempDir("tc-hostile")
        #expect(try TMRepoBinary.run(["init"], in: dir.path).status == 0)
        try dir.write("in.tc.json", document)
        return (try TMRepoBinary.run(["import", "threat-composer", "in.tc.json", "--owner", "a@example.com"], in: dir.path), dir)
    }

    @Test(arguments: [
        ("{\"schema\":1,\"threats\":[{\"id\":\"a\",\"numericId\":1e26,\"statement\":\"s\"}]}", "threats[0].numericId"),
        ("{\"schema\":1,\"threats\":[{\"id\":\"a\",\"numericId\":100000000000000000000000000,\"statement\":\"s\"}]}", "threats[0].numericId"),
        ("{\"schema\":1,\"threats\":[{\"id\":\"a\",\"numericId\":-1,\"statement\":\"s\"}]}", "threats[0].numericId"),
        ("{\"schema\":1,\"threats\":[{\"id\":\"a\",\"numericId\":1.5,\"statement\":\"s\"}]}", "threats[0].numericId"),
        ("{\"schema\":1,\"threats\":[{\"id\":\"a\",\"numericId\":\"7\",\"statement\":\"s\"}]}", "threats[0].numericId"),
        ("{\"schema\":1,\"threats\":[{\"id\":\"a\",\"numericId\":1,\"statement\":\"s\"}],\"mitigations\":[{\"id\":\"m\",\"numericId\":-1e300,\"content\":\"c\"}]}", "mitigations[0].numericId"),
        ("{\"schema\":1,\"threats\":[{\"id\":\"a\",\"displayOrder\":1e19,\"statement\":\"s\"}]}", "threats[0].displayOrder"),
    ])
    func outOfRangeNumbersAreErrorsNamingTheirPath(document: String, path: String) throws {
        let (result, dir) = try importing(document)
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains(path), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url("threats")).isEmpty)
    }

    @Test func controlCharactersAreDroppedAndBlankStatementsAreErrors() throws {
        let stride = "\"metadata\":[{\"key\":\"STRIDE\",\"value\":[\"S\"]}]"
        let document = """
        {"schema":1,"threats":[
          {"id":"a","numericId":1,"statement":"Evil \\u001b]8;;http://x\\u0007link\\u001b]8;;\\u0007 \\u0085next\\r\\nline \\u009b2J","threatSource":"actor",\(stride)},
          {"id":"b","numericId":2,"statement":"   \\n\\t  ","threatSource":"actor","threatAction":"replay a token",\(stride)}]}
        """
        let (result, dir) = try importing(document)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("$.threats[0].statement: removed 6 control characters"), "\(result.stdout)")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.url("threats")).sorted()
        #expect(files.count == 2)
        for file in files {
            let text = try dir.read("threats/" + file)
            OutputSafetyTests.assertNoRawControls(text, file)
        }
        #expect(try dir.read("threats/" + files[0]).contains("title: Evil ]8;;http://xlink]8;; next line 2J"))
        #expect(try dir.read("threats/" + files[1]).contains("title: actor can replay a token"), "a blank statement with a grammar to compose from")
        let lint = try TMRepoBinary.run(["lint"], in: dir.path)
        #expect(lint.status == 0, "\(lint.stdout)")
        // Without a grammar to compose from, a blank or empty statement is an error.
        for blank in ["   \\n\\t  ", ""] {
            let (refused, empty) = try importing("{\"schema\":1,\"threats\":[{\"id\":\"b\",\"numericId\":2,\"statement\":\"\(blank)\",\(stride)}]}")
            #expect(refused.status == 2, "\(refused.stdout)")
            #expect(refused.stderr.contains("$.threats[0].statement: the threat has no text"), "\(refused.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: empty.url("threats")).isEmpty)
        }
    }

    @Test func hugeTextIsRefusedQuickly() throws {
        let statement = String(repeating: "A", count: 10 << 20)
        let start = Date()
        let (result, _) = try importing("{\"schema\":1,\"threats\":[{\"id\":\"a\",\"numericId\":1,\"statement\":\"\(statement)\"}]}")
        #expect(result.status == 2)
        #expect(result.stderr.contains("threats[0].statement"), "\(result.stderr)")
        #expect(Date().timeIntervalSince(start) < 10)
    }
}

/// `review` writes only regular files inside the model, keeps their modes, and serializes commits.
struct SafeWriteTests {
    static func repoWithThreats(_ count: Int = 2) throws -> ModelRepo {
        let repo = try ModelRepo()
        for n in 1...count { try repo.write("threats/T-000\(n)-x.md", ModelRepo.threat("T-000\(n)")) }
        try repo.commit("Add threats", "2026-01-05T10:00:00Z")
        return repo
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test(arguments: [false, true])
    func aSymlinkedThreatFileIsRefusedNotReplaced(commit: Bool) throws {
        let repo = try Self.repoWithThreats(1)
        let outside = try TempDir("outside")
        let target = outside.url("T-0002-x.md")
        try outside.write("T-0002-x.md", ModelRepo.threat("T-0002"))
        let link = repo.dir.url("threats/T-0002-x.md")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let head = try repo.git.run(["rev-parse", "HEAD"])
        let result = try TMRepoBinary.run(["review", "T-0002", "--by", "alice@example.com"] + (commit ? ["--commit"] : []), in: repo.root)
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("symbolic link"), "\(result.stderr)")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == target, "the link is still a link")
        #expect(try outside.read("T-0002-x.md") == ModelRepo.threat("T-0002"), "the target is untouched")
        #expect(try repo.git.run(["rev-parse", "HEAD"]) == head, "nothing was committed")
    }

    @Test func aLinkToAFileInsideTheRepositoryIsRefusedToo() throws {
        let repo = try Self.repoWithThreats(1)
        try repo.write("docs/T-0002-x.md", ModelRepo.threat("T-0002"))
        try FileManager.default.createSymbolicLink(atPath: repo.dir.url("threats/T-0002-x.md"), withDestinationPath: "../docs/T-0002-x.md")
        let result = try TMRepoBinary.run(["review", "T-0001", "T-0002", "--by", "alice@example.com"], in: repo.root)
        #expect(result.status == 2)
        #expect(try repo.dir.read("threats/T-0001-x.md") == ModelRepo.threat("T-0001"), "all or nothing: T-0001 is untouched too")
    }

    @Test(arguments: [0o640, 0o755, 0o600, 0o664])
    func reviewKeepsTheFilesExactMode(mode: Int) throws {
        let repo = try Self.repoWithThreats(1)
        let path = repo.dir.url("threats/T-0001-x.md")
        #expect(chmod(path, mode_t(mode)) == 0)
        let result = try TMRepoBinary.run(["review", "T-0001", "--by", "alice@example.com"], in: repo.root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try repo.dir.read("threats/T-0001-x.md").contains("by: alice@example.com"))
        #expect(try Self.mode(path) == mode)
    }

    @Test func aCommittedReviewKeepsTheExecutableBitInGit() throws {
        let repo = try Self.repoWithThreats(1)
        #expect(chmod(repo.dir.url("threats/T-0001-x.md"), 0o755) == 0)
        try repo.commit("Make it executable", "2026-01-06T10:00:00Z")
        let result = try TMRepoBinary.run(["review", "T-0001", "--by", "alice@example.com", "--commit"], in: repo.root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try repo.git.run(["ls-tree", "HEAD", "threats/T-0001-x.md"]).hasPrefix("100755 "))
        #expect(try repo.git.run(["status", "--porcelain"]).isEmpty)
    }

    @Test(arguments: [("T-0001", "T-0002"), ("T-0001", "T-0001")])
    func concurrentCommittedReviewsLeaveNothingUncommitted(first: String, second: String) throws {
        for round in 0..<3 {
            let repo = try Self.repoWithThreats(2)
            let processes = [first, second].enumerated().map { index, id -> Process in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: TMRepoBinary.path)
                process.arguments = ["review", id, "--by", "reviewer\(index)@example.com", "--commit"]
                process.currentDirectoryURL = URL(fileURLWithPath: repo.root)
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                return process
            }
            for process in processes { try process.run() }
            for process in processes { process.waitUntilExit() }
            #expect(processes.map(\.terminationStatus) == [0, 0], "round \(round)")
            #expect(try repo.git.run(["status", "--porcelain"]).isEmpty, "round \(round): an edit was left uncommitted")
            let log = try repo.git.run(["log", "--format=%s"])
            #expect(log.components(separatedBy: "\n").filter { $0.hasPrefix("Review ") }.count == 2, "round \(round): \(log)")
        }
    }
}

/// Hostile model files end in a lint error or a clear exit 2, quickly, through the real binary.
struct HostileModelCommandTests {
    static let bomb: String = {
        var lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
        let names = "abcdefghijk".map(String.init)
        for level in 1..<names.count {
            lines.append("\(names[level]): &\(names[level]) [" + Array(repeating: "*\(names[level - 1])", count: 9).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    static func timedRun(_ arguments: [String], in directory: String) throws -> (ProcessResult, Double) {
        let start = Date()
        let result = try TMRepoBinary.run(arguments, in: directory)
        return (result, Date().timeIntervalSince(start))
    }

    @Test(arguments: ["elements.yml", "assets.yml", "threats/T-0001-x.md"])
    func aliasBombsAreLintErrors(file: String) throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-x.md", ModelRepo.threat("T-0001"))
        try repo.write(file, file.hasSuffix(".md") ? "---\n" + Self.bomb + "---\n" : Self.bomb)
        let (result, seconds) = try Self.timedRun(["lint"], in: repo.root)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("\(file):\(file.hasSuffix(".md") ? 2 : 1):"), "the anchor's line: \(result.stdout)")
        #expect(result.stdout.contains("[yaml-alias]"))
        #expect(seconds < 5)
    }

    @Test func anAliasBombInTheConfigIsAConfigurationError() throws {
        let repo = try ModelRepo(config: Self.bomb)
        let (result, seconds) = try Self.timedRun(["lint"], in: repo.root)
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains(".tmrepo.yml:1:") && result.stderr.contains("anchors and aliases are not allowed"), "\(result.stderr)")
        #expect(seconds < 5)
    }

    @Test(arguments: ["review_every: 99999999y", "review_every: 99999999999999999999999999d"])
    func absurdCadencesAreLintErrorsAndStatusStillRuns(line: String) throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-x.md", ModelRepo.threat("T-0001").replacingOccurrences(of: "owner: team-a\n", with: "owner: team-a\n\(line)\n"))
        try repo.commit("Add", "2026-01-05T10:00:00Z")
        let lint = try TMRepoBinary.run(["lint"], in: repo.root)
        #expect(lint.status == 1)
        #expect(lint.stdout.contains("longer than 100 years [invalid-duration]"), "\(lint.stdout)")
        let status = try TMRepoBinary.run(["status", "--as-of", "2026-06-01"], in: repo.root)
        #expect(status.status == 0, "\(status.stderr)")
        let report = try TMRepoBinary.run(["report", "--format", "md", "--as-of", "2026-06-01"], in: repo.root)
        #expect(report.status == 0, "\(report.stderr)")
    }

    @Test func absurdConfigDurationsAreConfigurationErrors() throws {
        let repo = try ModelRepo(config: "review_cadence:\n  high: 99999999y\ndue_soon: 9999999999999999999999w\n")
        let result = try TMRepoBinary.run(["list"], in: repo.root)
        #expect(result.status == 2)
        #expect(result.stderr.contains("review_cadence.high: '99999999y' is longer than 100 years"), "\(result.stderr)")
    }

    @Test func aForgedCommitDateDoesNotCrashHistoryCommands() throws {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-x.md", ModelRepo.threat("T-0001"))
        try repo.git.run(["add", "-A"])
        // A commit far past year 9999 (git accepts raw epoch seconds).
        try repo.git.run(["commit", "-q", "-m", "Add"], environment: ["GIT_AUTHOR_DATE": "@999999999999 +0000", "GIT_COMMITTER_DATE": "@999999999999 +0000"])
        for arguments in [["status"], ["log", "T-0001"], ["changelog"], ["report", "--format", "md"]] {
            let result = try TMRepoBinary.run(arguments, in: repo.root)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
    }
}

extension SafeWriteTests {
    @Test func aReviewThatCannotGetTheLockFailsSayingWhatToDo() throws {
        let repo = try Self.repoWithThreats(1)
        let lockPath = repo.dir.url(".git/tmrepo-review.lock")
        let descriptor = open(lockPath, O_RDWR | O_CREAT, 0o644)
        #expect(descriptor >= 0 && flock(descriptor, LOCK_EX) == 0)
        defer { close(descriptor) }
        let result = try TMRepoBinary.run(["review", "T-0001", "--by", "alice@example.com", "--commit"], in: repo.root,
                                          environment: ["TMREPO_LOCK_WAIT": "1"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("another tmrepo review") && result.stderr.contains("run the review again"), "\(result.stderr)")
        #expect(try repo.dir.read("threats/T-0001-x.md") == ModelRepo.threat("T-0001"), "nothing was edited")
    }
}

extension SafeWriteTests {
    @Test func aThreatsFolderLinkedOutOfTheModelIsNotWrittenTo() throws {
        let repo = try ModelRepo()
        let outside = try TempDir("outside-folder")
        try outside.write("T-0001-x.md", ModelRepo.threat("T-0001"))
        try FileManager.default.createSymbolicLink(atPath: repo.dir.url("threats"), withDestinationPath: outside.path)
        let result = try TMRepoBinary.run(["review", "T-0001", "--by", "alice@example.com"], in: repo.root)
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        // The model reader does not follow the link, and the writer would refuse the folder if it did.
        #expect(result.stderr.contains("symbolic link out of the model") || result.stderr.contains("no threat with id"), "\(result.stderr)")
        #expect(try outside.read("T-0001-x.md") == ModelRepo.threat("T-0001"))
    }
}

extension OutputSafetyTests {
    @Test(arguments: [["show", "T-9\n::error file=x::forged"], ["show", "\u{1B}]0;title\u{07}"], ["review", "T-9\r::warning::x", "--by", "a@example.com"]])
    func errorMessagesQuoteArgumentsOnOneSafeLine(arguments: [String]) throws {
        let repo = try ModelRepo()
        let result = try TMRepoBinary.run(arguments, in: repo.root)
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr.debugDescription)")
        Self.assertNoRawControls(result.stderr, "stderr")
    }
}
