import Foundation
import Testing
import TestSupport

/// tmrepo against `shared/bench/gen_repo.py --truth`: generated repositories with reviews,
/// severity changes, renames, deletions and merges, and the answers a correct tool must give.
/// Agreement must be total, cold (no cache) and warm (from the cache).
struct OracleTests {
    static let generator = SourceTree.shared + "/bench/gen_repo.py"

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

    @Test(arguments: [1, 2, 3])
    func statusAndChangelogAgreeWithTheOracle(seed: Int) throws {
        #expect(FileManager.default.fileExists(atPath: Self.generator), "the benchmark generator is expected at \(Self.generator)")
        let dir = try TempDir("oracle")
        let repo = dir.path + "/repo", truthFile = dir.path + "/truth.json"
        let generated = try runProcess("/usr/bin/env", ["python3", Self.generator, "--out", repo, "--commits", "2500", "--threats", "150",
                                                        "--code-files", "400", "--seed", String(seed), "--truth", truthFile], cwd: dir.path)
        try #require(generated.status == 0, "gen_repo failed: \(generated.stderr)")
        let truth = try JSONDecoder().decode(Truth.self, from: Data(contentsOf: URL(fileURLWithPath: truthFile)))

        for (label, environment) in [("cold", ["TMREPO_NO_CACHE": "1"]), ("first cached", [:]), ("warm", [:])] {
            let statusRun = try TMRepoBinary.run(["status", "--as-of", "2026-11-01", "--format", "json"], in: repo, environment: environment)
            try #require(statusRun.status == 0, "\(label): \(statusRun.stderr)")
            let status = try #require(JSONSerialization.jsonObject(with: Data(statusRun.stdout.utf8)) as? [String: Any])
            let mine = Dictionary(uniqueKeysWithValues: (status["threats"] as! [[String: Any]]).map { ($0["id"] as! String, $0) })
            #expect(mine.count == truth.threats.count, "\(label): live threats")
            var disagreements: [String] = []
            for expected in truth.threats {
                guard let got = mine[expected.id] else { disagreements.append("\(expected.id) missing"); continue }
                if got["path"] as? String != expected.path { disagreements.append("\(expected.id) path") }
                if got["severity"] as? String != expected.severity { disagreements.append("\(expected.id) severity") }
                if got["status"] as? String != expected.status { disagreements.append("\(expected.id) status") }
                if got["owner"] as? String != expected.owner { disagreements.append("\(expected.id) owner") }
                if Self.seconds(got["created"]) != expected.created { disagreements.append("\(expected.id) created") }
                if Self.seconds(got["last_review"]) != expected.last_review { disagreements.append("\(expected.id) last_review") }
                let stale = ((got["stale_mitigations"] as? [[String: Any]]) ?? [])
                    .filter { $0["reason"] as? String == "evidence-changed" }.compactMap { $0["id"] as? String }.sorted()
                if stale != expected.evidence_changed_after_verify.sorted() { disagreements.append("\(expected.id) stale \(stale)") }
            }
            let changelogRun = try TMRepoBinary.run(["changelog", "--format", "json"], in: repo, environment: environment)
            let events = try #require((JSONSerialization.jsonObject(with: Data(changelogRun.stdout.utf8)) as? [String: Any])?["events"] as? [[String: Any]])
            var severity: [String: [Truth.SeverityChange]] = [:]
            for event in events where event["field"] as? String == "severity" {
                severity[event["id"] as! String, default: []].append(
                    Truth.SeverityChange(time: Self.seconds(event["time"])!, from: event["from"] as! String, to: event["to"] as! String))
            }
            for expected in truth.threats where severity[expected.id] ?? [] != expected.severity_changes {
                disagreements.append("\(expected.id) severity changes")
            }
            #expect(disagreements.isEmpty, "\(label) seed \(seed): \(disagreements.prefix(10))")
        }
    }
}
