import Foundation
import Testing
import TestSupport

/// `tmrepo scan` run as a program: on the example shop (a model), on templates without a model,
/// SARIF out (valid against the SARIF 2.1.0 schema, fingerprints stable when lines move), SARIF
/// in (real checkov and cfn-lint logs), exit codes.
struct ScanCommandTests {
    static let weak = SourceTree.fixtures + "/templates/weak"
    static let sarif = SourceTree.fixtures + "/sarif"
    static let hasJSONSchema: Bool = (try? runProcess("/usr/bin/env", ["python3", "-c", "import jsonschema"], cwd: "/").status == 0) ?? false

    func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text.prefix(300))")
    }

    func copyExample() throws -> TempDir {
        let dir = try TempDir("scan")
        for name in [".tmrepo.yml", "elements.yml", "assets.yml", "template.yaml"] {
            try dir.write(name, bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: SourceTree.example + "/" + name))))
        }
        try FileManager.default.createDirectory(atPath: dir.url("threats"), withIntermediateDirectories: true)
        return dir
    }

    @Test func scansTheExampleShop() throws {
        let dir = try copyExample()
        let text = try TMRepoBinary.run(["scan", "--as-of", "2026-11-30"], in: dir.path)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.hasPrefix("1 template, 7 findings (7 high)"), "\(text.stdout)")
        #expect(text.stdout.contains("TM-API-004 template.yaml:107 PaymentWebhookFunction → payment-webhook-function-url [SIE]"), "\(text.stdout)")
        let out = try TMRepoBinary.run(["scan", "--as-of", "2026-11-30", "--format", "json"], in: dir.path)
        let document = try json(out.stdout)
        let findings = try #require(document["findings"] as? [[String: Any]])
        #expect(findings.count == 7)
        let url = try #require(findings.first { $0["rule"] as? String == "TM-API-004" })
        #expect(url["key"] as? String == "TM-API-004 template.yaml#PaymentWebhookFunction FunctionUrlConfig.AuthType")
        #expect(url["resource"] as? String == "template.yaml#PaymentWebhookFunction")
        #expect(url["element"] as? String == "payment-webhook-function-url")
        #expect(url["stride"] as? [String] == ["spoofing", "information-disclosure", "elevation-of-privilege"])
        // --fail-on: high fails, critical does not; the default never fails.
        #expect(try TMRepoBinary.run(["scan", "--as-of", "2026-11-30", "--fail-on", "high"], in: dir.path).status == 1)
        #expect(try TMRepoBinary.run(["scan", "--as-of", "2026-11-30", "--fail-on", "critical"], in: dir.path).status == 0)
        // Before nodejs20.x was deprecated, only the function URL and the queue policy open to anyone (T-0009).
        #expect(try TMRepoBinary.run(["scan", "--as-of", "2026-04-01"], in: dir.path).stdout.hasPrefix("1 template, 2 findings (2 high)"))
    }

    @Test func sarifOutIsValidAndItsFingerprintsSurviveMovedLines() throws {
        let dir = try TempDir("scan-sarif")
        let original = try String(contentsOfFile: Self.weak + "/template.yaml", encoding: .utf8)
        try dir.write("template.yaml", original)
        let first = try TMRepoBinary.run(["scan", "--template", "template.yaml", "--format", "sarif", "--as-of", "2026-11-30"], in: dir.path)
        #expect(first.status == 0, "\(first.stderr)")
        try dir.write("out.sarif", first.stdout)
        let log = try json(first.stdout)
        #expect(log["version"] as? String == "2.1.0")
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let rules = try #require(((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]])
        #expect(rules.count >= 17)
        let secret = try #require(rules.first { $0["id"] as? String == "TM-SEC-001" })
        let properties = try #require(secret["properties"] as? [String: Any])
        #expect(properties["stride"] as? [String] == ["information-disclosure", "spoofing"])
        #expect((properties["equivalents"] as? [String: Any])?["checkov"] as? [String] == ["CKV_AWS_45"])
        #expect(secret["help"] != nil && secret["shortDescription"] != nil)
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(!results.isEmpty)
        for result in results {
            let location = try #require(((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any]))
            #expect((location["artifactLocation"] as? [String: Any])?["uri"] as? String == "template.yaml")
            let index = try #require(result["ruleIndex"] as? Int)
            #expect(rules[index]["id"] as? String == result["ruleId"] as? String)
        }
        func fingerprints(_ text: String) throws -> [String: Int] {
            let results = try #require(((try json(text))["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]])
            var out: [String: Int] = [:]
            for result in results {
                let print = try #require((result["partialFingerprints"] as? [String: String])?["tmrepoFinding/v1"])
                let line = (((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["region"] as? [String: Any])?["startLine"] as? Int ?? 0
                out[print] = line
            }
            #expect(out.count == results.count, "fingerprints are unique")
            return out
        }
        let before = try fingerprints(first.stdout)
        // Move every line down: comments at the top, a reformatted description.
        try dir.write("template.yaml", "# moved\n# again\n\n" + original)
        let second = try TMRepoBinary.run(["scan", "--template", "template.yaml", "--format", "sarif", "--as-of", "2026-11-30"], in: dir.path)
        let after = try fingerprints(second.stdout)
        #expect(Set(before.keys) == Set(after.keys))
        for (key, line) in before where line > 0 { #expect(after[key] == line + 3, "\(key)") }
        if Self.hasJSONSchema {
            let script = "import json, jsonschema, sys; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))); print('valid')"
            let valid = try runProcess("/usr/bin/env", ["python3", "-c", script, dir.url("out.sarif"), Self.sarif + "/sarif-schema-2.1.0.json"], cwd: "/")
            #expect(valid.stdout == "valid\n", "\(valid.stderr)")
        }
    }

    @Test func readsCheckovAndCfnLintSARIF() throws {
        let dir = try TempDir("scan-in")
        // The logs name the template as they were run on it (README): keep the same relative path.
        try dir.write("Tests/Fixtures/templates/weak/template.yaml", try String(contentsOfFile: Self.weak + "/template.yaml", encoding: .utf8))
        let result = try TMRepoBinary.run(["scan", "--template", "Tests/Fixtures/templates/weak/template.yaml", "--format", "json", "--as-of", "2026-11-30",
                                           "--sarif", Self.sarif + "/checkov-weak.sarif", "--sarif", Self.sarif + "/cfn-lint-weak.sarif"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let document = try json(result.stdout)
        let findings = try #require(document["findings"] as? [[String: Any]])
        let checkov = findings.filter { $0["tool"] as? String == "checkov" }
        let cfnLint = findings.filter { $0["tool"] as? String == "cfn-lint" }
        #expect(!checkov.isEmpty && !cfnLint.isEmpty)
        #expect(checkov.allSatisfy { $0["logical_id"] is String }, "\(checkov.filter { !($0["logical_id"] is String) })")
        #expect(checkov.contains { $0["logical_id"] as? String == "OrdersFunction" && $0["element"] as? String == "orders-function" })
        let imports = try #require(document["imports"] as? [[String: Any]])
        #expect(imports.map { $0["tools"] as? [String] ?? [] } == [["checkov"], ["cfn-lint"]])
        // The SARIF output carries the imported rules too, and stays valid.
        let sarif = try TMRepoBinary.run(["scan", "--template", "Tests/Fixtures/templates/weak/template.yaml", "--format", "sarif", "--as-of", "2026-11-30",
                                          "--sarif", Self.sarif + "/checkov-weak.sarif"], in: dir.path)
        try dir.write("out.sarif", sarif.stdout)
        if Self.hasJSONSchema {
            let script = "import json, jsonschema, sys; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))); print('valid')"
            let valid = try runProcess("/usr/bin/env", ["python3", "-c", script, dir.url("out.sarif"), Self.sarif + "/sarif-schema-2.1.0.json"], cwd: "/")
            #expect(valid.stdout == "valid\n", "\(valid.stderr)")
        }
    }

    @Test func errorsExitTwoWithAClearMessage() throws {
        let dir = try TempDir("scan-errors")
        try dir.write("broken.yaml", "Resources: [\n")
        let broken = try TMRepoBinary.run(["scan", "--template", "broken.yaml"], in: dir.path)
        #expect(broken.status == 2)
        #expect(broken.stdout.contains("broken.yaml:"), "\(broken.stdout)")
        try dir.write("ok.yaml", "Resources:\n  T: {Type: AWS::CloudTrail::Trail, Properties: {IsLogging: true, S3BucketName: b}}\n")
        try dir.write("bad.sarif", "{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {\"name\": 3}}}]}")
        let badSARIF = try TMRepoBinary.run(["scan", "--template", "ok.yaml", "--sarif", "bad.sarif"], in: dir.path)
        #expect(badSARIF.status == 2)
        #expect(badSARIF.stderr.contains("bad.sarif: $.runs[0].tool.driver.name: missing or not a string"), "\(badSARIF.stderr)")
        let missing = try TMRepoBinary.run(["scan", "--template", "nope.yaml"], in: dir.path)
        #expect(missing.status == 2)
        let clean = try TMRepoBinary.run(["scan", "--template", "ok.yaml", "--fail-on", "info"], in: dir.path)
        #expect(clean.status == 0 && clean.stdout == "1 template, 0 findings\n", "\(clean.stdout)")
    }
}
