import Foundation
import Testing
import TestSupport

/// `tmrepo export otm` and `tmrepo import otm`: the export validates against the OTM 0.2.0 JSON
/// schema (Tests/Fixtures/otm), files from other tools import into a lint-clean model, and
/// OTM → tmrepo → OTM keeps components, flows, trust zones, threats and mitigations.
struct OpenThreatModelTests {
    static let fixtures = SourceTree.fixtures + "/otm"
    static let schema = fixtures + "/otm-0.2.0.schema.json"
    static let examples = ["minimal.otm.json", "startleft-cloudformation.otm.json", "threat-dragon-style.otm.json"]

    static func validate(_ path: String) throws -> ProcessResult {
        let script = "import json, jsonschema, sys; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))); print('valid')"
        return try runProcess("/usr/bin/env", ["python3", "-c", script, path, schema], cwd: "/")
    }

    func freshModel(_ config: String? = nil) throws -> TempDir {
        let dir = try TempDir("otm")
        #expect(try TMRepoBinary.run(["init"], in: dir.path).status == 0)
        if let config { try dir.write(".tmrepo.yml", config) }
        return dir
    }

    func json(_ path: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    /// The ids of each top-level list, and the (component or flow, threat) references.
    func shape(_ document: [String: Any]) -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for key in ["trustZones", "components", "dataflows", "threats", "mitigations"] {
            out[key] = Set(((document[key] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
        }
        var references: Set<String> = []
        for key in ["components", "dataflows"] {
            for item in (document[key] as? [[String: Any]]) ?? [] {
                for ref in (item["threats"] as? [[String: Any]]) ?? [] {
                    let mitigations = ((ref["mitigations"] as? [[String: Any]]) ?? []).compactMap { $0["mitigation"] as? String }.sorted()
                    references.insert("\(item["id"] ?? "")→\(ref["threat"] ?? "") [\(mitigations.joined(separator: ","))]")
                }
            }
        }
        out["references"] = references
        return out
    }

    @Test(.enabled(if: ThreatComposerTests.hasJSONSchema, "needs python3's jsonschema"), arguments: OpenThreatModelTests.examples)
    func theFixturesAreValidOTM(name: String) throws {
        let valid = try Self.validate(Self.fixtures + "/" + name)
        #expect(valid.status == 0 && valid.stdout == "valid\n", "\(valid.stderr)")
    }

    @Test(arguments: OpenThreatModelTests.examples)
    func filesFromOtherToolsImportIntoALintCleanModelAndRoundTrip(name: String) throws {
        let dir = try freshModel()
        let file = Self.fixtures + "/" + name
        let result = try TMRepoBinary.run(["import", "otm", file, "--owner", "team@example.com"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let lint = try TMRepoBinary.run(["lint"], in: dir.path)
        #expect(lint.status == 0, "\(name): \(lint.stdout)")
        #expect(lint.stdout.contains(" 0 errors"), "\(lint.stdout)")

        let exported = dir.url("out.otm.json")
        let export = try TMRepoBinary.run(["export", "otm", "--out", exported], in: dir.path)
        #expect(export.status == 0, "\(export.stderr)")
        let before = shape(try json(file)), after = shape(try json(exported))
        for key in ["trustZones", "components", "dataflows", "threats", "mitigations", "references"] {
            #expect(before[key] == after[key], "\(name): \(key) changed in the round trip: \(before[key] ?? []) → \(after[key] ?? [])")
        }
        if ThreatComposerTests.hasJSONSchema {
            let valid = try Self.validate(exported)
            #expect(valid.status == 0 && valid.stdout == "valid\n", "\(valid.stderr)")
        }
        // A second import of the same file adds nothing.
        let again = try TMRepoBinary.run(["import", "otm", file, "--owner", "team@example.com"], in: dir.path)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.hasPrefix("imported 0 elements and 0 threats"), "\(again.stdout)")
    }

    @Test func theStartLeftFileMapsKindsZonesStatesAndRisk() throws {
        let dir = try freshModel()
        let result = try TMRepoBinary.run(["import", "otm", Self.fixtures + "/startleft-cloudformation.otm.json", "--owner", "team@example.com"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let elements = try dir.read("elements.yml")
        #expect(elements.contains("  - id: 53245f54-0656-4ede-a393-357aeaa2e20f\n    kind: data-store\n    name: Accounting PostgreSQL\n    trust_boundary: Private Secured\n"))
        #expect(elements.contains("  - id: 91882aca-8249-49a7-96f0-164b68411b48\n    kind: external-entity\n"))
        #expect(elements.contains("name: BookingService\n    trust_boundary: Public Cloud\n"), "nested components take their ancestor's zone")
        #expect(elements.contains("kind: data-flow\n    name: PSQL Request\n    from: b61d6911"))
        let list = try #require(JSONSerialization.jsonObject(with: Data(try TMRepoBinary.run(["list", "--format", "json"], in: dir.path).stdout.utf8)) as? [String: Any])
        let threats = try #require(list["threats"] as? [[String: Any]])
        #expect(threats.count == 3)
        let byTitle = Dictionary(threats.map { (($0["title"] as? String) ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        let access = try #require(byTitle.first { $0.key.hasPrefix("An adversary can gain unauthorized access") }?.value)
        #expect(access["stride"] as? [String] == ["elevation-of-privilege"], "MTMT's 'Elevation of Privileges'")
        #expect(access["severity"] as? String == "critical", "likelihood 100 × impact 100")
        #expect(access["status"] as? String == "open", "AutoGenerated")
        let tamper = try #require(byTitle.first { $0.key.hasPrefix("An adversary may read") }?.value)
        #expect(tamper["severity"] as? String == "medium", "50 × 100")
        #expect(tamper["status"] as? String == "mitigated")
        #expect(tamper["stride"] as? [String] == ["tampering", "information-disclosure"])
        let sidecar = try dir.read(".tmrepo/otm.json")
        #expect(sidecar.contains("\"CD-MICROSOFT-AZURE-DB-POSTGRESQL\"") && sidecar.contains("\"CWE-319\""))
        #expect(result.stdout.contains("referenced by 2 components or flows"))
    }

    @Test func threatDragonStyleStatesCategoriesAndDanglingFlows() throws {
        let dir = try freshModel()
        let result = try TMRepoBinary.run(["import", "otm", Self.fixtures + "/threat-dragon-style.otm.json", "--owner", "team@example.com"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("$.dataflows[2].destination: 'external-mail-relay' is not a component"))
        #expect(result.stdout.contains("no STRIDE category; inferred D from its words and tagged stride-inferred"))
        let elements = try dir.read("elements.yml")
        #expect(elements.contains("id: actor-browser\n    kind: external-entity"))
        #expect(elements.contains("id: store-db\n    kind: data-store"))
        #expect(elements.contains("id: process-web\n    kind: process"))
        let lint = try TMRepoBinary.run(["lint"], in: dir.path)
        #expect(lint.stdout.contains("0 errors, 2 warnings"), "the inferred STRIDE and the flow to a component the file lacks: \(lint.stdout)")
        #expect(lint.stdout.contains("to: 'external-mail-relay' is not an element in elements.yml [unknown-flow-end]"))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.url("threats")).sorted()
        let admin = try dir.read("threats/" + #require(files.first { $0.contains("admin-page") }))
        #expect(admin.contains("status: closed"), "NA")
        let sql = try dir.read("threats/" + #require(files.first { $0.contains("sql-injection") }))
        #expect(sql.contains("tags: [\"category:OWASP A03\"]"), "a category outside STRIDE is kept as a tag")
        #expect(sql.contains("element: flow-web-db"))
    }

    @Test func importAppendsToElementsYmlByteForByte() throws {
        let dir = try freshModel()
        let original = "# Our elements, by hand.\nelements:\n  - id: legacy   # keep this comment\n    kind: process\n    name: Legacy\n"
        try dir.write("elements.yml", original)
        #expect(try TMRepoBinary.run(["import", "otm", Self.fixtures + "/minimal.otm.json", "--owner", "a@example.com"], in: dir.path).status == 0)
        let updated = try dir.read("elements.yml")
        #expect(updated.hasPrefix(original))
        #expect(updated.contains("  - id: user-to-web\n    kind: data-flow\n"))
        #expect(try TMRepoBinary.run(["lint"], in: dir.path).status == 0)
    }

    @Test(.enabled(if: ThreatComposerTests.hasJSONSchema, "needs python3's jsonschema"))
    func theExampleExportsValidOTMWithKindsAndResources() throws {
        let work = try TempDir("otm-example")
        let exported = work.url("shop.otm.json")
        let result = try TMRepoBinary.run(["export", "otm", "--out", exported, "--root", SourceTree.example], in: work.path)
        #expect(result.status == 0, "\(result.stderr)")
        let valid = try Self.validate(exported)
        #expect(valid.status == 0 && valid.stdout == "valid\n", "\(valid.stderr)")
        let document = try json(exported)
        let components = (document["components"] as? [[String: Any]]) ?? []
        #expect(!components.isEmpty)
        #expect(components.allSatisfy { (($0["tags"] as? [String]) ?? []).contains { $0.hasPrefix("kind:") } })
        #expect(components.contains { (($0["tags"] as? [String]) ?? []).contains { $0.hasPrefix("resource:") } }, "template resources travel as tags")
        let threats = (document["threats"] as? [[String: Any]]) ?? []
        #expect(!threats.isEmpty && threats.allSatisfy { !(($0["categories"] as? [String]) ?? []).isEmpty })
        // The example's model comes back: same elements, threats and mitigations.
        let back = try freshModel()
        #expect(try TMRepoBinary.run(["import", "otm", exported], in: back.path).status == 0)
        let again = back.url("again.otm.json")
        #expect(try TMRepoBinary.run(["export", "otm", "--out", again], in: back.path).status == 0)
        let first = shape(document), second = shape(try json(again))
        for key in ["components", "dataflows", "threats", "mitigations", "trustZones"] {
            #expect(first[key]?.count == second[key]?.count, "\(key)")
        }
    }

    // MARK: - Hostile input

    func importing(_ text: String, into dir: TempDir, _ extra: [String] = ["--owner", "a@example.com"]) throws -> ProcessResult {
        try dir.write("in.otm.json", text)
        return try TMRepoBinary.run(["import", "otm", "in.otm.json"] + extra, in: dir.path)
    }

    /// The elements.yml `tmrepo init` writes.
    static let scaffoldElements: String = {
        let dir = try! TempDir("otm-scaffold")
        _ = try! TMRepoBinary.run(["init"], in: dir.path)
        return try! dir.read("elements.yml")
    }()

    func expectRefused(_ result: ProcessResult, in dir: TempDir, naming expected: String) throws {
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("in.otm.json"), "\(result.stderr)")
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url("threats")).isEmpty)
        #expect(try dir.read("elements.yml") == Self.scaffoldElements && !dir.exists(".tmrepo/otm.json"), "nothing written")
    }

    func minimal(_ edit: (inout [String: Any]) -> Void) throws -> String {
        var document = try json(Self.fixtures + "/minimal.otm.json")
        edit(&document)
        return String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self)
    }

    @Test func hostileFilesAreRefusedNamingThePath() throws {
        let dir = try freshModel()
        try expectRefused(try importing("{", into: dir), in: dir, naming: "not valid JSON")
        try expectRefused(try importing(#"{"project": {}}"#, into: dir), in: dir, naming: "$.otmVersion: required")
        try expectRefused(try importing(#"{"otmVersion": "9.0", "project": {"id": "a", "name": "b"}}"#, into: dir), in: dir, naming: "unsupported OTM version")
        try expectRefused(try importing(try minimal { doc in
            var flows = doc["dataflows"] as! [[String: Any]]
            var refs = flows[0]["threats"] as! [[String: Any]]
            refs[0]["state"] = "sort-of-fixed"
            flows[0]["threats"] = refs
            doc["dataflows"] = flows
        }, into: dir), in: dir, naming: "$.dataflows[0].threats[0].state: 'sort-of-fixed' is not a threat state")
        try expectRefused(try importing(try minimal { doc in
            var flows = doc["dataflows"] as! [[String: Any]]
            flows[0]["threats"] = [["threat": "nope", "state": "exposed"]]
            doc["dataflows"] = flows
        }, into: dir), in: dir, naming: "$.dataflows[0].threats[0].threat: 'nope' is not a threat")
        try expectRefused(try importing(try minimal { doc in
            var threats = doc["threats"] as! [[String: Any]]
            threats[0]["risk"] = ["likelihood": 50, "impact": 1e26]
            doc["threats"] = threats
        }, into: dir), in: dir, naming: "$.threats[0].risk.impact:")
        try expectRefused(try importing(try minimal { doc in
            var components = doc["components"] as! [[String: Any]]
            components[1]["type"] = nil
            doc["components"] = components
        }, into: dir), in: dir, naming: "$.components[1].type: required")
        try expectRefused(try importing(try minimal { doc in
            var components = doc["components"] as! [[String: Any]]
            components[1]["parent"] = ["trustZone": "mars"]
            doc["components"] = components
        }, into: dir), in: dir, naming: "$.components[1].parent.trustZone: 'mars' is not a trust zone")
        try expectRefused(try importing(try minimal { doc in
            var threats = doc["threats"] as! [[String: Any]]
            threats[0]["name"] = String(repeating: "x", count: 10 << 20)
            doc["threats"] = threats
        }, into: dir), in: dir, naming: "$.threats[0].name: 10485760 bytes")
        try expectRefused(try importing(try minimal { doc in
            var components = doc["components"] as! [[String: Any]]
            components[1]["id"] = "user"
            doc["components"] = components
        }, into: dir), in: dir, naming: "$.components[1].id: 'user' is also the id of $.components[0]")
    }

    @Test func withoutAnOwnerNothingIsWritten() throws {
        let dir = try freshModel()
        try expectRefused(try importing(try String(contentsOfFile: Self.fixtures + "/minimal.otm.json", encoding: .utf8), into: dir, []),
                          in: dir, naming: "--owner")
        let withDefault = try freshModel("default_owner: sec@example.com\n")
        #expect(try importing(try String(contentsOfFile: Self.fixtures + "/minimal.otm.json", encoding: .utf8), into: withDefault, []).status == 0)
    }
}
