import Foundation
import Testing
import TestSupport

/// Import and export with AWS Threat Composer, on the real GenAI chatbot model.
struct ThreatComposerTests {
    static let fixture = SourceTree.shared + "/fixtures/threat-composer/GenAIChatbot.tc.json"
    static let schema = SourceTree.shared + "/fixtures/threat-composer/tc-v1.schema.json"

    /// Validates a document against Threat Composer's v1 JSON schema with Python's jsonschema.
    func validate(_ path: String) throws -> ProcessResult {
        let script = "import json, jsonschema, sys; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))); print('valid')"
        return try runProcess("/usr/bin/env", ["python3", "-c", script, path, Self.schema], cwd: "/")
    }

    func freshModel() throws -> TempDir {
        let dir = try TempDir("tc")
        #expect(try TMRepoBinary.run(["init"], in: dir.path).status == 0)
        return dir
    }

    @Test func importsTheFixtureIntoValidThreatFiles() throws {
        let dir = try freshModel()
        let dry = try TMRepoBinary.run(["import", "threat-composer", Self.fixture, "--dry-run"], in: dir.path)
        #expect(dry.stdout.hasPrefix("would import 37 threats"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url("threats")).isEmpty, "a dry run writes nothing")
        #expect(dry.stdout.contains("diagram images are not imported"))

        let result = try TMRepoBinary.run(["import", "threat-composer", Self.fixture, "--owner", "ml-team@example.com"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("imported 37 threats"))
        let lint = try TMRepoBinary.run(["lint"], in: dir.path)
        #expect(lint.status == 0, "\(lint.stdout)")
        #expect(lint.stdout.contains("37 files checked: 0 errors, 0 warnings"))

        let show = try #require(JSONSerialization.jsonObject(with: Data(try TMRepoBinary.run(["show", "T-0001", "--format", "json"], in: dir.path).stdout.utf8)) as? [String: Any])
        #expect(show["severity"] as? String == "high", "Priority High")
        #expect(show["stride"] as? [String] == ["tampering"], "STRIDE metadata [T]")
        #expect(show["status"] as? String == "open", "threatIdentified")
        #expect((show["mitigations"] as? [[String: Any]])?.map { $0["title"] as? String } ==
                ["Segregate user prompts from system prompts", "Input validation and sanitization", "Restrict LLM capabilities through permissions"])
        let grammar = try #require(show["threat"] as? [String: Any])
        #expect(grammar["source"] as? String == "external threat actor")
        #expect(grammar["impacted_goal"] as? [String] == ["integrity", "availability"])
        let body = try #require(show["body"] as? String)
        #expect(body.contains("## Threat statement") && body.contains("## Assumptions") && body.contains("## Mitigation notes"))

        // Importing again skips what is there; nothing is overwritten.
        let again = try TMRepoBinary.run(["import", "threat-composer", Self.fixture], in: dir.path)
        #expect(again.stdout.hasPrefix("imported 0 threats"))
        #expect(again.stdout.contains("already imported as T-0001"))
    }

    @Test func newIdsFollowTheModelsOwn() throws {
        let dir = try freshModel()
        _ = try TMRepoBinary.run(["new", "--title", "Existing", "--owner", "a@example.com"], in: dir.path)
        let result = try TMRepoBinary.run(["import", "threat-composer", Self.fixture, "--owner", "a@example.com"], in: dir.path)
        #expect(result.stdout.contains("threats/T-0002-"))
        #expect(!result.stdout.contains("threats/T-0001-"))
        #expect(try String(contentsOfFile: dir.url("threats/T-0001-existing.md"), encoding: .utf8).contains("title: Existing"))
    }

    @Test func exportsValidateAndARoundTripKeepsTheModel() throws {
        let first = try freshModel()
        _ = try TMRepoBinary.run(["import", "threat-composer", Self.fixture, "--owner", "ml-team@example.com"], in: first.path)
        let exported = first.url("out.tc.json")
        #expect(try TMRepoBinary.run(["export", "threat-composer", "--out", exported], in: first.path).status == 0)
        let valid = try validate(exported)
        #expect(valid.status == 0 && valid.stdout == "valid\n", "\(valid.stderr)")

        let second = try freshModel()
        #expect(try TMRepoBinary.run(["import", "threat-composer", exported], in: second.path).status == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: first.url("threats")).sorted()
        #expect(names.count == 37)
        #expect(try FileManager.default.contentsOfDirectory(atPath: second.url("threats")).sorted() == names)
        for name in names {
            #expect(try first.read("threats/" + name) == second.read("threats/" + name), "\(name) changed in the round trip")
        }
    }

    @Test func theExampleKeepsOwnersReviewsAndEvidenceThroughThreatComposer() throws {
        let work = try TempDir("tc-example")
        let exported = work.url("shop.tc.json")
        #expect(try TMRepoBinary.run(["export", "threat-composer", "--out", exported, "--root", SourceTree.example], in: work.path).status == 0)
        #expect(try validate(exported).status == 0)
        let back = try freshModel()
        #expect(try TMRepoBinary.run(["import", "threat-composer", exported], in: back.path).status == 0)
        let original = try JSONSerialization.jsonObject(with: Data(try TMRepoBinary.run(["list", "--format", "json", "--root", SourceTree.example], in: "/").stdout.utf8)) as? [String: Any]
        let imported = try JSONSerialization.jsonObject(with: Data(try TMRepoBinary.run(["list", "--format", "json"], in: back.path).stdout.utf8)) as? [String: Any]
        func strip(_ document: [String: Any]?) -> [NSDictionary] {
            ((document?["threats"] as? [[String: Any]]) ?? []).map { threat in
                var copy = threat
                copy["path"] = nil   // file names are made from titles on import
                return copy as NSDictionary
            }
        }
        #expect(strip(original) == strip(imported), "every field survives the trip")
    }
}
