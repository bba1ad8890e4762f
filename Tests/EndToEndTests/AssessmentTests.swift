import Foundation
import Testing
import TestSupport

/// Every finding assessed: `vulnerabilities:` in threat files, `tmrepo assess`, and what
/// `status` makes of them over a real git history (unassessed, contradiction, expired,
/// unreviewed acceptance, fixed but back), with built-in and SARIF findings.
struct AssessmentTests {
    /// Two function URLs without auth (TM-API-004) and three queues without encryption (TM-DATA-003).
    static let template = """
    AWSTemplateFormatVersion: '2010-09-09'
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Trail:
        Type: AWS::CloudTrail::Trail
        Properties: {IsLogging: true, S3BucketName: audit-bucket}
      OrderFunction:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.13
          Handler: app.handler
          CodeUri: src/
          FunctionUrlConfig:
            AuthType: NONE
      WebhookFunction:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.13
          Handler: app.handler
          CodeUri: src/
          FunctionUrlConfig:
            AuthType: NONE
      Queue:
        Type: AWS::SQS::Queue
        Properties: {SqsManagedSseEnabled: false}
      Queue2:
        Type: AWS::SQS::Queue
        Properties: {SqsManagedSseEnabled: false}
      Queue3:
        Type: AWS::SQS::Queue
        Properties: {SqsManagedSseEnabled: false}

    """

    /// The project's configuration with unassessed high findings blocking the gate (and overdue reviews not).
    static let blockingUnassessedHigh = ModelRepo.config.replacingOccurrences(
        of: "policy:\n", with: "policy:\n  block_unassessed: [high]\n  block_overdue: []\n")

    /// A template's `Resources:` section: a logging trail and a function whose URL has `authType`.
    static func orderStackResources(authType: String) -> String {
        "Resources:\n  Trail: {Type: AWS::CloudTrail::Trail, Properties: {IsLogging: true, S3BucketName: b}}\n"
            + "  OrderFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.13\n      Handler: app.handler\n"
            + "      CodeUri: src/\n      FunctionUrlConfig:\n        AuthType: \(authType)\n"
    }

    static func threat(_ id: String, status: String = "open", vulnerabilities: String, reviewed: (String, String)? = nil) -> String {
        ModelRepo.threat(id, status: status, reviewed: reviewed).replacingOccurrences(
            of: "owner: team-a\n", with: "owner: team-a\nvulnerabilities:\n" + vulnerabilities)
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text.prefix(300))")
    }

    func assessment(_ repo: ModelRepo, asOf: String, _ extra: [String] = []) throws -> [String: Any] {
        let result = try TMRepoBinary.run(["status", "--as-of", asOf, "--format", "json"] + extra, in: repo.root)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try json(result.stdout)["assessment"] as? [String: Any])
    }

    func threats(_ items: Any?) -> [String] { (items as? [[String: Any]] ?? []).compactMap { $0["threat"] as? String } }

    /// T-0001 links OrderFunction (open); T-0002 is mitigated but its queue finding is open;
    /// T-0003 accepts WebhookFunction for 30 days (written after its last review); T-0004 says
    /// Queue2 was fixed; Queue3 is linked by nobody.
    func shop() throws -> ModelRepo {
        let repo = try ModelRepo()
        try repo.write("template.yaml", Self.template)
        try repo.write("threats/T-0001-a.md", Self.threat("T-0001", vulnerabilities: "  - {rule: TM-API-004, resource: OrderFunction, status: open}\n"))
        try repo.write("threats/T-0002-b.md", Self.threat("T-0002", status: "mitigated", vulnerabilities: "  - rule: TM-DATA-003\n    resource: Queue\n    status: open\n"))
        try repo.write("threats/T-0003-c.md", ModelRepo.threat("T-0003"))
        try repo.write("threats/T-0004-d.md", Self.threat("T-0004", vulnerabilities: "  - rule: TM-DATA-003\n    resource: template.yaml#Queue2\n    status: fixed\n"))
        try repo.commit("Model and template", "2026-01-05T10:00:00Z")
        try repo.git.run(["commit", "-q", "--allow-empty", "-m", "Review\n\nReviewed-threat: T-0003"], date: "2026-01-10T10:00:00Z",
                         author: ("bob", "bob@example.com"))
        try repo.write("threats/T-0003-c.md", Self.threat("T-0003", vulnerabilities: """
          - rule: TM-API-004
            resource: WebhookFunction
            status: accepted
            reason: the webhook checks an HMAC signature
            until: 30d

        """))
        try repo.commit("Accept the webhook URL", "2026-02-01T10:00:00Z")
        return repo
    }

    @Test func statusReportsEachAssessmentCategory() throws {
        let repo = try shop()
        let early = try assessment(repo, asOf: "2026-02-15")
        let summary = try #require(early["summary"] as? [String: Int])
        #expect(summary["findings"] == 5 && summary["assessed"] == 4, "\(summary)")
        let unassessed = try #require(early["unassessed"] as? [[String: Any]])
        #expect(unassessed.map { $0["finding"] as? String } == ["TM-DATA-003:template.yaml#Queue3"])
        #expect(threats(early["contradictions"]) == ["T-0002"])
        #expect(threats(early["fixed_but_reported"]) == ["T-0004"])
        #expect(threats(early["expired"]).isEmpty)
        let unreviewed = try #require(early["unreviewed_acceptances"] as? [[String: Any]])
        #expect(threats(unreviewed) == ["T-0003"])
        let accepted = try #require(unreviewed.first)
        #expect(accepted["written_time"] as? String == "2026-02-01T10:00:00Z")
        #expect(accepted["last_review_time"] as? String == "2026-01-10T10:00:00Z")
        #expect(accepted["expires"] as? String == "2026-03-03")
        // 30 days from the commit that wrote the acceptance.
        #expect(threats(try assessment(repo, asOf: "2026-03-03")["expired"]).isEmpty)
        #expect(threats(try assessment(repo, asOf: "2026-03-04")["expired"]) == ["T-0003"])

        let text = try TMRepoBinary.run(["status", "--as-of", "2026-03-04"], in: repo.root)
        #expect(text.stdout.contains("Vulnerability assessment: 5 findings, 4 linked to threats"), "\(text.stdout)")
        #expect(text.stdout.contains("TM-DATA-003:template.yaml#Queue3"))
        #expect(text.stdout.contains("Contradictions: threat mitigated or closed while its finding is reported (1)"))
        #expect(text.stdout.contains("Expired acceptances (1)"))
        #expect(text.stdout.contains("Acceptances not reviewed since written (1)"))
        #expect(text.stdout.contains("Recorded fixed but reported again (1)"))
        #expect(try TMRepoBinary.run(["status", "--as-of", "2026-03-04", "--fail-on", "unassessed"], in: repo.root).status == 1)
        #expect(try TMRepoBinary.run(["status", "--as-of", "2026-03-04", "--fail-on", "overdue"], in: repo.root).status == 0)

        // Assess and review everything: the report comes clean.
        func assess(_ args: [String]) throws {
            let result = try TMRepoBinary.run(["assess"] + args + ["--as-of", "2026-03-05"], in: repo.root)
            #expect(result.status == 0, "\(args): \(result.stderr)")
        }
        try assess(["TM-DATA-003:Queue3", "--threat", "T-0002"])
        try assess(["TM-DATA-003:Queue", "--threat", "T-0002", "--accept", "--reason", "no personal data in it", "--until", "2026-12-31"])
        try assess(["TM-DATA-003 template.yaml#Queue2 Properties", "--threat", "T-0004"])
        try assess(["TM-API-004:template.yaml#WebhookFunction", "--threat", "T-0003", "--accept", "--until", "2026-12-31"])
        // T-0002 is mitigated and Queue3 is open there: still a contradiction until it is accepted or the threat reopened.
        try repo.write("threats/T-0002-b.md", try repo.dir.read("threats/T-0002-b.md").replacingOccurrences(of: "status: mitigated", with: "status: open"))
        try repo.commit("Assess the findings", "2026-03-05T10:00:00Z")
        #expect(threats(try assessment(repo, asOf: "2026-03-06")["unreviewed_acceptances"]).sorted() == ["T-0002", "T-0003"])
        try repo.git.run(["commit", "-q", "--allow-empty", "-m", "Review\n\nReviewed-threat: T-0002\nReviewed-threat: T-0003"],
                         date: "2026-03-06T10:00:00Z", author: ("bob", "bob@example.com"))
        let clean = try assessment(repo, asOf: "2026-03-07")
        let after = try #require(clean["summary"] as? [String: Int])
        #expect(after == ["findings": 5, "assessed": 5, "unassessed": 0, "contradictions": 0, "expired": 0,
                          "unreviewed_acceptances": 0, "fixed_but_reported": 0, "ambiguous": 0], "\(clean)")
        #expect(try TMRepoBinary.run(["status", "--as-of", "2026-03-07", "--fail-on", "unassessed"], in: repo.root).status == 0)
    }

    @Test func assessWritesTheEntryAndKeepsEveryOtherByte() throws {
        let repo = try shop()
        let path = "threats/T-0001-a.md"
        let original = try repo.dir.read(path)
            .replacingOccurrences(of: "owner: team-a\n", with: "owner: team-a   # who\nx-custom:\n  nested: [1, 2]\n")
            + "\n| a table | kept |\n"
        try repo.write(path, original)
        let added = try TMRepoBinary.run(["assess", "TM-API-004:WebhookFunction", "--threat", "T-0001", "--as-of", "2026-03-01"], in: repo.root)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout == "threats/T-0001-a.md: added TM-API-004:template.yaml#WebhookFunction (open)\n", "\(added.stdout)")
        let expected = original.replacingOccurrences(
            of: "  - {rule: TM-API-004, resource: OrderFunction, status: open}\n",
            with: "  - {rule: TM-API-004, resource: OrderFunction, status: open}\n  - rule: TM-API-004\n    resource: WebhookFunction\n    template: template.yaml\n    status: open\n")
        #expect(try repo.dir.read(path) == expected)
        let fixed = try TMRepoBinary.run(["assess", "TM-API-004:WebhookFunction", "--threat", "T-0001", "--fixed", "--as-of", "2026-03-01"], in: repo.root)
        #expect(fixed.stdout.contains("updated"), "\(fixed.stdout) \(fixed.stderr)")
        #expect(try repo.dir.read(path) == expected.replacingOccurrences(of: "    status: open\n", with: "    status: fixed\n"))

        // Errors: exit 2 with a clear message, the file untouched.
        let before = try repo.dir.read(path)
        let unknown = try TMRepoBinary.run(["assess", "TM-API-004:WebhookFunction", "--threat", "T-0404"], in: repo.root)
        #expect(unknown.status == 2 && unknown.stderr.contains("T-0404"), "\(unknown.stderr)")
        let notReported = try TMRepoBinary.run(["assess", "TM-IAM-001:OrderFunction", "--threat", "T-0001"], in: repo.root)
        #expect(notReported.status == 2 && notReported.stderr.contains("is not reported by 'tmrepo scan' now"), "\(notReported.stderr)")
        let noReason = try TMRepoBinary.run(["assess", "TM-API-004:OrderFunction", "--threat", "T-0001", "--accept", "--until", "90d"], in: repo.root)
        #expect(noReason.status == 2 && noReason.stderr.contains("--reason"), "\(noReason.stderr)")
        let badUntil = try TMRepoBinary.run(["assess", "TM-API-004:OrderFunction", "--threat", "T-0001", "--accept", "--reason", "r", "--until", "later"], in: repo.root)
        #expect(badUntil.status == 2 && badUntil.stderr.contains("--until 'later'"), "\(badUntil.stderr)")
        #expect(try repo.dir.read(path) == before)
        // The flow-style entry cannot be edited in place: refused, untouched.
        let flow = try TMRepoBinary.run(["assess", "TM-API-004:OrderFunction", "--threat", "T-0001", "--fixed"], in: repo.root)
        #expect(flow.status == 2 && flow.stderr.contains("flow style"), "\(flow.stderr)")
        #expect(try repo.dir.read(path) == before)
        // --force records what no scan reports now.
        let forced = try TMRepoBinary.run(["assess", "CKV_AWS_117:OrderFunction", "--threat", "T-0001", "--force"], in: repo.root)
        #expect(forced.status == 0 && forced.stdout.contains("recorded with --force"), "\(forced.stderr)")
        let lint = try TMRepoBinary.run(["lint"], in: repo.root)
        #expect(lint.status == 0, "\(lint.stdout)")
    }

    @Test func scannerFindingsFromSARIFCountInStatus() throws {
        let repo = try ModelRepo(config: ModelRepo.config + "system:\n  templates: [Tests/Fixtures/templates/weak/template.yaml]\n")
        try repo.write("Tests/Fixtures/templates/weak/template.yaml",
                       try String(contentsOfFile: SourceTree.fixtures + "/templates/weak/template.yaml", encoding: .utf8))
        try repo.write("threats/T-0001-a.md", Self.threat("T-0001", vulnerabilities: "  - {rule: CKV_AWS_117, resource: OrdersFunction, status: open}\n"))
        try repo.commit("Model", "2026-01-05T10:00:00Z")
        let sarif = SourceTree.fixtures + "/sarif/checkov-weak.sarif"
        let without = try assessment(repo, asOf: "2026-02-01")
        let with = try assessment(repo, asOf: "2026-02-01", ["--sarif", sarif])
        let before = try #require(without["summary"] as? [String: Int])
        let after = try #require(with["summary"] as? [String: Int])
        let unassessed = try #require(with["unassessed"] as? [[String: Any]])
        #expect(unassessed.contains { $0["tool"] as? String == "checkov" })
        #expect(!unassessed.contains { $0["rule"] as? String == "CKV_AWS_117" && $0["logical_id"] as? String == "OrdersFunction" })
        #expect(after["assessed"] == 1 && before["assessed"] == 0, "\(before) \(after)")
        #expect(after["findings"]! > before["findings"]!)
        let bad = try TMRepoBinary.run(["status", "--sarif", "nope.sarif"], in: repo.root)
        #expect(bad.status == 2)
    }

    @Test func newFromFindingStartsALinkedThreat() throws {
        let repo = try shop()
        try repo.write("elements.yml", "elements:\n  - id: order-url\n    kind: process\n    name: Order function URL\n    resource: template.yaml#OrderFunction\n")
        let created = try TMRepoBinary.run(["new", "--from-finding", "TM-API-004:OrderFunction", "--owner", "team-a"], in: repo.root)
        #expect(created.status == 0, "\(created.stderr)")
        let path = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(path.hasPrefix("threats/T-0005-"), "\(path)")
        let shown = try json(try TMRepoBinary.run(["show", "T-0005", "--format", "json"], in: repo.root).stdout)
        #expect(shown["title"] as? String == "Lambda function URL with AuthType: NONE: OrderFunction")
        #expect(shown["stride"] as? [String] == ["spoofing", "information-disclosure", "elevation-of-privilege"])
        #expect(shown["severity"] as? String == "high")
        #expect(shown["element"] as? String == "order-url")
        let shownLinks = try #require(shown["vulnerabilities"] as? [[String: Any]])
        #expect(shownLinks.count == 1 && shownLinks[0]["rule"] as? String == "TM-API-004" && shownLinks[0]["status"] as? String == "open"
                && shownLinks[0]["template"] as? String == "template.yaml")
        let shownText = try TMRepoBinary.run(["show", "T-0005"], in: repo.root).stdout
        #expect(shownText.contains("Vulnerabilities\n  TM-API-004:template.yaml#OrderFunction  [open]"), "\(shownText)")
        let text = try repo.dir.read(path)
        #expect(text.contains("vulnerabilities:\n  - rule: TM-API-004\n    resource: OrderFunction\n    template: template.yaml\n    status: open\n"), "\(text)")
        // Explicit options win; a finding not reported is an error.
        let explicit = try TMRepoBinary.run(["new", "--from-finding", "TM-DATA-003:Queue3", "--owner", "team-a", "--severity", "critical",
                                             "--title", "Queue readable"], in: repo.root)
        #expect(explicit.status == 0, "\(explicit.stderr)")
        let second = try json(try TMRepoBinary.run(["show", "T-0006", "--format", "json"], in: repo.root).stdout)
        #expect(second["severity"] as? String == "critical" && second["title"] as? String == "Queue readable")
        #expect(second["stride"] as? [String] == ["information-disclosure"])
        let missing = try TMRepoBinary.run(["new", "--from-finding", "TM-IAM-001:Nope", "--owner", "team-a"], in: repo.root)
        #expect(missing.status == 2 && missing.stderr.contains("not reported"), "\(missing.stderr)")
        #expect(try TMRepoBinary.run(["lint"], in: repo.root).status == 0)
    }

    @Test func theGateBlocksUnassessedFindingsAndContradictionsUntilAssessed() throws {
        let policy = ModelRepo.config.replacingOccurrences(of: "policy:\n", with: "policy:\n  block_unassessed: [high]\n  block_contradictions: true\n  block_overdue: []\n")
        let repo = try ModelRepo(config: policy)
        try repo.write("template.yaml", "Resources:\n  Trail: {Type: AWS::CloudTrail::Trail, Properties: {IsLogging: true, S3BucketName: b}}\n")
        try repo.write("threats/T-0001-a.md", Self.threat("T-0001", status: "mitigated", vulnerabilities: "  - rule: TM-DATA-003\n    resource: Queue\n    status: fixed\n",
                                                          reviewed: ("2026-01-05", "bob@example.com")))
        try repo.commit("Model", "2026-01-05T10:00:00Z", by: "bob@example.com")
        try repo.git.run(["checkout", "-q", "-b", "feature"])
        func check() throws -> ProcessResult { try TMRepoBinary.run(["check", "--base", "main", "--as-of", "2026-02-01"], in: repo.root) }
        #expect(try check().status == 0)
        // The feature adds a function URL without auth (high) and a queue that brings the "fixed" weakness back.
        try repo.write("template.yaml", Self.template)
        try repo.commit("Add functions and queues", "2026-01-10T10:00:00Z")
        let blocked = try check()
        #expect(blocked.status == 1, "\(blocked.stdout)")
        #expect(blocked.stdout.contains("unassessed-finding"), "\(blocked.stdout)")
        #expect(blocked.stdout.contains("TM-API-004:template.yaml#OrderFunction is linked to no threat"), "\(blocked.stdout)")
        #expect(!blocked.stdout.contains("TM-DATA-003:template.yaml#Queue3"), "low findings do not block")
        #expect(blocked.stdout.contains("finding-contradiction"), "\(blocked.stdout)")
        #expect(blocked.stdout.contains("T-0001 is mitigated but TM-DATA-003:Queue (recorded fixed) is still reported"), "\(blocked.stdout)")
        let json = try TMRepoBinary.run(["check", "--base", "main", "--as-of", "2026-02-01", "--format", "json"], in: repo.root)
        let rules = Set(((try self.json(json.stdout))["findings"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String })
        #expect(rules == ["unassessed-finding", "finding-contradiction"], "\(rules)")

        // Assess: link both URLs, accept the queue; then the changed threat needs its review.
        for args in [["TM-API-004:OrderFunction", "--threat", "T-0001"], ["TM-API-004:WebhookFunction", "--threat", "T-0001"],
                     ["TM-DATA-003:Queue", "--threat", "T-0001", "--accept", "--reason", "no personal data", "--until", "2026-12-31"]] {
            let result = try TMRepoBinary.run(["assess"] + args, in: repo.root)
            #expect(result.status == 0, "\(result.stderr)")
        }
        try repo.write("threats/T-0001-a.md", try repo.dir.read("threats/T-0001-a.md").replacingOccurrences(of: "status: mitigated", with: "status: open"))
        try repo.commit("Assess", "2026-01-12T10:00:00Z")
        let unreviewed = try check()
        #expect(unreviewed.status == 1)
        #expect(unreviewed.stdout.contains("unreviewed-change") && !unreviewed.stdout.contains("unassessed-finding")
                && !unreviewed.stdout.contains("finding-contradiction"), "\(unreviewed.stdout)")
        try repo.git.run(["commit", "-q", "--allow-empty", "-m", "Review\n\nReviewed-threat: T-0001"], date: "2026-01-13T10:00:00Z",
                         author: ("bob", "bob@example.com"))
        let passed = try check()
        #expect(passed.status == 0, "\(passed.stdout)")
    }

    /// An assessment that no longer holds is no assessment: a finding whose links all record it
    /// `fixed` (it is back) or accept it until a day that has passed blocks as unassessed, and an
    /// expired acceptance no longer excuses a mitigated threat (a contradiction), long after the
    /// range that wrote them was reviewed.
    @Test func theGateBlocksFindingsWhoseAssessmentLapsed() throws {
        let policy = ModelRepo.config.replacingOccurrences(of: "policy:\n", with: "policy:\n  block_unassessed: [high]\n  block_contradictions: true\n  block_overdue: []\n")
        let repo = try ModelRepo(config: policy)
        func function(_ name: String, auth: String) -> String {
            "  \(name):\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.13\n      Handler: app.handler\n"
                + "      CodeUri: src/\n      FunctionUrlConfig:\n        AuthType: \(auth)\n"
        }
        func template(third auth: String) -> String {
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Trail: {Type: AWS::CloudTrail::Trail, Properties: {IsLogging: true, S3BucketName: b}}\n"
                + function("OrderFunction", auth: "NONE") + function("WebhookFunction", auth: "NONE") + function("ReportFunction", auth: auth)
        }
        let accepted = "    status: accepted\n    reason: behind a private network\n    until: 2026-02-01\n"
        try repo.write("template.yaml", template(third: "AWS_IAM"))
        try repo.write("threats/T-0001-a.md", Self.threat("T-0001", vulnerabilities: "  - rule: TM-API-004\n    resource: OrderFunction\n" + accepted,
                                                          reviewed: ("2026-01-05", "bob@example.com")))
        try repo.write("threats/T-0002-b.md", Self.threat("T-0002", status: "mitigated", vulnerabilities: "  - rule: TM-API-004\n    resource: WebhookFunction\n" + accepted,
                                                          reviewed: ("2026-01-05", "bob@example.com")))
        try repo.write("threats/T-0003-c.md", Self.threat("T-0003", vulnerabilities: "  - rule: TM-API-004\n    resource: ReportFunction\n    status: fixed\n",
                                                          reviewed: ("2026-01-05", "bob@example.com")))
        try repo.commit("Model", "2026-01-05T10:00:00Z", by: "bob@example.com")
        try repo.git.run(["checkout", "-q", "-b", "feature"])
        try repo.write("README.md", "unrelated\n")
        try repo.commit("Unrelated", "2026-01-06T10:00:00Z")
        func check(_ asOf: String) throws -> ProcessResult {
            try TMRepoBinary.run(["check", "--base", "main", "--as-of", asOf, "--format", "json"], in: repo.root)
        }
        func findings(_ result: ProcessResult) throws -> [String] {
            ((try json(result.stdout))["findings"] as? [[String: Any]] ?? []).map { "\($0["rule"] ?? "") \($0["threat"] ?? "-")" }.sorted()
        }
        let early = try check("2026-01-20")
        #expect(early.status == 0, "\(early.stdout)")
        // The acceptances expired: the findings are no longer assessed, and T-0002's excuse is gone.
        let late = try check("2026-03-01")
        #expect(late.status == 1, "\(late.stdout)")
        #expect(try findings(late) == ["finding-contradiction T-0002", "unassessed-finding T-0001", "unassessed-finding T-0002"], "\(late.stdout)")
        let text = try TMRepoBinary.run(["check", "--base", "main", "--as-of", "2026-03-01"], in: repo.root).stdout
        #expect(text.contains("TM-API-004:template.yaml#OrderFunction is reported, but no assessment of it holds (recorded fixed, or accepted until a day that has passed, by T-0001)"), "\(text)")
        #expect(text.contains("T-0002 is mitigated but TM-API-004:WebhookFunction (recorded accepted, expired) is still reported"), "\(text)")

        // The weakness T-0003 records as fixed comes back: linked, yet unassessed as it stands.
        try repo.write("template.yaml", template(third: "NONE"))
        try repo.commit("Open the report URL again", "2026-01-07T10:00:00Z")
        let back = try check("2026-01-20")
        #expect(back.status == 1, "\(back.stdout)")
        #expect(try findings(back) == ["unassessed-finding T-0003"], "\(back.stdout)")
    }

    /// A duration counts from the commit that wrote it; a commit dated in the far future (the date
    /// is a claim, and no diff shows it) must not stretch `until: 30d` to decades.
    @Test func anAcceptanceForADurationWrittenInTheFutureDoesNotHold() throws {
        let repo = try ModelRepo(config: Self.blockingUnassessedHigh)
        try repo.write("template.yaml", "Transform: AWS::Serverless-2016-10-31\nResources:\n"
            + "  Trail: {Type: AWS::CloudTrail::Trail, Properties: {IsLogging: true, S3BucketName: b}}\n"
            + "  OrderFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.13\n      Handler: app.handler\n"
            + "      CodeUri: src/\n      FunctionUrlConfig:\n        AuthType: NONE\n")
        try repo.write("threats/T-0001-a.md", Self.threat("T-0001", vulnerabilities: "  - {rule: TM-API-004, resource: OrderFunction, status: open}\n",
                                                          reviewed: ("2026-01-05", "bob@example.com")))
        try repo.commit("Model", "2026-01-05T10:00:00Z", by: "bob@example.com")
        try repo.git.run(["checkout", "-q", "-b", "feature"])
        try repo.write("threats/T-0001-a.md", try repo.dir.read("threats/T-0001-a.md").replacingOccurrences(
            of: "status: open}", with: "status: accepted, reason: internal only, until: 30d}"))
        try repo.commit("Accept for 30 days", "2099-01-01T10:00:00Z")
        try repo.git.run(["commit", "-q", "--allow-empty", "-m", "Review\n\nReviewed-threat: T-0001"], date: "2026-01-08T10:00:00Z",
                         author: ("bob", "bob@example.com"))
        let result = try TMRepoBinary.run(["check", "--base", "main", "--as-of", "2026-01-20", "--format", "json"], in: repo.root)
        #expect(result.status == 1, "\(result.stdout)")
        let rules = ((try json(result.stdout))["findings"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }
        #expect(rules == ["unassessed-finding"], "\(result.stdout)")
        let expired = try assessment(repo, asOf: "2026-01-20")["expired"] as? [[String: Any]] ?? []
        #expect(expired.map { $0["threat"] as? String } == ["T-0001"] && expired.first?["written_time"] as? String == "2099-01-01T10:00:00Z", "\(expired)")
        let text = try TMRepoBinary.run(["status", "--as-of", "2026-01-20"], in: repo.root).stdout
        #expect(text.contains("written 2099-01-01, after the moment judged"), "\(text)")
        // Once the moment judged reaches the commit's date, the 30 days run as usual.
        #expect(threats(try assessment(repo, asOf: "2099-01-20")["expired"]).isEmpty)
        #expect(threats(try assessment(repo, asOf: "2099-02-01")["expired"]) == ["T-0001"])
    }

    /// "Acceptances never reviewed since written" is decided by ancestry, not by the dates typed
    /// into commits: an acceptance backdated before the threat's last review stays unreviewed;
    /// with independent_review, its author reviewing it does not count either.
    @Test func anAcceptanceIsReviewedOnlyAfterItAndByAnotherPerson() throws {
        let repo = try ModelRepo()
        try repo.write("template.yaml", "Transform: AWS::Serverless-2016-10-31\nResources:\n"
            + "  OrderFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.13\n      Handler: app.handler\n"
            + "      CodeUri: src/\n      FunctionUrlConfig:\n        AuthType: NONE\n")
        try repo.write("threats/T-0001-a.md", Self.threat("T-0001", vulnerabilities: "  - {rule: TM-API-004, resource: OrderFunction, status: open}\n"))
        try repo.commit("Model", "2026-01-05T10:00:00Z")
        func review(_ who: String, _ date: String) throws {
            try repo.git.run(["commit", "-q", "--allow-empty", "-m", "Review\n\nReviewed-threat: T-0001"], date: date, author: (who, who + "@example.com"))
        }
        func unreviewed() throws -> [String] { threats(try assessment(repo, asOf: "2026-02-01")["unreviewed_acceptances"]) }
        try review("bob", "2026-01-10T10:00:00Z")
        // Written after bob's review, dated before it.
        try repo.write("threats/T-0001-a.md", try repo.dir.read("threats/T-0001-a.md").replacingOccurrences(
            of: "status: open}", with: "status: accepted, reason: internal only, until: 2026-12-31}"))
        try repo.commit("Accept", "2026-01-01T10:00:00Z")
        #expect(try unreviewed() == ["T-0001"])
        try review("alice", "2026-01-15T10:00:00Z")
        #expect(try unreviewed() == ["T-0001"], "the acceptance's author reviewing it is no independent review")
        try review("bob", "2026-01-16T10:00:00Z")
        #expect(try unreviewed().isEmpty)
    }

    /// `AWSTemplateFormatVersion` is optional: deleting it (and the transform) from a template
    /// with another name than template.yaml made discovery skip the file, so every finding in it
    /// vanished and the gate passed. A template the base reads that head still holds must be read.
    @Test func aTemplateThatStopsDeclaringItselfIsNotDroppedByTheGate() throws {
        let repo = try ModelRepo(config: Self.blockingUnassessedHigh)
        let body = Self.orderStackResources(authType: "AWS_IAM")
        try repo.write("infra/stack.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n" + body)
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", reviewed: ("2026-01-05", "bob@example.com")))
        try repo.commit("Model", "2026-01-05T10:00:00Z", by: "bob@example.com")
        try repo.git.run(["checkout", "-q", "-b", "feature"])
        func check() throws -> ProcessResult { try TMRepoBinary.run(["check", "--base", "main", "--as-of", "2026-01-20", "--format", "json"], in: repo.root) }
        #expect(try check().status == 0)
        try repo.write("infra/stack.yaml", body.replacingOccurrences(of: "AuthType: AWS_IAM", with: "AuthType: NONE"))
        try repo.commit("Open the URL; tidy the header", "2026-01-06T10:00:00Z")
        let result = try check()
        #expect(result.status == 1, "\(result.stdout)")
        let findings = (try json(result.stdout))["findings"] as? [[String: Any]] ?? []
        #expect(findings.map { "\($0["rule"] ?? "") \($0["path"] ?? "")" } == ["template-error infra/stack.yaml"], "\(result.stdout)")
        #expect((findings.first?["message"] as? String ?? "").contains("is a template at the base, and head no longer reads it as one"))

        // Renamed away from template.yaml, with the SAM transform written with a YAML escape: the
        // file is new at head, and parsed because the range added it.
        try repo.git.run(["checkout", "-q", "main"])
        try repo.git.run(["checkout", "-q", "-b", "rename"])
        try repo.write("infra/stack.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n" + body)
        try repo.git.run(["mv", "infra/stack.yaml", "infra/template.yaml"])
        try repo.commit("Back to the default name", "2026-01-07T10:00:00Z")
        try repo.git.run(["checkout", "-q", "main"])
        try repo.git.run(["merge", "-q", "--ff-only", "rename"])
        try repo.git.run(["checkout", "-q", "-b", "hide"])
        try repo.git.run(["mv", "infra/template.yaml", "infra/orders.yaml"])
        try repo.write("infra/orders.yaml", "Transform: \"AWS::Serverless\\x2d2016-10-31\"\n" + body.replacingOccurrences(of: "AuthType: AWS_IAM", with: "AuthType: NONE"))
        try repo.commit("Rename the stack", "2026-01-08T10:00:00Z")
        let hidden = try check()
        #expect(hidden.status == 1, "\(hidden.stdout)")
        let hiddenFindings = (try json(hidden.stdout))["findings"] as? [[String: Any]] ?? []
        #expect(hiddenFindings.map { "\($0["rule"] ?? "") \($0["path"] ?? "")" } == ["template-error infra/orders.yaml"], "\(hidden.stdout)")
        #expect((hiddenFindings.first?["message"] as? String ?? "").contains("that template discovery does not read"))
    }

    /// An entry without `template` named the logical id in every template: an acceptance written
    /// for one stack silently covered the same weakness on a resource of the same name that a new
    /// stack brings (SAM templates share names like HelloWorldFunction). Once the logical id is
    /// reported in several templates, such an entry covers none of them.
    @Test func anEntryWithoutATemplateDoesNotCoverAnotherStacksResource() throws {
        let repo = try ModelRepo(config: Self.blockingUnassessedHigh)
        let stack = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n" + Self.orderStackResources(authType: "NONE")
        try repo.write("orders/template.yaml", stack)
        try repo.write("threats/T-0001-a.md", Self.threat("T-0001", vulnerabilities: "  - rule: TM-API-004\n    resource: OrderFunction\n"
            + "    status: accepted\n    reason: the orders URL checks a signed token\n    until: 2026-12-31\n", reviewed: ("2026-01-05", "bob@example.com")))
        try repo.commit("Model", "2026-01-05T10:00:00Z", by: "bob@example.com")
        try repo.git.run(["checkout", "-q", "-b", "feature"])
        func check() throws -> ProcessResult { try TMRepoBinary.run(["check", "--base", "main", "--as-of", "2026-01-20", "--format", "json"], in: repo.root) }
        #expect(try check().status == 0)
        try repo.write("billing/template.yaml", stack)
        try repo.commit("A billing stack", "2026-01-06T10:00:00Z")
        let result = try check()
        #expect(result.status == 1, "\(result.stdout)")
        let findings = (try json(result.stdout))["findings"] as? [[String: Any]] ?? []
        #expect(findings.map { "\($0["rule"] ?? "") \($0["path"] ?? "")" } == ["unassessed-finding billing/template.yaml", "unassessed-finding orders/template.yaml"],
                "\(result.stdout)")
        #expect((findings.first?["message"] as? String ?? "").contains("T-0001 links TM-API-004:OrderFunction without a template"), "\(result.stdout)")
        let status = try assessment(repo, asOf: "2026-01-20")
        #expect(threats(status["ambiguous"]) == ["T-0001", "T-0001"], "\(status)")
        // Naming the template makes the entry cover the orders stack again, and only it.
        try repo.write("threats/T-0001-a.md", try repo.dir.read("threats/T-0001-a.md").replacingOccurrences(
            of: "resource: OrderFunction\n", with: "resource: orders/template.yaml#OrderFunction\n"))
        try repo.commit("Name the stack", "2026-01-07T10:00:00Z")
        try repo.git.run(["commit", "-q", "--allow-empty", "-m", "Review\n\nReviewed-threat: T-0001"], date: "2026-01-08T10:00:00Z",
                         author: ("bob", "bob@example.com"))
        let named = try check()
        let after = (try json(named.stdout))["findings"] as? [[String: Any]] ?? []
        #expect(after.map { "\($0["rule"] ?? "") \($0["path"] ?? "")" } == ["unassessed-finding billing/template.yaml"], "\(named.stdout)")
    }

    @Test func changelogAndReportFollowFindingsOverHistory() throws {
        let repo = try ModelRepo()
        let open = "Resources:\n  Trail: {Type: AWS::CloudTrail::Trail, Properties: {IsLogging: true, S3BucketName: b}}\n"
            + "  OrderFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.13\n      Handler: app.handler\n"
            + "      CodeUri: src/\n      FunctionUrlConfig:\n        AuthType: NONE\n"
        try repo.write("template.yaml", "Transform: AWS::Serverless-2016-10-31\n" + open)
        try repo.write("threats/T-0001-a.md", Self.threat("T-0001", vulnerabilities: "  - rule: TM-API-004\n    resource: OrderFunction\n    status: open\n"))
        let first = try repo.commit("Template with an open function URL", "2026-01-05T10:00:00Z", by: "alice@example.com")
        try repo.write("README.md", "unrelated\n")
        try repo.commit("Unrelated", "2026-01-20T10:00:00Z")
        try repo.write("template.yaml", "Transform: AWS::Serverless-2016-10-31\n" + open.replacingOccurrences(of: "AuthType: NONE", with: "AuthType: AWS_IAM")
            + "  Queue:\n    Type: AWS::SQS::Queue\n    Properties: {SqsManagedSseEnabled: false}\n")
        let second = try repo.commit("Sign URL calls; add a queue", "2026-02-10T10:00:00Z", by: "bob@example.com")
        let changelog = try TMRepoBinary.run(["changelog", "--format", "json"], in: repo.root)
        #expect(changelog.status == 0, "\(changelog.stderr)")
        let events = (try json(changelog.stdout)["events"] as? [[String: Any]] ?? []).filter { ($0["field"] as? String ?? "").hasPrefix("finding-") }
        let summary = events.map { "\($0["field"]!) \($0["id"]!) \($0["commit"]!) \($0["author"]!) \($0["time"]!)" }
        #expect(summary == [
            "finding-introduced TM-API-004:template.yaml#OrderFunction \(first) alice@example.com 2026-01-05T10:00:00Z",
            "finding-fixed TM-API-004:template.yaml#OrderFunction \(second) bob@example.com 2026-02-10T10:00:00Z",
            "finding-introduced TM-DATA-003:template.yaml#Queue \(second) bob@example.com 2026-02-10T10:00:00Z",
        ], "\(summary)")
        #expect(events.first?["to"] as? String == "high" && events[1]["from"] as? String == "high")
        let md = try TMRepoBinary.run(["changelog"], in: repo.root).stdout
        #expect(md.contains("1 finding introduced, 1 fixed."), "\(md)")
        #expect(md.contains("**TM-API-004:template.yaml\\#OrderFunction**"), "\(md)")
        // --threat: only the findings that threat links.
        let linked = try json(try TMRepoBinary.run(["changelog", "--format", "json", "--threat", "T-0001"], in: repo.root).stdout)
        let linkedIDs = Set((linked["events"] as? [[String: Any]] ?? []).filter { ($0["field"] as? String ?? "").hasPrefix("finding-") }.compactMap { $0["id"] as? String })
        #expect(linkedIDs == ["TM-API-004:template.yaml#OrderFunction"])

        // The report charts open findings and lists the assessment.
        let html = try TMRepoBinary.run(["report", "--as-of", "2026-03-01"], in: repo.root)
        #expect(html.status == 0, "\(html.stderr)")
        #expect(html.stdout.contains("id=\"chart-findings-by-severity\"") && html.stdout.contains("Open findings by severity, end of each month"))
        #expect(html.stdout.contains("<title>2026-01: 1 high</title>") && html.stdout.contains("<title>2026-02: 1 low</title>"), "monthly bars")
        #expect(html.stdout.contains("<section id=\"assessment\">") && html.stdout.contains("TM-DATA-003:template.yaml#Queue"))
        let report = try TMRepoBinary.run(["report", "--format", "md", "--as-of", "2026-03-01"], in: repo.root).stdout
        #expect(report.contains("## Vulnerability assessment") && report.contains("### Unassessed findings (1)"), "\(report)")
        #expect(report.contains("| 2026-02 | 0 | 0 | 0 | 1 | 0 |"), "\(report)")
    }
}
