import Foundation
import Testing
import TestSupport

/// tmrepo against generated repositories whose right answers are known: a generator writes a
/// history with reviews, severity changes, renames, retirements and merges, and with `--truth`
/// what a correct tool must report. Agreement must be total, cold (no cache), on the first
/// cached run and warm (from the cache).
struct OracleTests {
    /// The project's own generator, in the repository.
    static let generator = SourceTree.root + "/Benchmarks/gen_history.py"
    /// The workspace's reference generator: not part of a clone, so its test runs only beside it.
    static let sharedGenerator = SourceTree.shared + "/bench/gen_repo.py"
    static var sharedGeneratorExists: Bool { FileManager.default.fileExists(atPath: sharedGenerator) }

    struct Truth: Decodable {
        struct SeverityChange: Decodable, Equatable { let time: Int64; let from: String; let to: String }
        struct Threat: Decodable {
            let id: String, path: String, severity: String, status: String, owner: String
            let created: Int64
            let last_review: Int64?
            let severity_changes: [SeverityChange]
            let evidence_changed_after_verify: [String]
        }
        let head_time: Int64
        let threats: [Threat]
    }

    static func seconds(_ iso: Any?) -> Int64? {
        guard let text = iso as? String else { return nil }
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text).map { Int64($0.timeIntervalSince1970) }
    }

    /// Runs a generator into a new folder and reads back its truth.
    static func generate(_ script: String, _ arguments: [String], in dir: TempDir) throws -> (repo: String, truth: Truth) {
        let repo = dir.path + "/repo", truthFile = dir.path + "/truth.json"
        let generated = try runProcess("/usr/bin/env", ["python3", script, "--out", repo, "--truth", truthFile] + arguments, cwd: dir.path)
        try #require(generated.status == 0, "\(script) failed: \(generated.stderr)")
        return (repo, try JSONDecoder().decode(Truth.self, from: Data(contentsOf: URL(fileURLWithPath: truthFile))))
    }

    /// Every way tmrepo's `status` and `changelog` differ from the truth, for cold, first cached
    /// and warm runs.
    static func disagreements(in repo: String, with truth: Truth) throws -> [String] {
        var disagreements: [String] = []
        for (label, environment) in [("cold", ["TMREPO_NO_CACHE": "1"]), ("first cached", [:]), ("warm", [:])] {
            let statusRun = try TMRepoBinary.run(["status", "--as-of", "2026-11-01", "--format", "json"], in: repo, environment: environment)
            try #require(statusRun.status == 0, "\(label): \(statusRun.stderr)")
            let status = try #require(JSONSerialization.jsonObject(with: Data(statusRun.stdout.utf8)) as? [String: Any])
            let mine = Dictionary(uniqueKeysWithValues: (status["threats"] as! [[String: Any]]).map { ($0["id"] as! String, $0) })
            if mine.count != truth.threats.count { disagreements.append("\(label): \(mine.count) live threats, not \(truth.threats.count)") }
            for expected in truth.threats {
                guard let got = mine[expected.id] else { disagreements.append("\(label): \(expected.id) missing"); continue }
                if got["path"] as? String != expected.path { disagreements.append("\(label): \(expected.id) path") }
                if got["severity"] as? String != expected.severity { disagreements.append("\(label): \(expected.id) severity") }
                if got["status"] as? String != expected.status { disagreements.append("\(label): \(expected.id) status") }
                if got["owner"] as? String != expected.owner { disagreements.append("\(label): \(expected.id) owner") }
                if seconds(got["created"]) != expected.created { disagreements.append("\(label): \(expected.id) created") }
                if seconds(got["last_review"]) != expected.last_review { disagreements.append("\(label): \(expected.id) last_review") }
                let stale = ((got["stale_mitigations"] as? [[String: Any]]) ?? [])
                    .filter { $0["reason"] as? String == "evidence-changed" }.compactMap { $0["id"] as? String }.sorted()
                if stale != expected.evidence_changed_after_verify.sorted() { disagreements.append("\(label): \(expected.id) stale \(stale)") }
            }
            let changelogRun = try TMRepoBinary.run(["changelog", "--format", "json"], in: repo, environment: environment)
            try #require(changelogRun.status == 0, "\(label): \(changelogRun.stderr)")
            let events = try #require((JSONSerialization.jsonObject(with: Data(changelogRun.stdout.utf8)) as? [String: Any])?["events"] as? [[String: Any]])
            var severity: [String: [Truth.SeverityChange]] = [:]
            for event in events where event["field"] as? String == "severity" {
                severity[event["id"] as! String, default: []].append(
                    Truth.SeverityChange(time: seconds(event["time"])!, from: event["from"] as! String, to: event["to"] as! String))
            }
            for expected in truth.threats where severity[expected.id] ?? [] != expected.severity_changes {
                disagreements.append("\(label): \(expected.id) severity changes")
            }
        }
        return disagreements
    }

    @Test(arguments: [1, 2, 3])
    func statusAndChangelogAgreeWithTheProjectsGenerator(seed: Int) throws {
        let dir = try TempDir("oracle")
        let (repo, truth) = try Self.generate(Self.generator, ["--commits", "1500", "--threats", "120", "--code-files", "400",
                                                               "--seed", String(seed)], in: dir)
        // A truth with nothing in it would let any tool pass.
        #expect(truth.threats.filter { $0.last_review != nil }.count > 50, "reviews")
        #expect(truth.threats.filter { $0.last_review == nil }.count > 0, "never-reviewed threats")
        #expect(truth.threats.map(\.severity_changes.count).reduce(0, +) > 10, "severity changes")
        #expect(truth.threats.map(\.evidence_changed_after_verify.count).reduce(0, +) > 5, "evidence-changed mitigations")
        let git = GitDriver(directory: repo)
        #expect(try git.run(["log", "--format=%h", "--diff-filter=R", "-M", "--", "threats/"]).split(separator: "\n").count > 5, "renames")
        #expect(try git.run(["log", "--format=%h", "--diff-filter=D", "--", "threats/"]).split(separator: "\n").count > 0, "retirements")
        #expect(try git.run(["log", "--format=%h", "--merges"]).split(separator: "\n").count > 5, "merges")

        let disagreements = try Self.disagreements(in: repo, with: truth)
        #expect(disagreements.isEmpty, "seed \(seed): \(disagreements.count) disagreements, first \(disagreements.prefix(10))")
    }

    @Test func theGeneratorIsDeterministicBySeed() throws {
        func head(_ seed: Int) throws -> String {
            let dir = try TempDir("oracle-seed")
            let (repo, _) = try Self.generate(Self.generator, ["--commits", "200", "--threats", "20", "--code-files", "60",
                                                               "--seed", String(seed)], in: dir)
            return try GitDriver(directory: repo).run(["rev-parse", "HEAD"])
        }
        let first = try head(7)
        #expect(try head(7) == first, "the same seed gives the same commits")
        #expect(try head(8) != first, "another seed gives another history")
    }

    @Test(.enabled(if: OracleTests.sharedGeneratorExists,
                   "needs ../shared/bench/gen_repo.py, the workspace's reference generator, which is not part of a clone"),
          arguments: [1, 2])
    func statusAndChangelogAgreeWithTheSharedGenerator(seed: Int) throws {
        let dir = try TempDir("oracle-shared")
        let (repo, truth) = try Self.generate(Self.sharedGenerator, ["--commits", "2500", "--threats", "150", "--code-files", "400",
                                                                     "--seed", String(seed)], in: dir)
        #expect(!truth.threats.isEmpty)
        let disagreements = try Self.disagreements(in: repo, with: truth)
        #expect(disagreements.isEmpty, "seed \(seed): \(disagreements.count) disagreements, first \(disagreements.prefix(10))")
    }
}
