import Foundation
import Testing
import TestSupport

/// Runs the built `tmrepo` binary on real folders and checks output and exit codes.
struct FoundationCommandTests {
    func tmrepo(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> ProcessResult {
        try TMRepoBinary.run(arguments, in: directory, environment: environment)
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func initScaffoldsAndRefusesToOverwrite() throws {
        let dir = try TempDir("init")
        let first = try tmrepo(["init"], in: dir.path)
        #expect(first.status == 0, "\(first.stderr)")
        for file in [".tmrepo.yml", "elements.yml", "assets.yml", "threats"] { #expect(dir.exists(file)) }
        #expect(try dir.read(".tmrepo.yml").contains("# How often a threat must be reviewed"))
        let again = try tmrepo(["init"], in: dir.path)
        #expect(again.status == 2)
        #expect(again.stderr.contains(".tmrepo.yml already exists (use --force to overwrite)"))
        let forced = try tmrepo(["init", "--force"], in: dir.path)
        #expect(forced.status == 0)
        let lint = try tmrepo(["lint"], in: dir.path)
        #expect(lint.status == 0, "\(lint.stdout)\(lint.stderr)")
    }

    @Test func newAllocatesTheNextIdAndNeverReusesOne() throws {
        let dir = try TempDir("new")
        _ = try tmrepo(["init"], in: dir.path)
        let first = try tmrepo(["new", "--title", "Forged JWT accepted", "--severity", "high", "--owner", "a@example.com",
                                "--stride", "spoofing", "elevation-of-privilege"], in: dir.path)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == "threats/T-0001-forged-jwt-accepted.md\n")
        let text = try dir.read("threats/T-0001-forged-jwt-accepted.md")
        #expect(text.contains("id: T-0001\ntitle: Forged JWT accepted\nstride: [spoofing, elevation-of-privilege]\n"))
        #expect(text.contains("severity: high\n") && text.contains("owner: a@example.com\n"))
        // A file whose id is higher than anything else, even one that does not parse, moves the counter on.
        try dir.write("threats/T-0007-broken.md", "not a threat file\n")
        let second = try tmrepo(["new", "--template", "s3-public-bucket", "--owner", "a@example.com"], in: dir.path)
        #expect(second.stdout == "threats/T-0008-s3-bucket-or-object-readable-by-the-public.md\n", "\(second.stderr)")
        #expect(try dir.read("threats/T-0008-s3-bucket-or-object-readable-by-the-public.md").contains("severity: critical\n"))

        // Ids of threats deleted in git history are never handed out again.
        try dir.remove("threats/T-0007-broken.md")
        try dir.remove("threats/T-0008-s3-bucket-or-object-readable-by-the-public.md")
        let git = try GitDriver.initialize(dir.path)
        try dir.write("threats/T-0011-old.md", "---\nid: T-0011\ntitle: old\nstride: [spoofing]\nseverity: low\nstatus: closed\n---\n")
        try git.commitAll("Add T-0011", date: "2026-01-01T10:00:00Z")
        try dir.remove("threats/T-0011-old.md")
        try git.commitAll("Retire T-0011", date: "2026-01-02T10:00:00Z")
        let third = try tmrepo(["new", "--title", "After retirement", "--owner", "a@example.com"], in: dir.path)
        #expect(third.stdout == "threats/T-0012-after-retirement.md\n", "\(third.stderr)")
    }

    @Test func newRejectsBadInput() throws {
        let dir = try TempDir("new-bad")
        _ = try tmrepo(["init"], in: dir.path)
        let template = try tmrepo(["new", "--template", "no-such-template"], in: dir.path)
        #expect(template.status == 2)
        #expect(template.stderr.contains("no template named 'no-such-template'; available: "))
        let severity = try tmrepo(["new", "--severity", "urgent"], in: dir.path)
        #expect(severity.status == 2)
        #expect(severity.stderr.contains("urgent"))
        let owner = try tmrepo(["new", "--owner", "nobody"], in: dir.path)
        #expect(owner.status == 2)
        #expect(owner.stderr.contains("--owner 'nobody' is neither a team"))
        let listing = try tmrepo(["new", "--list-templates"], in: dir.path)
        #expect(listing.status == 0)
        #expect(listing.stdout.split(separator: "\n").count >= 22)
    }

    @Test func lintExitCodesAndFormats() throws {
        let dir = try TempDir("lint")
        _ = try tmrepo(["init"], in: dir.path)
        try dir.write("threats/T-0001-a.md", "---\nid: T-0001\ntitle: a\nstride: [spoofing]\nseverity: high\nstatus: open\nowner: a@example.com\n---\n")
        #expect(try tmrepo(["lint"], in: dir.path).status == 0)

        try dir.write("threats/T-0002-b.md", "---\nid: T-0002\ntitle: b\nstride: [spoofing]\nseverity: extreme\nstatus: open\nowner: a@example.com\n---\n")
        let text = try tmrepo(["lint"], in: dir.path)
        #expect(text.status == 1)
        #expect(text.stdout.contains("threats/T-0002-b.md:5:11: error: severity: 'extreme' is not one of critical, high, medium, low, info [invalid-value]"))
        #expect(!text.stdout.contains("\u{1B}["), "no color when not writing to a terminal")

        let machine = try json(try tmrepo(["lint", "--format", "json"], in: dir.path).stdout)
        let summary = try #require(machine["summary"] as? [String: Any])
        #expect(summary["errors"] as? Int == 1)
        let problems = try #require(machine["problems"] as? [[String: Any]])
        #expect(problems.first?["rule"] as? String == "invalid-value")
        #expect(problems.first?["line"] as? Int == 5)

        let github = try tmrepo(["lint", "--format", "github"], in: dir.path)
        #expect(github.stdout == "::error file=threats/T-0002-b.md,line=5,col=11,title=tmrepo invalid-value::severity: 'extreme' is not one of critical, high, medium, low, info\n")

        // Only the named file is reported on; from a subfolder the model is still found.
        let subset = try tmrepo(["lint", "T-0001-a.md"], in: dir.url("threats"))
        #expect(subset.status == 0, "\(subset.stdout)")

        try dir.write(".tmrepo.yml", "review_cadence:\n  high: often\n")
        let config = try tmrepo(["lint"], in: dir.path)
        #expect(config.status == 2)
        #expect(config.stderr.contains(".tmrepo.yml:2:9: error: review_cadence.high: 'often' is not a duration"))

        let nowhere = try TempDir("no-model")
        let missing = try tmrepo(["lint"], in: nowhere.path)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no threat model found"))
    }

    @Test func listShowAndMatrixOnTheExample() throws {
        let example = SourceTree.example
        let all = try json(try tmrepo(["list", "--format", "json", "--root", example], in: "/").stdout)
        let threats = try #require(all["threats"] as? [[String: Any]])
        #expect(threats.count == 18)
        #expect(threats.first?["severity"] as? String == "critical", "most severe first")

        let filtered = try json(try tmrepo(["list", "--format", "json", "--severity", "high", "--status", "open", "--owner", "erin@example.com"],
                                           in: example).stdout)
        let ids = (filtered["threats"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        #expect(ids == ["T-0009", "T-0010"])

        let csv = try tmrepo(["list", "--format", "csv", "--stride", "repudiation"], in: example)
        #expect(csv.stdout.hasPrefix("id,severity,status,owner,element,stride,title\r\n"))
        #expect(csv.stdout.split(separator: "\r\n").count == 1 + 2)

        let show = try json(try tmrepo(["show", "T-0001", "--format", "json"], in: example).stdout)
        #expect(show["title"] as? String == "Forged or expired JWT accepted by the storefront authorizer")
        #expect((show["mitigations"] as? [[String: Any]])?.first?["verified"] as? String == "2026-06-02")
        let missing = try tmrepo(["show", "T-9999"], in: example)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no threat with id 'T-9999'"))

        let matrix = try json(try tmrepo(["matrix", "--format", "json"], in: example).stdout)
        let summary = try #require(matrix["summary"] as? [String: Any])
        // 12 elements from elements.yml, and 3 resources the SAM template declares without one
        // (RefundFunction and the function URL: processes; the dead-letter queue: a data flow), all gaps.
        #expect(summary["elements"] as? Int == 12 + 3)
        #expect(summary["applicable_cells"] as? Int == 2 * 2 + 5 * 6 + 3 * 4 + 2 * 3 + (6 + 6 + 3))
        #expect(summary["gaps"] as? Int == 32 + 15)
        let unmodeled = (matrix["elements"] as? [[String: Any]] ?? []).filter { $0["unmodeled"] as? Bool == true }.map { $0["id"] as? String }
        #expect(Set(unmodeled) == ["refund-function", "order-dead-letter-queue", "payment-webhook-function-url"])
        let md = try tmrepo(["matrix", "--format", "md"], in: example)
        #expect(md.stdout.contains("| storefront-api | process | **GAP** | **GAP** | **GAP** | **GAP** | 1 | **GAP** |"))
    }

    @Test func usageErrorsExitWithTwo() throws {
        let result = try tmrepo(["list", "--format", "yaml"], in: SourceTree.example)
        #expect(result.status == 2)
        let unknown = try tmrepo(["frobnicate"], in: SourceTree.example)
        #expect(unknown.status == 2)
        let help = try tmrepo(["--help"], in: SourceTree.example)
        #expect(help.status == 0)
        #expect(help.stdout.contains("Exit codes"))
    }
}
