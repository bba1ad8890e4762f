import Foundation
import Testing
@testable import ThreatModel

struct ResourceDigestTests {
    static func fingerprint(_ file: String, _ id: String, path: String = "svc/template.yaml") throws -> ResourceFingerprint {
        let template = try TemplateFixtures.template(file, path: path)
        return template.fingerprint(try #require(template.resource(id)))
    }

    /// Reordered keys, quoting, flow style, comments and long-form intrinsics: the same definition.
    @Test func digestIgnoresFormattingAndKeyOrder() throws {
        let a = try Self.fingerprint("digest-a.yaml", "Fn"), b = try Self.fingerprint("digest-b.yaml", "Fn")
        #expect(a.definitionDigest == b.definitionDigest)
        #expect(a.definitionDigest.count == 64)
        #expect(try Self.fingerprint("digest-a.yaml", "Table") == Self.fingerprint("digest-b.yaml", "Table"))
    }

    @Test func digestChangesWhenAPropertyChanges() throws {
        let a = try Self.fingerprint("digest-a.yaml", "Fn"), c = try Self.fingerprint("digest-c.yaml", "Fn")
        #expect(a.definitionDigest != c.definitionDigest)
        #expect(try Self.fingerprint("digest-a.yaml", "Table") == Self.fingerprint("digest-c.yaml", "Table"))
    }

    @Test func digestSeparatesTypesConditionsAndStructure() throws {
        func digest(_ text: String) throws -> String {
            let template = try #require(TemplateFixtures.parse(text: "Resources:\n  R:\n" + text).template)
            return template.fingerprint(try #require(template.resource("R"))).definitionDigest
        }
        let base = try digest("    Type: AWS::SQS::Queue\n    Properties: {A: x}\n")
        #expect(try digest("    Type: AWS::SNS::Topic\n    Properties: {A: x}\n") != base)
        #expect(try digest("    Type: AWS::SQS::Queue\n    Condition: C\n    Properties: {A: x}\n") != base)
        #expect(try digest("    Type: AWS::SQS::Queue\n    Properties: {A: [x]}\n") != base)
        #expect(try digest("    Type: AWS::SQS::Queue\n    Properties: {A: !Ref x}\n") != base)
        #expect(try digest("    Type: AWS::SQS::Queue\n    Properties: {Ax: ''}\n") != base)
        #expect(try digest("    Type: AWS::SQS::Queue\n    Metadata: {note: only metadata}\n    Properties: {A: x}\n") == base)
        #expect(try digest("    Type: AWS::SQS::Queue\n    Properties:\n      A: \"x\"  # comment\n") == base)
    }

    /// A function inherits Globals: a change there changes the function's digest; code paths come from CodeUri.
    @Test func globalsAndCodePaths() throws {
        let template = try TemplateFixtures.template("sam-shop.yaml", path: "shop/template.yaml")
        let order = try #require(template.resource("OrderFunction"))
        let fingerprint = template.fingerprint(order)
        #expect(fingerprint.codePaths == ["shop/src"])
        #expect(fingerprint.handler == "orders.handler")
        #expect(fingerprint.inlineCodeDigest == nil)
        #expect(template.effectiveProperties(order)["Runtime"]?.string == "python3.12")
        #expect(template.effectiveProperties(order)["Timeout"]?.string == "10")
        #expect(template.fingerprint(try #require(template.resource("FulfilmentFunction"))).codePaths == ["shop/fulfil"])
        let stream = template.fingerprint(try #require(template.resource("StreamFunction")))
        #expect(stream.inlineCodeDigest?.count == 64)
        // Environment variables merge: the function's own and the inherited one.
        let audit = template.effectiveProperties(try #require(template.resource("AuditFunction")))
        #expect(audit["Environment"]?["Variables"]?.entries?.map(\.key) == ["TABLE", "AUDIT_TABLE", "SECRET"])

        let text = String(decoding: TemplateFixtures.bytes("sam-shop.yaml"), as: UTF8.self)
        let changed = text.replacingOccurrences(of: "    Timeout: 10\n", with: "    Timeout: 20\n")
        #expect(changed != text)
        let other = try #require(CloudFormationTemplate.parse(path: "shop/template.yaml", bytes: Array(changed.utf8)).template)
        #expect(other.fingerprint(try #require(other.resource("OrderFunction"))).definitionDigest != fingerprint.definitionDigest)
        #expect(other.fingerprint(try #require(other.resource("OrdersTable"))) == template.fingerprint(try #require(template.resource("OrdersTable"))))
    }

    @Test func codePathsResolveRelativeToTheTemplate() {
        #expect(CloudFormationTemplate.join("infra/sam", "../src/orders/") == "infra/src/orders")
        #expect(CloudFormationTemplate.join("", "./src") == "src")
        #expect(CloudFormationTemplate.join("a", "../../..") == ".")
        #expect(CloudFormationTemplate.join("a", ".") == "a")
    }
}
