import Foundation
import Testing
import TestSupport

/// `discover`, and the drift `lint`, `status` and `matrix` report, on real repositories with SAM templates.
struct SystemCommandTests {
    static let template = """
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Resources:
      OrdersApi:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
      OrderFunction:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: services/orders/
          Handler: app.main
          Runtime: python3.12
          Policies:
            - DynamoDBCrudPolicy:
                TableName: !Ref OrdersTable
          Events:
            Place:
              Type: Api
              Properties:
                RestApiId: !Ref OrdersApi
                Path: /orders
                Method: post
      OrdersTable:
        Type: AWS::DynamoDB::Table
        Properties:
          BillingMode: PAY_PER_REQUEST

    """

    static let elements = """
    # Hand-written: keep this comment, and the order.
    elements:
      - id: orders-api
        kind: process
        name: 'Orders API'   # quoted on purpose
        resource: template.yaml#OrdersApi

    """

    func repo() throws -> ModelRepo {
        let repo = try ModelRepo()
        try repo.write("template.yaml", Self.template)
        try repo.write("elements.yml", Self.elements)
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", reviewed: ("2026-01-01", "bob@example.com")))
        try repo.commit("Model and template", "2026-01-01T10:00:00Z")
        return repo
    }

    @Test func discoverAppendsWhatIsMissingOnceAndKeepsEveryByte() throws {
        let repo = try repo()
        let dry = try TMRepoBinary.run(["discover", "--dry-run"], in: repo.root)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("Would add to elements.yml"))
        #expect(dry.stdout.contains("order-function") && dry.stdout.contains("orders-table"))
        #expect(try repo.dir.read("elements.yml") == Self.elements, "a dry run writes nothing")
        #expect(try TMRepoBinary.run(["discover", "--check"], in: repo.root).status == 1)

        let written = try TMRepoBinary.run(["discover", "--format", "json"], in: repo.root)
        #expect(written.status == 0, "\(written.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(written.stdout.utf8)) as! [String: Any]
        let added = (json["added"] as! [[String: Any]]).map { $0["id"] as! String }
        #expect(json["written"] as? Bool == true)
        #expect(added.contains("order-function") && added.contains("orders-table"))
        #expect(added.contains("orders-api-to-order-function"), "the Api event is a flow from the API to the function: \(added)")
        #expect(added.contains("order-function-to-orders-table"), "CRUD on the table is one flow, both ways: \(added)")
        #expect(!added.contains("orders-api"), "already modeled: \(added)")
        let text = try repo.dir.read("elements.yml")
        #expect(text.hasPrefix(Self.elements), "what a person wrote is kept byte for byte")
        #expect(text.contains("    resource: template.yaml#OrderFunction\n"))

        // Again: nothing to add, nothing changes; and lint is clean of drift.
        let again = try TMRepoBinary.run(["discover"], in: repo.root)
        #expect(again.stdout.contains("already has every element"))
        #expect(try repo.dir.read("elements.yml") == text)
        #expect(try TMRepoBinary.run(["discover", "--check"], in: repo.root).status == 0)
        let lint = try TMRepoBinary.run(["lint"], in: repo.root)
        #expect(lint.status == 0 && !lint.stdout.contains("unmodeled-resource"), "\(lint.stdout)")
    }

    @Test func lintStatusAndMatrixShowTheDrift() throws {
        let repo = try repo()
        // A resource is gone from the template while an element still links to it.
        try repo.write("elements.yml", Self.elements + "  - id: old-queue\n    kind: data-flow\n    name: Old queue\n    resource: template.yaml#OldQueue\n")
        try repo.commit("Link a queue that no longer exists", "2026-01-02T10:00:00Z")
        let lint = try TMRepoBinary.run(["lint"], in: repo.root)
        #expect(lint.status == 0, "drift is a warning: \(lint.stdout)")
        #expect(lint.stdout.contains("template.yaml:8:1: warning: process OrderFunction (AWS::Serverless::Function) is not in elements.yml"))
        #expect(lint.stdout.contains("elements.yml:7:1: warning: element old-queue: resource template.yaml#OldQueue: template.yaml declares no resource OldQueue [missing-resource]"))

        let status = try TMRepoBinary.run(["status", "--as-of", "2026-01-10", "--format", "json"], in: repo.root)
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [String: Any]
        let system = json["system"] as! [String: Any]
        let unmodeled = (system["unmodeled"] as! [[String: Any]]).map { $0["resource"] as! String }
        #expect(Set(unmodeled) == ["template.yaml#OrderFunction", "template.yaml#OrdersTable"])
        #expect((system["missing_resources"] as! [[String: Any]]).first?["element"] as? String == "old-queue")
        #expect((json["summary"] as! [String: Any])["unmodeled_resources"] as? Int == 2)
        let text = try TMRepoBinary.run(["status", "--as-of", "2026-01-10"], in: repo.root)
        #expect(text.stdout.contains("Unmodeled attack surface (2)"))

        let matrix = try TMRepoBinary.run(["matrix"], in: repo.root)
        #expect(matrix.stdout.contains("order-function (new)"))
    }

    @Test func aBrokenTemplateIsAnErrorAtItsLineAndNothingIsWritten() throws {
        let repo = try repo()
        try repo.write("template.yaml", Self.template + "  Broken:\n    Properties: {}\n")
        let result = try TMRepoBinary.run(["discover"], in: repo.root)
        #expect(result.status == 2)
        #expect(result.stdout.contains("template.yaml:28:3: error: Resources.Broken.Type: required field is missing"), "\(result.stdout)")
        #expect(try repo.dir.read("elements.yml") == Self.elements)
        #expect(try TMRepoBinary.run(["lint"], in: repo.root).status == 1)
        try repo.write("template.yaml", "Resources:\n  Fn:\n    Type: !Unknown x\n")
        let tag = try TMRepoBinary.run(["lint"], in: repo.root)
        #expect(tag.stdout.contains("template.yaml:3:") && tag.stdout.contains("template-unknown-tag"), "\(tag.stdout)")
    }

    @Test func aTemplateCanBeReadWithoutAModel() throws {
        let dir = try TempDir("no-model")
        try dir.write("stack/template.yaml", Self.template)
        let result = try TMRepoBinary.run(["discover", "--template", "stack/template.yaml", "--format", "json"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        #expect(json["written"] as? Bool == false)
        #expect((json["added"] as! [[String: Any]]).count >= 3)
        #expect(!dir.exists("stack/elements.yml") && !dir.exists("elements.yml"))
    }

    func identity(_ email: String, _ date: String) -> [String: String] {
        ["GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_EMAIL": email, "GIT_AUTHOR_NAME": email, "GIT_COMMITTER_NAME": email,
         "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date]
    }

    @Test func theGateBlocksUnmodeledAttackSurfaceWhenThePolicySays() throws {
        let repo = try ModelRepo(config: ModelRepo.config + "  block_unmodeled: [process]\n  block_overdue: []\n")
        try repo.write("template.yaml", Self.template)
        try repo.write("elements.yml", Self.elements)
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", reviewed: ("2026-01-01", "bob@example.com")))
        try repo.commit("Model and template", "2026-01-01T10:00:00Z")
        #expect(try TMRepoBinary.run(["discover"], in: repo.root).status == 0)
        try repo.commit("Discover", "2026-01-01T11:00:00Z")
        _ = try TMRepoBinary.run(["review", "--config", "--commit"], in: repo.root, environment: identity("bob@example.com", "2026-01-01T12:00:00Z"))
        try repo.git.run(["checkout", "-q", "-b", "feature"])

        // A new function, and nobody modeled it.
        let refund = "  RefundFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: services/refunds/\n      Handler: app.main\n      Runtime: python3.12\n"
        try repo.write("template.yaml", Self.template + refund)
        try repo.commit("Refunds", "2026-01-05T10:00:00Z")
        let blocked = try TMRepoBinary.run(["check", "--base", "main", "--as-of", "2026-01-06"], in: repo.root)
        #expect(blocked.status == 1, "\(blocked.stdout)")
        #expect(blocked.stdout.contains("unmodeled-resource") && blocked.stdout.contains("RefundFunction"), "\(blocked.stdout)")

        // Modeled and reviewed: the gate opens.
        #expect(try TMRepoBinary.run(["discover"], in: repo.root).status == 0)
        try repo.commit("Model refunds", "2026-01-05T11:00:00Z")
        _ = try TMRepoBinary.run(["review", "--config", "--commit"], in: repo.root, environment: identity("bob@example.com", "2026-01-05T12:00:00Z"))
        let passed = try TMRepoBinary.run(["check", "--base", "main", "--as-of", "2026-01-06"], in: repo.root)
        #expect(passed.status == 0, "\(passed.stdout)")

        // A template the gate cannot read blocks while the policy relies on it.
        try repo.write("template.yaml", Self.template + "  Broken:\n    Properties: {}\n")
        try repo.commit("Break the template", "2026-01-05T13:00:00Z")
        let broken = try TMRepoBinary.run(["check", "--base", "main", "--as-of", "2026-01-06"], in: repo.root)
        #expect(broken.status == 1 && broken.stdout.contains("template-error"), "\(broken.stdout)")
    }

    /// A threat on order-function, reviewed on Jan 2; then the template is reformatted (no change),
    /// the function's code changes, and its resource definition changes.
    @Test func aChangedElementMakesItsThreatsDueAndTheGateBlocksThemWhenThePolicySays() throws {
        let repo = try ModelRepo(config: ModelRepo.config + "  block_changed_elements: [high]\n  block_overdue: []\n")
        try repo.write("template.yaml", Self.template)
        try repo.write("elements.yml", Self.elements + "  - id: order-function\n    kind: process\n    name: Orders\n    resource: template.yaml#OrderFunction\n")
        try repo.write("services/orders/app.py", "def main(): pass\n")
        try repo.write("threats/T-0001-a.md", ModelRepo.threat("T-0001", reviewed: ("2026-01-02", "bob@example.com"))
            .replacingOccurrences(of: "stride: [spoofing]", with: "stride: [spoofing]\nelement: order-function"))
        try repo.commit("Model", "2026-01-02T10:00:00Z", by: "bob@example.com")
        try repo.git.run(["checkout", "-q", "-b", "feature"])
        func status() throws -> [String: Any]? {
            let result = try TMRepoBinary.run(["status", "--as-of", "2026-01-20", "--format", "json"], in: repo.root)
            let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
            return (json["threats"] as! [[String: Any]]).first?["element_changed"] as? [String: Any]
        }
        #expect(try status() == nil)

        // Comments, quoting and key order are not a change.
        try repo.write("template.yaml", "# the orders stack\n" + Self.template.replacingOccurrences(of: "Handler: app.main", with: "Handler: 'app.main'"))
        try repo.commit("Reformat", "2026-01-05T10:00:00Z")
        #expect(try status() == nil, "formatting is not a change")

        // The code it deploys changes: due, and the gate blocks a high threat.
        try repo.write("services/orders/app.py", "def main(): return 1\n")
        let codeChange = try repo.commit("Orders: new code", "2026-01-06T10:00:00Z")
        let change = try #require(try status())
        #expect(change["element"] as? String == "order-function" && change["part"] as? String == "code")
        #expect(change["commit"] as? String == codeChange && change["path"] as? String == "services/orders")
        let blocked = try TMRepoBinary.run(["check", "--base", "main", "--as-of", "2026-01-20"], in: repo.root)
        #expect(blocked.status == 1 && blocked.stdout.contains("element-changed"), "\(blocked.stdout)")
        #expect(blocked.stdout.contains("element order-function changed in \(codeChange.prefix(12))"))

        // Reviewed after the change: no longer due. Then the definition changes.
        try repo.git.run(["commit", "-q", "--allow-empty", "-m", "Review\n\nReviewed-threat: T-0001"], date: "2026-01-07T10:00:00Z",
                         author: ("bob", "bob@example.com"))
        #expect(try status() == nil)
        try repo.write("template.yaml", Self.template.replacingOccurrences(of: "Runtime: python3.12", with: "Runtime: python3.13"))
        let definitionChange = try repo.commit("Runtime bump", "2026-01-08T10:00:00Z")
        let second = try #require(try status())
        #expect(second["part"] as? String == "definition" && second["commit"] as? String == definitionChange)

        // The changelog tells both.
        let changelog = try TMRepoBinary.run(["changelog", "--format", "json"], in: repo.root)
        let events = (try JSONSerialization.jsonObject(with: Data(changelog.stdout.utf8)) as! [String: Any])["events"] as! [[String: Any]]
        let elementEvents = events.filter { $0["field"] as? String == "element-changed" }.map { "\($0["id"]!) \($0["to"]!) \($0["commit"]!)" }
        #expect(elementEvents == ["order-function code \(codeChange)", "order-function definition \(definitionChange)"])
    }
}
