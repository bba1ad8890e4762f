import Foundation
import Testing
import TestSupport
@testable import ThreatModel

/// Fixture templates under Tests/Fixtures/templates, read as (path, bytes) like the CLI will.
enum TemplateFixtures {
    static let root = SourceTree.fixtures + "/templates/"

    static func bytes(_ name: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: root + name) ?? Data())
    }

    static func parse(_ name: String, path: String? = nil) -> (template: CloudFormationTemplate?, diagnostics: [Diagnostic]) {
        CloudFormationTemplate.parse(path: path ?? name, bytes: bytes(name))
    }

    static func template(_ name: String, path: String? = nil) throws -> CloudFormationTemplate {
        let parsed = parse(name, path: path)
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics.map(\.formatted))")
        return try #require(parsed.template)
    }

    static func parse(text: String, path: String = "template.yaml") -> (template: CloudFormationTemplate?, diagnostics: [Diagnostic]) {
        CloudFormationTemplate.parse(path: path, bytes: Array(text.utf8))
    }
}

struct TemplateParsingTests {
    @Test func readsASAMTemplate() throws {
        let template = try TemplateFixtures.template("sam-shop.yaml")
        #expect(template.isSAM)
        #expect(template.resources.count == 23)
        #expect(template.resources.first?.logicalId == "ShopApi")
        #expect(template.resource("OrderFunction")?.type == "AWS::Serverless::Function")
        #expect(template.parameters.map(\.name) == ["Stage", "PaymentApiKey"])
        #expect(template.parameters.map(\.noEcho) == [false, true])
        #expect(template.globals["Function"]?["Runtime"]?.string == "python3.12")
        #expect(template.outputs?["ApiUrl"] != nil)
        let authorizer = try #require(template.resource("ShopApi")?.properties["Auth"]?["Authorizers"]?["TokenAuth"]?["FunctionArn"])
        #expect(authorizer.intrinsic?.name == "Fn::GetAtt")
        #expect(authorizer.intrinsic?.argument == TemplateValue(.list([TemplateValue(.string("AuthorizerFunction")), TemplateValue(.string("Arn"))])))
        #expect(authorizer.line == 32)
        #expect(template.resource("FulfilmentFunction")?.properties["Handler"]?.line == 61)
    }

    @Test func readsAPlainJSONTemplate() throws {
        let template = try TemplateFixtures.template("cfn-plain.json")
        #expect(!template.isSAM)
        #expect(template.resources.count == 17)
        let uri = try #require(template.resource("ApiMethod")?.properties["Integration"]?["Uri"])
        #expect(uri.intrinsic?.name == "Fn::Sub")
        #expect(uri.line == 19)
        #expect(template.resource("Handler")?.properties["Code"]?["ZipFile"]?.string?.hasPrefix("exports.handler") == true)
    }

    /// A resource spans its logical id's line to the last line of its value, comments and blank lines after it excluded.
    @Test func resourceSpans() throws {
        let yaml = try TemplateFixtures.template("sam-shop.yaml")
        #expect(yaml.resource("ShopApi")?.lines == 24...32)
        #expect(yaml.resource("AuthorizerFunction")?.lines == 34...37)
        #expect(yaml.resource("StreamFunction")?.lines == 98...115)
        #expect(yaml.resource("OrderQueue")?.lines == 197...198)
        #expect(yaml.resource("GadgetThing")?.lines == 236...239)
        let json = try TemplateFixtures.template("cfn-plain.json")
        #expect(json.resource("Api")?.lines == 5...8)
        #expect(json.resource("HandlerLogs")?.lines == 94...94)
        #expect(json.resource("Handler")?.lines.lowerBound == 37)
    }

    @Test func blockScalarAtTheEndOfAResourceEndsItsSpan() throws {
        let text = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code:\n        ZipFile: |\n          line one\n          line two\n\n# trailing comment\n  Next:\n    Type: AWS::SQS::Queue\n"
        let template = try #require(TemplateFixtures.parse(text: text).template)
        #expect(template.resource("Fn")?.lines == 2...8)
        #expect(template.resource("Next")?.lines == 11...12)
    }

    /// Every short-form tag reads as the same value as its long form.
    @Test func shortAndLongFormsAreTheSameValue() throws {
        let short = try TemplateFixtures.template("intrinsics-short.yaml")
        let long = try TemplateFixtures.template("intrinsics-long.json")
        let a = try #require(short.resource("Thing")), b = try #require(long.resource("Thing"))
        #expect(a.condition == "IsProd" && b.condition == "IsProd")
        let left = try #require(a.properties.entries), right = try #require(b.properties.entries)
        #expect(left.map(\.key) == right.map(\.key))
        for (x, y) in zip(left, right) {
            #expect(x.value == y.value, "\(x.key): \(x.value) ≠ \(y.value)")
        }
        #expect(short.conditions == long.conditions)
        #expect(short.fingerprint(a).definitionDigest == long.fingerprint(b).definitionDigest)
        #expect(a.properties["Att3"] == a.properties["Att2"])
        #expect(a.properties["Att1"]?.description == "{\"Fn::GetAtt\": [\"Other\", \"Arn\"]}")
        #expect(a.properties["Cond1"]?.intrinsic?.name == "Condition")
        #expect(a.properties["Num"]?.kind == .number("30"))
        #expect(a.properties["Flag"]?.kind == .bool(true))
        #expect(a.properties["Nothing"]?.kind == .null)
    }

    /// The fixture really uses every short form the brief lists (so the test above covers them).
    @Test func theShortFormFixtureUsesEveryTag() throws {
        let text = String(decoding: TemplateFixtures.bytes("intrinsics-short.yaml"), as: UTF8.self)
        for tag in ["!Ref", "!GetAtt", "!Sub", "!If", "!Join", "!Select", "!FindInMap", "!ImportValue", "!Split", "!Base64",
                    "!GetAZs", "!Cidr", "!Condition", "!Equals", "!Not", "!And", "!Or"] {
            #expect(text.contains(tag + " "), "\(tag)")
            #expect(Intrinsic.shortForms[tag] != nil, "\(tag)")
        }
    }

    @Test func longFormGetAttStringAndDottedAttributes() throws {
        let text = "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      X: {\"Fn::GetAtt\": \"Db.Endpoint.Port\"}\n      Y: !GetAtt Db.Endpoint.Port\n      Z: !Ref \"AWS::Region\"\n"
        let template = try #require(TemplateFixtures.parse(text: text).template)
        let properties = try #require(template.resource("A")?.properties)
        #expect(properties["X"] == properties["Y"])
        #expect(properties["Y"]?.intrinsic?.argument.list?.map(\.string) == ["Db", "Endpoint.Port"])
    }

    /// Broken templates end in one diagnostic at the right path:line, under the right rule.
    @Test(arguments: [
        ("bad-yaml.yaml", "yaml-syntax", 5),
        ("bad-json.json", "yaml-syntax", 3),
        ("unknown-tag.yaml", "template-unknown-tag", 5),
        ("resources-list.yaml", "invalid-type", 3),
        ("not-mapping.yaml", "invalid-type", 1),
        ("no-resources.yaml", "missing-field", 1),
        ("alias-bomb.yaml", "yaml-alias", 5),
        ("deep.yaml", "yaml-too-deep", 5),
    ])
    func brokenTemplates(file: String, rule: String, line: Int) {
        let parsed = TemplateFixtures.parse("broken/" + file, path: "infra/" + file)
        #expect(parsed.template == nil)
        #expect(parsed.diagnostics.count == 1)
        let problem = parsed.diagnostics.first
        #expect(problem?.rule == rule, "\(parsed.diagnostics.map(\.formatted))")
        #expect(problem?.line == line, "\(parsed.diagnostics.map(\.formatted))")
        #expect(problem?.path == "infra/" + file)
        #expect(problem?.severity == .error)
    }

    @Test func unknownTagIsNamed() {
        let problem = TemplateFixtures.parse("broken/unknown-tag.yaml").diagnostics.first
        #expect(problem?.message.contains("'!Reff'") == true, "\(problem?.message ?? "")")
        #expect(problem?.formatted.hasPrefix("broken/unknown-tag.yaml:5:") == true)
    }

    /// A resource without Type is reported; the other resources are still read.
    @Test func resourceWithoutTypeIsReportedAndTheRestKept() throws {
        let parsed = TemplateFixtures.parse("broken/missing-type.yaml")
        let template = try #require(parsed.template)
        #expect(template.resources.map(\.logicalId) == ["Good"])
        #expect(parsed.diagnostics.map(\.rule) == ["missing-field"])
        #expect(parsed.diagnostics.first?.line == 4)
        #expect(parsed.diagnostics.first?.message.contains("Resources.NoType.Type") == true)
    }

    @Test func otherProblems() {
        let duplicate = TemplateFixtures.parse(text: "Resources:\n  A:\n    Type: AWS::SQS::Queue\n  A:\n    Type: AWS::SNS::Topic\n")
        #expect(duplicate.diagnostics.map(\.rule) == ["duplicate-key"])
        #expect(duplicate.diagnostics.first?.line == 4)
        let notUTF8 = CloudFormationTemplate.parse(path: "t.yaml", bytes: Array("Resources:\n  A: x\n".utf8) + [0xFF])
        #expect(notUTF8.diagnostics.map(\.rule) == ["not-utf8"])
        let empty = TemplateFixtures.parse(text: "")
        #expect(empty.diagnostics.map(\.rule) == ["invalid-type"])
        let typeIsList = TemplateFixtures.parse(text: "Resources:\n  A:\n    Type: [x]\n")
        #expect(typeIsList.diagnostics.map(\.rule) == ["invalid-type"])
        #expect(typeIsList.diagnostics.first?.line == 3)
        let tooLarge = CloudFormationTemplate.parse(path: "t.yaml", bytes: Array(repeating: 0x20, count: Limits.maximumFileBytes + 1))
        #expect(tooLarge.diagnostics.map(\.rule) == ["file-too-large"])
    }

    /// Hostile input costs bounded time: deep nesting (also in JSON), huge lists and maps, alias bombs.
    @Test func deepNestingIsRefusedFast() {
        let start = Date()
        let deepJSON = "{\"Resources\": " + String(repeating: "{\"a\": ", count: 5000) + "1" + String(repeating: "}", count: 5001)
        #expect(TemplateFixtures.parse(text: deepJSON, path: "t.json").diagnostics.map(\.rule) == ["yaml-too-deep"])
        let deepBlock = "Resources:\n" + (1...200).map { String(repeating: " ", count: $0 * 2) + "k\($0):\n" }.joined()
        #expect(TemplateFixtures.parse(text: deepBlock).diagnostics.map(\.rule) == ["yaml-too-deep"])
        #expect(Date().timeIntervalSince(start) < 5)
    }

    /// Each case within the 5 s HostileInputTests allows a debug build under parallel load.
    @Test func hugeCollectionsAreRefusedFast() {
        let wide = "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      X: [" + Array(repeating: "1", count: 150_000).joined(separator: ",") + "]\n"
        let keys = "Resources:\n" + (0..<60_000).map { "  R\($0): x\n" }.joined()
        for text in [wide, keys] {
            let start = Date()
            #expect(TemplateFixtures.parse(text: text).diagnostics.map(\.rule) == ["yaml-too-large"])
            #expect(Date().timeIntervalSince(start) < 5)
        }
    }

    @Test func aliasBombIsRefusedFast() {
        let start = Date()
        #expect(TemplateFixtures.parse("broken/alias-bomb.yaml").diagnostics.map(\.rule) == ["yaml-alias"])
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func looksLikeTemplate() {
        #expect(CloudFormationTemplate.looksLikeTemplate(path: "svc/template.yaml", bytes: []))
        #expect(CloudFormationTemplate.looksLikeTemplate(path: "template.yml", bytes: []))
        #expect(CloudFormationTemplate.looksLikeTemplate(path: "a/b/Template.JSON", bytes: []))
        #expect(CloudFormationTemplate.looksLikeTemplate(path: "stack.yaml", bytes: Array("AWSTemplateFormatVersion: '2010-09-09'\n".utf8)))
        #expect(CloudFormationTemplate.looksLikeTemplate(path: "sam.yml", bytes: Array("Transform: AWS::Serverless-2016-10-31\n".utf8)))
        #expect(!CloudFormationTemplate.looksLikeTemplate(path: "docker-compose.yml", bytes: Array("services: {}\n".utf8)))
        #expect(!CloudFormationTemplate.looksLikeTemplate(path: "template.yaml.bak", bytes: []))
    }

    @Test func transformsInListForm() throws {
        let text = "Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\nResources: {}\n"
        let template = try #require(TemplateFixtures.parse(text: text).template)
        #expect(template.transforms == ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"])
        #expect(template.isSAM)
        #expect(template.resources.isEmpty)
    }
}
