import Foundation
import Testing
import TestSupport
@testable import ThreatModel

/// SARIF in: real checkov and cfn-lint logs (Tests/Fixtures/sarif, made by the commands in its
/// README) mapped onto the templates they were run on; hostile logs refused with the JSON path.
struct SARIFReaderTests {
    static let fixtures = SourceTree.fixtures + "/sarif"

    static func bytes(_ path: String) throws -> [UInt8] { try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) }

    static func template(_ path: String, as name: String) throws -> CloudFormationTemplate {
        try #require(CloudFormationTemplate.parse(path: name, bytes: try bytes(path)).template)
    }

    static func imported(_ sarif: String, templates: [CloudFormationTemplate]) throws -> [VulnerabilityFinding] {
        let log = try SARIFReader.parse(path: sarif, bytes: try bytes(fixtures + "/" + sarif))
        return SARIFImport.findings(log, templates: templates, system: SystemDiscovery.discover(templates: templates))
    }

    @Test func checkovOnThePlantedTemplateMapsToResourcesAndElements() throws {
        let weak = try Self.template(SourceTree.fixtures + "/templates/weak/template.yaml", as: "Tests/Fixtures/templates/weak/template.yaml")
        let found = try Self.imported("checkov-weak.sarif", templates: [weak])
        #expect(!found.isEmpty)
        #expect(found.allSatisfy { $0.tool == "checkov" && $0.path == weak.path })
        #expect(found.allSatisfy { $0.logicalId != nil }, "every checkov result lies in a resource: \(found.filter { $0.logicalId == nil }.map(\.message))")
        // A rule a built-in check repeats takes its STRIDE; the role's finding belongs to its function.
        let byRule = Dictionary(grouping: found, by: \.rule)
        for (rule, findings) in byRule {
            if let check = ScannerRules.equivalentCheck(rule) {
                #expect(findings.allSatisfy { $0.stride == check.stride && $0.strideMapped }, "\(rule)")
            }
        }
        #expect(found.contains { $0.logicalId == "WorkerRole" && $0.element == "worker-function" }, "\(found.map { "\($0.rule) \($0.logicalId ?? "-") \($0.element ?? "-")" })")
        #expect(found.contains { !$0.strideMapped } || found.allSatisfy(\.strideMapped))
    }

    @Test func cfnLintOnTheExampleShopNamesTheDeprecatedRuntime() throws {
        let shop = try Self.template(SourceTree.example + "/template.yaml", as: "examples/serverless-shop/template.yaml")
        let found = try Self.imported("cfn-lint-shop.sarif", templates: [shop])
        #expect(!found.isEmpty)
        let runtime = found.filter { $0.rule == "E2533" }
        #expect(runtime.count == 5, "\(found.map(\.rule))")
        // cfn-lint names each function's line (the runtime itself comes from Globals): mapped to the function and its element.
        #expect(runtime.allSatisfy { $0.stride == Check.deprecatedRuntime.stride && $0.tool == "cfn-lint" && $0.severity == .high })
        #expect(runtime.allSatisfy { $0.path == "examples/serverless-shop/template.yaml" && $0.resourceType == "AWS::Serverless::Function" })
        #expect(Set(runtime.compactMap(\.element)) == ["authorizer-function", "order-function", "payment-webhook-function", "fulfilment-function", "refund-function"])
    }

    @Test func checkovOnTheExampleShop() throws {
        let shop = try Self.template(SourceTree.example + "/template.yaml", as: "examples/serverless-shop/template.yaml")
        let found = try Self.imported("checkov-shop.sarif", templates: [shop])
        #expect(found.allSatisfy { $0.path == shop.path && $0.logicalId != nil })
        let functions = Set(found.compactMap(\.logicalId).filter { $0.hasSuffix("Function") })
        #expect(!functions.isEmpty)
        for finding in found where finding.logicalId == "OrderFunction" { #expect(finding.element == "order-function") }
    }

    @Test func unknownRulesAreKeptNotMapped() throws {
        let text = """
        {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Custom", "rules": [{"id": "X1", "properties": {"security-severity": "9.1"}}]}},
          "results": [{"ruleIndex": 0, "message": {"text": "odd"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "file:///ci/work/infra/my%20stack.yaml"}, "region": {"startLine": 4}}}]},
                      {"ruleId": "X2", "level": "note", "message": {"text": "elsewhere"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "other.yaml"}}}]}]}]}
        """
        let template = try #require(CloudFormationTemplate.parse(path: "infra/my stack.yaml", bytes: Array("Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties: {}\n".utf8)).template)
        let log = try SARIFReader.parse(path: "x.sarif", bytes: Array(text.utf8))
        let found = SARIFImport.findings(log, templates: [template], system: nil)
        #expect(found.count == 2)
        let first = try #require(found.first { $0.rule == "X1" })
        #expect(first.logicalId == "A" && first.path == "infra/my stack.yaml" && first.severity == .critical && !first.strideMapped && first.tool == "custom")
        let second = try #require(found.first { $0.rule == "X2" })
        #expect(second.logicalId == nil && second.path == "other.yaml" && second.severity == .low)
    }

    @Test(arguments: [
        ("[1, 2", "not JSON"),
        ("{\"version\": \"2.0.0\", \"runs\": []}", "$.version"),
        ("{\"runs\": []}", "$.version"),
        ("{\"version\": \"2.1.0\", \"runs\": {}}", "$.runs"),
        ("{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {}}}]}", "$.runs[0].tool.driver.name"),
        ("{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {\"name\": \"x\"}}, \"results\": [{\"message\": {\"text\": \"m\"}}]}]}", "$.runs[0].results[0].ruleId"),
        ("{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {\"name\": \"x\"}}, \"results\": [{\"ruleId\": \"r\", \"message\": {}, \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": 5}}}]}]}]}", "$.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri"),
        ("{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {\"name\": \"x\"}}, \"results\": [{\"ruleId\": \"r\", \"message\": {}, \"locations\": [{\"physicalLocation\": {\"region\": {\"startLine\": \"7\"}}}]}]}]}", "startLine"),
        ("{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {\"name\": \"x\"}}, \"results\": [{\"ruleIndex\": 3, \"message\": {}}]}]}", "ruleIndex"),
    ])
    func hostileLogsFailWithTheirJSONPath(text: String, expected: String) {
        do {
            _ = try SARIFReader.parse(path: "bad.sarif", bytes: Array(text.utf8))
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.contains(expected), "\(error)")
            #expect(error.description.hasPrefix("bad.sarif: "))
        }
    }

    @Test func limitsHoldOnHostileSizes() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: SARIFError.self) { try SARIFReader.parse(path: "deep.sarif", bytes: Array(deep.utf8)) }
        let wide = "[" + Array(repeating: "0", count: 2_000).joined(separator: ",") + "]"
        do {
            _ = try SARIFReader.parse(path: "wide.sarif", bytes: Array(wide.utf8), limits: .init(maximumBytes: 1 << 20, maximumDepth: 64, maximumValues: 1_000))
            Issue.record("too many values accepted")
        } catch {
            #expect(error.description.contains("more than 1000 values"))
        }
        #expect(throws: SARIFError.self) { try SARIFReader.parse(path: "big.sarif", bytes: [UInt8](repeating: 0x20, count: 2_000), limits: .init(maximumBytes: 1_000, maximumDepth: 8, maximumValues: 10)) }
        // Strings: escapes, surrogate pairs, bad UTF-8.
        #expect((try? BoundedJSON.parse(Array("\"a\\u00e9\\ud83d\\ude00\\n\"".utf8))) == .string("aé😀\n"))
        #expect(throws: JSONReadError.self) { try BoundedJSON.parse([0x22, 0xFF, 0x22]) }
        #expect(throws: JSONReadError.self) { try BoundedJSON.parse(Array("{\"a\": 1,}".utf8)) }
        #expect(throws: JSONReadError.self) { try BoundedJSON.parse(Array("01x".utf8)) }
    }

    /// Many resources and many results: linear work (a usage-plan lookup per stage and a resource
    /// search per result used to be quadratic).
    @Test func largeTemplatesAndLogsStayFast() throws {
        var text = "Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n"
        for index in 0..<3_000 {
            text += "  Stage\(index):\n    Type: AWS::ApiGateway::Stage\n    Properties: {RestApiId: !Ref Api, StageName: s\(index)}\n"
            text += "  Plan\(index):\n    Type: AWS::ApiGateway::UsagePlan\n    Properties: {ApiStages: [{ApiId: !Ref Api}], Throttle: {RateLimit: 1}}\n"
        }
        let template = try #require(CloudFormationTemplate.parse(path: "big.yaml", bytes: Array(text.utf8)).template)
        let clock = ContinuousClock()
        let scanned = clock.measure {
            let found = TemplateScanner.scan(templates: [template], system: nil, today: ScanCheckTests.today)
            #expect(found.filter { $0.rule == "TM-API-003" }.count == 3_000)
            #expect(!found.contains { $0.rule == "TM-API-002" })
        }
        var results: [String] = []
        for index in 0..<50_000 {
            results.append("{\"ruleId\": \"R\(index % 7)\", \"message\": {\"text\": \"m\"}, \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"big.yaml\"}, \"region\": {\"startLine\": \(2 + (index % 18_000))}}}]}")
        }
        let log = "{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {\"name\": \"x\"}}, \"results\": [" + results.joined(separator: ",") + "]}]}"
        let mapped = try clock.measure {
            let parsed = try SARIFReader.parse(path: "big.sarif", bytes: Array(log.utf8))
            let found = SARIFImport.findings(parsed, templates: [template], system: nil)
            #expect(found.count == 50_000 && found.allSatisfy { $0.logicalId != nil })
        }
        print("largeTemplatesAndLogsStayFast: scan \(scanned), SARIF \(mapped)")
        #expect(scanned < .seconds(20) && mapped < .seconds(20), "scan \(scanned), SARIF \(mapped)")
    }
}
