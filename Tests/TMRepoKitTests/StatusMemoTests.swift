import Foundation
import Testing
import TestSupport
import TMGit
import ThreatModel
@testable import TMRepoKit

/// The status memo changes how long `status` takes, never what it answers: after every kind of
/// commit (code that is evidence or not, a template, a review, a threat edit, the configuration, a
/// merge, dates out of order) and at moments on both sides of a review, a run that may use the memo
/// renders the very bytes a run without any cache renders, and the memo is used exactly when the
/// new commits cannot have changed the model or its history.
struct StatusMemoTests {
    struct Answer: Equatable {
        let rendered: String
        let fromMemo: Bool
    }

    func answer(_ root: String, asOf: String, cache: Bool) throws -> Answer {
        let location = try ModelLocation.find(store: try ModelStore.locate(explicit: root))
        let engine = HistoryEngine(location: location, useCache: cache)
        let result = try engine.status(asOf: ISOTime.parse(asOf)!)
        let report = result.report
        let json = StatusFormatter.jsonBytes(report, entries: report.entries, assessment: result.assessment)
        let text = StatusFormatter.text(report, entries: report.entries, commitCount: result.commitCount, style: .plain, assessment: result.assessment)
        return Answer(rendered: String(decoding: json, as: UTF8.self) + text, fromMemo: engine.answeredFromStatusMemo)
    }

    final class Repo {
        let root: String
        var clock = 0
        init(root: String) { self.root = root }

        /// Commits are an hour apart from 2026-10-31 on, unless a date is given.
        func git(_ arguments: [String], date: String? = nil, email: String = "t@example.com") throws {
            clock += 1
            let when = date ?? String(format: "2026-10-31T%02d:%02d:00Z", min(23, clock / 60), clock % 60)
            let run = try runProcess("/usr/bin/env", ["git"] + arguments, cwd: root, environment: [
                "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
                "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": email,
            ])
            try #require(run.status == 0, "git \(arguments): \(run.stderr)")
        }

        func append(_ path: String, _ text: String) throws {
            let url = URL(fileURLWithPath: root + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: url.path) { FileManager.default.createFile(atPath: url.path, contents: nil) }
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
        }
    }

    /// One step of the generated sequence, and whether a memo may answer the run after it.
    enum Step: CaseIterable {
        case code, codeByAnotherAuthor, codeDatedEarly, yamlFile, reviewTrailer, futureReview, threatEdit, configEdit, merge, empty,
             catalogFile

        var memoMayAnswer: Bool { [.code, .codeByAnotherAuthor, .codeDatedEarly, .empty].contains(self) }
    }

    func apply(_ step: Step, to repo: Repo, random: inout SeededGenerator, code: [String], threats: [String]) throws {
        let file = code[Int.random(in: 0..<code.count, using: &random)]
        let line = "// \(UInt32.random(in: 0...UInt32.max, using: &random))\n"
        switch step {
        case .code:
            try repo.append(file, line)
            try repo.git(["commit", "-qam", "Code"])
        case .codeByAnotherAuthor:
            try repo.append(file, line)
            try repo.git(["commit", "-qam", "Code by someone else"], email: "Someone.Else@Example.com")
        case .codeDatedEarly:
            try repo.append(file, line)
            try repo.git(["commit", "-qam", "A clock behind"], date: "2025-01-01T00:00:00Z")
        case .yamlFile:
            try repo.append((file as NSString).deletingLastPathComponent + "/settings.yml", "key: \(line.dropFirst(3))")
            try repo.git(["add", "-A"])
            try repo.git(["commit", "-qm", "Settings"])
        case .reviewTrailer:
            let id = threats[Int.random(in: 0..<threats.count, using: &random)].prefix(6)
            try repo.git(["commit", "-q", "--allow-empty", "-m", "Review\n\nReviewed-threat: \(id)"])
        case .futureReview:
            let id = threats[Int.random(in: 0..<threats.count, using: &random)].prefix(6)
            try repo.git(["commit", "-q", "--allow-empty", "-m", "Review from the future\n\nReviewed-threat: \(id)"], date: "2027-03-01T00:00:00Z")
        case .threatEdit:
            try repo.append("threats/" + threats[Int.random(in: 0..<threats.count, using: &random)], "\nMore words.\n")
            try repo.git(["commit", "-qam", "Edit a threat"])
        case .configEdit:
            try repo.append(".tmrepo.yml", "# \(line.dropFirst(3))")
            try repo.git(["commit", "-qam", "Configuration"])
        case .merge:
            try repo.git(["checkout", "-q", "-b", "side"])
            try repo.append(file, line)
            try repo.git(["commit", "-qam", "Side code"])
            try repo.git(["checkout", "-q", "main"])
            try repo.git(["merge", "-q", "--no-ff", "-m", "Merge side", "side"])
            try repo.git(["branch", "-q", "-D", "side"])
        case .empty:
            try repo.git(["commit", "-q", "--allow-empty", "-m", "Nothing"])
        case .catalogFile:
            // A shared assumption: a Markdown file in a folder the model reads (found only by the memo's record of it).
            let path = "assumptions/ASM-0001-tls.md"
            let exists = FileManager.default.fileExists(atPath: repo.root + "/" + path)
            try repo.append(path, exists ? "\nMore words.\n" : "---\nid: ASM-0001\nstatement: All traffic is TLS.\nowner: t@example.com\nreview_every: 90d\n---\n")
            try repo.git(["add", "-A"])
            try repo.git(["commit", "-qm", "An assumption"])
        }
    }

    @Test(arguments: [11, 23])
    func aMemoAnswersWhatAFreshRunAnswersAndOnlyWhenNothingItKnowsChanged(seed: Int) throws {
        let generator = HistoryCacheEquivalenceTests.generator
        try #require(FileManager.default.fileExists(atPath: generator), "the generator is expected at \(generator)")
        let dir = try TempDir("status-memo")
        let root = dir.path + "/repo"
        let generated = try runProcess("/usr/bin/env", ["python3", generator, "--out", root, "--commits", "500", "--threats", "50",
                                                        "--code-files", "80", "--seed", "\(seed)"], cwd: dir.path)
        try #require(generated.status == 0, "gen_history failed: \(generated.stderr)")
        let repo = Repo(root: root)
        let threats = try FileManager.default.contentsOfDirectory(atPath: root + "/threats").filter { $0.hasSuffix(".md") }.sorted()
        let code = try runProcess("/usr/bin/env", ["git", "ls-files", "services"], cwd: root).stdout
            .split(separator: "\n").map(String.init).filter { !$0.hasSuffix(".yml") && !$0.hasSuffix(".yaml") && !$0.hasSuffix(".json") }
        try #require(threats.count > 3 && code.count > 3)

        var random = SeededGenerator(seed: UInt64(seed))
        // Every kind at least twice, in an order the seed picks, with code changes in between.
        let kinds = Step.allCases.filter { $0 != .catalogFile }
        var steps = (kinds + kinds + Array(repeating: Step.code, count: 8)).shuffled(using: &random)
        steps.insert(.code, at: 0)
        // Last: a shared catalog appears (a model with one keeps no memo), then more code.
        steps += [.catalogFile, .code, .catalogFile, .code]
        var catalogAdded = false
        var memoAnswers = 0, staleChangesFromMemo = 0
        var previous = try answer(root, asOf: "2026-11-01", cache: true)
        #expect(!previous.fromMemo, "the first run has no memo to read")
        for (number, step) in steps.enumerated() {
            try apply(step, to: repo, random: &random, code: code, threats: threats)
            catalogAdded = catalogAdded || step == .catalogFile
            // Before and after the review from the future; the memo holds for one of them at most.
            let twoMoments = number % 3 == 2 && step != .catalogFile
            let moments = twoMoments ? ["2027-06-01", "2026-11-01"] : ["2026-11-01"]
            for (round, asOf) in zip(moments.indices, moments) {
                let fresh = try answer(root, asOf: asOf, cache: false)
                let cached = try answer(root, asOf: asOf, cache: true)
                #expect(cached.rendered == fresh.rendered, "step \(number) (\(step)) as of \(asOf): the memo's answer differs from a fresh run's")
                if cached.fromMemo {
                    // (In a second round, the first round's full run left a memo at this very commit.)
                    #expect(step.memoMayAnswer || round > 0, "step \(number) (\(step)): a memo answered after a commit that can change the answer")
                    memoAnswers += 1
                    if asOf == "2026-11-01", Self.staleCount(cached.rendered) != Self.staleCount(previous.rendered) { staleChangesFromMemo += 1 }
                } else if step.memoMayAnswer && asOf == "2026-11-01" && !twoMoments && !catalogAdded {
                    Issue.record("step \(number) (\(step)): only code changed, yet the memo was not used")
                }
                if asOf == "2026-11-01" { previous = cached }
            }
        }
        #expect(memoAnswers >= 10, "the memo answered \(memoAnswers) times")
        #expect(staleChangesFromMemo > 0, "no memo answer brought a stale mitigation forward: the sequence tests too little")
    }

    static func staleCount(_ rendered: String) -> String {
        rendered.components(separatedBy: "\"stale_mitigations\": ").dropFirst().first?.prefix { $0 != "," && $0 != "\n" }.description ?? ""
    }

    /// `system.templates` may name files of any name: a later commit adding one must reach the
    /// report (its system and findings), so such a model keeps no memo at all.
    @Test func aModelThatNamesItsTemplatesKeepsNoMemo() throws {
        let repo = try ModelRepo(config: ModelRepo.config + "system:\n  templates: [\"infra/*.cfn\"]\n")
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001"))
        try repo.commit("Model", "2026-01-01T10:00:00Z")
        _ = try answer(repo.root, asOf: "2026-02-01", cache: true)
        #expect(!FileManager.default.fileExists(atPath: repo.root + "/.git/tmrepo/status.memo"))
        try repo.write("infra/stack.cfn", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n")
        try repo.commit("A stack", "2026-01-02T10:00:00Z")
        let cached = try answer(repo.root, asOf: "2026-02-01", cache: true)
        #expect(!cached.fromMemo)
        #expect(cached.rendered == (try answer(repo.root, asOf: "2026-02-01", cache: false)).rendered)
        #expect(cached.rendered.contains("AWS::S3::Bucket") || cached.rendered.contains("Bucket"), "the template is in the report")
    }

    @Test func aDamagedMemoIsIgnoredAndReplaced() throws {
        let dir = try TempDir("status-memo-damaged")
        let root = dir.path + "/repo"
        let generated = try runProcess("/usr/bin/env", ["python3", HistoryCacheEquivalenceTests.generator, "--out", root, "--commits", "200",
                                                        "--threats", "20", "--code-files", "30", "--seed", "3"], cwd: dir.path)
        try #require(generated.status == 0, "gen_history failed: \(generated.stderr)")
        _ = try answer(root, asOf: "2026-11-01", cache: true)
        let memo = root + "/.git/tmrepo/status.memo"
        var bytes = try #require(FileManager.default.contents(atPath: memo))
        #expect(try answer(root, asOf: "2026-11-01", cache: true).fromMemo)
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: memo))
        let damaged = try answer(root, asOf: "2026-11-01", cache: true)
        #expect(!damaged.fromMemo)
        #expect(damaged.rendered == (try answer(root, asOf: "2026-11-01", cache: false)).rendered)
        #expect(try answer(root, asOf: "2026-11-01", cache: true).fromMemo, "the full run wrote a new memo")
    }

    /// Sound frames declaring fifty million threats in empty blocks (a byte each): refused, without
    /// first making room for what the file only claims to hold.
    @Test func aMemoThatDeclaresMoreThreatsThanItHoldsIsRefused() {
        var writer = BinaryWriter()
        writer.string(StatusMemo.currentTool)
        writer.raw([UInt8](repeating: 7, count: 20))
        writer.varint(1)
        for part in ["threats/", "", "T-", "f"] { writer.string(part) }
        writer.byte(0)
        writer.byte(0)
        writer.strings([])
        for _ in 0..<3 { writer.varint(0) }   // last activity, problems, system problems
        let declared = 50_000_000
        writer.varint(UInt64(declared))
        for _ in stride(from: 0, to: declared, by: StatusMemoCodec.threatsPerBlock) { writer.varint(0) }
        let bytes = BinaryFrame.encode(magic: StatusMemoCodec.magic, version: StatusMemo.formatVersion, writer)
        #expect(StatusMemoCodec.header(bytes) != nil, "the header is sound")
        #expect(StatusMemoCodec.decode(bytes) == nil)
    }

    @Test func theCodecGivesBackWhatItWasGiven() throws {
        let ref = CommitRef(commit: String(repeating: "a", count: 40), time: 1_700_000_000, author: Identity(name: "A", email: "a@example.com"))
        var threat = Threat(id: "T-0001", path: "threats/T-0001-x.md")
        threat.title = "A threat"
        threat.mitigations = [Mitigation(id: "M-1", title: "m", status: .verified, owner: nil, evidence: ["src/**"], verified: Day("2026-01-02"), ref: nil)]
        let facts = StatusFacts(
            threats: [ThreatStatusFacts(threat: threat, created: ref, lastReview: Review(persisted: ref, via: .trailer, reviewer: "r@example.com"),
                                        laterReviews: [Review(persisted: ref, via: .reviewedBlock, reviewer: "s")],
                                        mitigations: [MitigationStatusFacts(id: "M-1", verifiedSince: Day("2026-01-02"), verifiedIn: ref.commit,
                                                                            evidenceSince: ref.commit, evidenceChange: nil)],
                                        ownershipProblem: "no owner", elementChanged: nil)],
            lastActivity: ["a@example.com": 5], problems: [Diagnostic(path: "p", line: 1, column: 2, severity: .warning, rule: "r", message: "m")],
            systemProblems: [], unreadable: [], system: nil, window: ReviewWindow(from: 1, until: nil))
        let header = StatusMemo.Header(tool: "t", head: ObjectID(bytes: [UInt8](repeating: 7, count: 20)), commitCount: 9,
                                       key: HistoryCache.Key(threatsFolder: "threats/", modelPrefix: "", idPrefix: "T-", filter: "f"),
                                       window: ReviewWindow(from: 1, until: nil), inputs: ["threats", ".tmrepo.yml"])
        let decoded = try #require(StatusMemoCodec.decode(StatusMemoCodec.encode(StatusMemo(header: header, facts: facts))))
        #expect(decoded.header == header)
        let back = try #require(decoded.facts.threats.first)
        #expect(back.threat.id == "T-0001" && back.threat.path == "threats/T-0001-x.md" && back.threat.mitigations == threat.mitigations)
        #expect(back.created == ref && back.lastReview == facts.threats[0].lastReview && back.laterReviews == facts.threats[0].laterReviews)
        #expect(back.mitigations == facts.threats[0].mitigations && back.ownershipProblem == "no owner")
        #expect(decoded.facts.lastActivity == facts.lastActivity && decoded.facts.problems == facts.problems && decoded.facts.window == facts.window)
    }
}
