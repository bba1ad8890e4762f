import Foundation
import Testing
import TestSupport

/// Import and export with AWS Threat Composer, on our own fixture (Tests/Fixtures/threat-composer:
/// shared mitigations, assumptions linked to threats and mitigations, STRIDE, Priority and custom
/// metadata, every status, comments, diagram images) and, beside the workspace, on the real
/// GenAI chatbot model.
struct ThreatComposerTests {
    static let fixtures = SourceTree.fixtures + "/threat-composer"
    static let fixture = fixtures + "/ClinicBooking.tc.json"
    /// Threat Composer's v1 schema, copied into the repository (see the fixtures' README).
    static let schema = fixtures + "/tc-v1.schema.json"
    static let realFixture = SourceTree.shared + "/fixtures/threat-composer/GenAIChatbot.tc.json"
    static var realFixtureExists: Bool { FileManager.default.fileExists(atPath: realFixture) }
    /// `make test` installs it (scripts/ensure-deps.sh); without it only schema validation is skipped.
    static let hasJSONSchema: Bool = (try? runProcess("/usr/bin/env", ["python3", "-c", "import jsonschema"], cwd: "/").status == 0) ?? false

    /// Validates a document against Threat Composer's v1 JSON schema with Python's jsonschema.
    static func validate(_ path: String) throws -> ProcessResult {
        let script = "import json, jsonschema, sys; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))); print('valid')"
        return try runProcess("/usr/bin/env", ["python3", "-c", script, path, schema], cwd: "/")
    }

    func freshModel() throws -> TempDir {
        let dir = try TempDir("tc")
        #expect(try TMRepoBinary.run(["init"], in: dir.path).status == 0)
        return dir
    }

    func show(_ id: String, in dir: TempDir) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(try TMRepoBinary.run(["show", id, "--format", "json"], in: dir.path).stdout.utf8)) as? [String: Any])
    }

    /// The text of the threat file whose name starts with the id.
    func threatFile(_ id: String, in dir: TempDir) throws -> String {
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.url("threats")).first { $0.hasPrefix(id + "-") })
        return try dir.read("threats/" + name)
    }

    func mitigations(_ threat: [String: Any]) -> [String] {
        ((threat["mitigations"] as? [[String: Any]]) ?? []).map { "\($0["status"] as? String ?? "?"): \($0["title"] as? String ?? "?")" }
    }

    @Test func theFixtureCoversWhatRealFilesHold() throws {
        let document = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.fixture))) as? [String: Any])
        let threats = try #require(document["threats"] as? [[String: Any]])
        let mitigations = try #require(document["mitigations"] as? [[String: Any]])
        #expect(Set(threats.compactMap { $0["status"] as? String }) == ["threatIdentified", "threatResolved", "threatResolvedNotUseful"])
        #expect(threats.contains { $0["status"] == nil }, "a threat without a status, as older files have")
        #expect(Set(mitigations.compactMap { $0["status"] as? String }) ==
                ["mitigationIdentified", "mitigationInProgress", "mitigationResolved", "mitigationResolvedWillNotAction"])
        let threatIDs = Set(threats.compactMap { $0["id"] as? String })
        let linksPerMitigation = Dictionary(grouping: (document["mitigationLinks"] as? [[String: Any]]) ?? [], by: { $0["mitigationId"] as? String ?? "" })
            .mapValues { $0.filter { threatIDs.contains($0["linkedId"] as? String ?? "") }.count }
        #expect(linksPerMitigation.values.filter { $0 >= 2 }.count >= 3, "mitigations shared by several threats")
        #expect(Set(((document["assumptionLinks"] as? [[String: Any]]) ?? []).compactMap { $0["type"] as? String }) == ["Threat", "Mitigation"])
        let metadataKeys = Set(threats.flatMap { (($0["metadata"] as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String } })
        #expect(metadataKeys.isSuperset(of: ["Priority", "STRIDE", "Comments", "custom:jira", "custom:compliance"]))
        for part in ["architecture", "dataflow"] {
            #expect(((document[part] as? [String: Any])?["image"] as? String)?.hasPrefix("data:image/") == true, "\(part) diagram, base64")
        }
    }

    @Test(.enabled(if: ThreatComposerTests.hasJSONSchema, "needs python3's jsonschema (python3 -m pip install jsonschema; make test installs it)"))
    func theFixtureIsValidThreatComposer() throws {
        let valid = try Self.validate(Self.fixture)
        #expect(valid.status == 0 && valid.stdout == "valid\n", "\(valid.stderr)")
    }

    @Test func importsTheFixtureIntoValidThreatFiles() throws {
        let dir = try freshModel()
        let refused = try TMRepoBinary.run(["import", "threat-composer", Self.fixture, "--dry-run"], in: dir.path)
        #expect(refused.status == 2 && refused.stderr.contains("pass --owner"), "open threats need an owner: \(refused.stderr)")
        let dry = try TMRepoBinary.run(["import", "threat-composer", Self.fixture, "--dry-run", "--owner", "clinic-team@example.com"], in: dir.path)
        #expect(dry.stdout.hasPrefix("would import 7 threats"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url("threats")).isEmpty, "a dry run writes nothing")
        #expect(dry.stdout.contains("diagram images are not imported"))
        #expect(dry.stdout.contains("T-0004: no Priority; severity set to medium"))
        #expect(dry.stdout.contains("T-0004: no STRIDE metadata; inferred TI from the impacted goals and tagged stride-inferred"))
        #expect(dry.stdout.contains("T-0007: metadata 'threatPackId' has no place in tmrepo"))

        let result = try TMRepoBinary.run(["import", "threat-composer", Self.fixture, "--owner", "clinic-team@example.com"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("imported 7 threats"))
        let lint = try TMRepoBinary.run(["lint"], in: dir.path)
        #expect(lint.status == 0, "\(lint.stdout)")
        #expect(lint.stdout.contains("18 files checked: 0 errors, 1 warning"), "7 threats, 7 shared mitigations, 4 assumptions; T-0004's inferred STRIDE: \(lint.stdout)")
        #expect(lint.stdout.contains("[stride-inferred]"))

        // Ids follow numericId, not the file's order; Priority, STRIDE and status map.
        let sessionHijack = try show("T-0001", in: dir)
        #expect(sessionHijack["severity"] as? String == "high", "Priority High")
        #expect(sessionHijack["stride"] as? [String] == ["spoofing", "elevation-of-privilege"], "STRIDE [S, E]")
        #expect(sessionHijack["status"] as? String == "open", "threatIdentified")
        #expect(sessionHijack["owner"] as? String == "clinic-team@example.com")
        let grammar = try #require(sessionHijack["threat"] as? [String: Any])
        #expect(grammar["source"] as? String == "external threat actor")
        #expect(grammar["impacted_assets"] as? [String] == ["appointment records", "clinic schedules"])
        #expect(try show("T-0002", in: dir)["status"] as? String == "mitigated", "threatResolved")
        #expect(try show("T-0002", in: dir)["severity"] as? String == "medium", "Priority Medium")
        #expect(try show("T-0003", in: dir)["status"] as? String == "closed", "threatResolvedNotUseful")
        let unprioritised = try show("T-0004", in: dir)
        #expect(unprioritised["status"] as? String == "open", "no status: identified")
        #expect(unprioritised["stride"] as? [String] == ["tampering", "information-disclosure"], "inferred from confidentiality and integrity")
        #expect(unprioritised["tags"] as? [String] == ["stride-inferred"])

        // Shared mitigations appear under every threat they are linked to, statuses mapped.
        #expect(mitigations(sessionHijack) == ["implemented: Require multi-factor authentication for staff and offer it to patients",
                                               "planned: Issue short-lived access tokens scoped to one patient record"])
        #expect(mitigations(try show("T-0002", in: dir)).contains("planned: Issue short-lived access tokens scoped to one patient record"))
        #expect(mitigations(try show("T-0003", in: dir)) == ["dropped: Rate-limit booking requests per client at the web application firewall",
                                                           "planned: Cap pending bookings per patient and shed load at the queue"])
        #expect(mitigations(try show("T-0006", in: dir)) == ["implemented: Require multi-factor authentication for staff and offer it to patients",
                                                           "implemented: Write staff actions to an append-only audit log in a separate account"])

        // Comments and custom metadata are kept; shared mitigations and assumptions are catalog
        // files (ThreatComposerRoundTripTests), referenced by id, not folded into the body.
        let first = try threatFile("T-0001", in: dir)
        #expect(first.contains("## Notes\n\nStaff sessions matter most"))
        #expect(first.contains("mitigations:\n  - ref: MIT-0001\n"))
        #expect(!first.contains("## Assumptions"))
        #expect(first.contains("    custom:compliance: [HIPAA 164.312(d), SOC 2 CC6.1]\n    custom:jira: [CLINIC-101]\n"), "in key order")
        let long = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.url("mitigations")).first { name in
            (try? dir.read("mitigations/" + name))?.contains("content: Encrypt the appointment reason") == true
        }, "a long mitigation keeps its whole text in its catalog file")
        #expect(!long.isEmpty)

        // Importing again skips what is there; nothing is overwritten.
        let again = try TMRepoBinary.run(["import", "threat-composer", Self.fixture], in: dir.path)
        #expect(again.stdout.hasPrefix("imported 0 threats"))
        #expect(again.stdout.contains("already imported as T-0001"))
    }

    /// Shaped like AWS's workshop solutions: grammar filled in, no STRIDE metadata, no owners.
    static let workshop = fixtures + "/WorkshopStyle.tc.json"

    @Test func aWorkshopStyleFileWithoutStrideOrOwnersGivesALintCleanModel() throws {
        let dir = try freshModel()
        let refused = try TMRepoBinary.run(["import", "threat-composer", Self.workshop], in: dir.path)
        #expect(refused.status == 2 && refused.stderr.contains("4 open or mitigated threats would have no owner"), "\(refused.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url("threats")).isEmpty)
        let result = try TMRepoBinary.run(["import", "threat-composer", Self.workshop, "--owner", "photo-team@example.com"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("T-0001: no STRIDE metadata; inferred S from the statement's words"))
        #expect(result.stdout.contains("T-0002: no STRIDE metadata; inferred D from the statement's words"))
        #expect(result.stdout.contains("T-0003: no STRIDE metadata; inferred I from the statement's words"))
        #expect(result.stdout.contains("T-0005: no STRIDE metadata; inferred T from the statement's words"))
        let lint = try TMRepoBinary.run(["lint"], in: dir.path)
        #expect(lint.status == 0, "\(lint.stdout)")
        #expect(lint.stdout.contains("10 files checked: 0 errors, 5 warnings"), "5 threats, 3 shared mitigations, 2 assumptions: \(lint.stdout)")
        #expect(try show("T-0005", in: dir)["owner"] as? String == "photo-team@example.com", "closed, but the owner given is kept")
        _ = try roundTrip(Self.workshop, expecting: 5)
    }

    @Test func newIdsFollowTheModelsOwn() throws {
        let dir = try freshModel()
        _ = try TMRepoBinary.run(["new", "--title", "Existing", "--owner", "a@example.com"], in: dir.path)
        let result = try TMRepoBinary.run(["import", "threat-composer", Self.fixture, "--owner", "a@example.com"], in: dir.path)
        #expect(result.stdout.contains("threats/T-0002-"))
        #expect(!result.stdout.contains("threats/T-0001-"))
        #expect(try String(contentsOfFile: dir.url("threats/T-0001-existing.md"), encoding: .utf8).contains("title: Existing"))
    }

    /// Imports a Threat Composer file, exports the model, imports the export into an empty model:
    /// the threat files must come back byte for byte. Returns the export's path.
    func roundTrip(_ file: String, expecting count: Int) throws -> (TempDir, String) {
        let first = try freshModel()
        #expect(try TMRepoBinary.run(["import", "threat-composer", file, "--owner", "team@example.com"], in: first.path).status == 0)
        let exported = first.url("out.tc.json")
        #expect(try TMRepoBinary.run(["export", "threat-composer", "--out", exported], in: first.path).status == 0)
        let second = try freshModel()
        #expect(try TMRepoBinary.run(["import", "threat-composer", exported], in: second.path).status == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: first.url("threats")).sorted()
        #expect(names.count == count)
        #expect(try FileManager.default.contentsOfDirectory(atPath: second.url("threats")).sorted() == names)
        for name in names {
            #expect(try first.read("threats/" + name) == second.read("threats/" + name), "\(name) changed in the round trip")
        }
        return (first, exported)
    }

    @Test func aRoundTripKeepsTheModel() throws {
        _ = try roundTrip(Self.fixture, expecting: 7)
    }

    @Test(.enabled(if: ThreatComposerTests.hasJSONSchema, "needs python3's jsonschema (python3 -m pip install jsonschema; make test installs it)"))
    func exportsValidateAgainstTheSchema() throws {
        let (model, exported) = try roundTrip(Self.fixture, expecting: 7)
        try withExtendedLifetime(model) {   // the files live in its folder
            let valid = try Self.validate(exported)
            #expect(valid.status == 0 && valid.stdout == "valid\n", "\(valid.stderr)")
            let example = model.url("shop.tc.json")
            #expect(try TMRepoBinary.run(["export", "threat-composer", "--out", example, "--root", SourceTree.example], in: model.path).status == 0)
            let exampleValid = try Self.validate(example)
            #expect(exampleValid.status == 0 && exampleValid.stdout == "valid\n", "\(exampleValid.stderr)")
        }
    }

    @Test func theExampleKeepsOwnersReviewsAndEvidenceThroughThreatComposer() throws {
        let work = try TempDir("tc-example")
        let exported = work.url("shop.tc.json")
        #expect(try TMRepoBinary.run(["export", "threat-composer", "--out", exported, "--root", SourceTree.example], in: work.path).status == 0)
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
        #expect(!strip(original).isEmpty)
        #expect(strip(original) == strip(imported), "every field survives the trip")
    }

    @Test(.enabled(if: ThreatComposerTests.realFixtureExists,
                   "needs ../shared/fixtures/threat-composer/GenAIChatbot.tc.json, the workspace's real Threat Composer model, which is not part of a clone"))
    func theRealGenAIChatbotModelImportsAndRoundTrips() throws {
        let dir = try freshModel()
        let result = try TMRepoBinary.run(["import", "threat-composer", Self.realFixture, "--owner", "ml-team@example.com"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("imported 37 threats"))
        #expect(result.stdout.contains("diagram images are not imported"))
        let lint = try TMRepoBinary.run(["lint"], in: dir.path)
        #expect(lint.stdout.contains("134 files checked: 0 errors, 0 warnings"), "37 threats, 84 shared mitigations, 13 assumptions: \(lint.stdout)")
        let first = try show("T-0001", in: dir)
        #expect(first["severity"] as? String == "high", "Priority High")
        #expect(first["stride"] as? [String] == ["tampering"], "STRIDE metadata [T]")
        #expect((first["mitigations"] as? [[String: Any]])?.map { $0["title"] as? String } ==
                ["Segregate user prompts from system prompts", "Input validation and sanitization", "Restrict LLM capabilities through permissions"])
        let body = try #require(first["body"] as? String)
        #expect(body.contains("## Threat statement") && !body.contains("## Assumptions"), "assumptions are catalog files now")

        _ = try roundTrip(Self.realFixture, expecting: 37)
    }

    /// Every Threat Composer file beside the workspace (../shared/fixtures/threat-composer), none in a clone.
    static var sharedFiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: SourceTree.shared + "/fixtures/threat-composer")) ?? [])
            .filter { $0.hasSuffix(".tc.json") }.sorted()
    }

    /// Counts of a Threat Composer document: threats, mitigations, assumptions, mitigation links, assumption links.
    static func counts(_ path: String) throws -> [Int] {
        let document = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        return ["threats", "mitigations", "assumptions", "mitigationLinks", "assumptionLinks"].map { (document[$0] as? [Any])?.count ?? 0 }
    }

    @Test(.enabled(if: !ThreatComposerTests.sharedFiles.isEmpty,
                   "needs ../shared/fixtures/threat-composer/*.tc.json, real Threat Composer files beside the workspace (not part of a clone)"),
          arguments: ThreatComposerTests.sharedFiles)
    func everySharedFileImportsIntoALintCleanModel(name: String) throws {
        let file = SourceTree.shared + "/fixtures/threat-composer/" + name
        let dir = try freshModel()
        let imported = try TMRepoBinary.run(["import", "threat-composer", file, "--owner", "team@example.com"], in: dir.path)
        #expect(imported.status == 0, "\(imported.stderr)")
        let threatsIn = try Self.counts(file)[0]
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url("threats")).count == threatsIn)
        let lint = try TMRepoBinary.run(["lint"], in: dir.path)
        #expect(lint.status == 0, "\(name): \(lint.stdout)")
        #expect(lint.stdout.contains(" files checked: 0 errors"), "\(lint.stdout)")
        let exported = dir.url("out.tc.json")
        #expect(try TMRepoBinary.run(["export", "threat-composer", "--out", exported], in: dir.path).status == 0)
        #expect(try Self.counts(exported)[0] == threatsIn, "threats in = threats out")
    }

    @Test(.enabled(if: ThreatComposerTests.realFixtureExists && ThreatComposerTests.hasJSONSchema,
                   "needs ../shared/fixtures/threat-composer/GenAIChatbot.tc.json (not part of a clone) and python3's jsonschema"))
    func theRealModelsExportValidates() throws {
        let (model, exported) = try roundTrip(Self.realFixture, expecting: 37)
        try withExtendedLifetime(model) {   // the export lives in its folder
            let valid = try Self.validate(exported)
            #expect(valid.status == 0 && valid.stdout == "valid\n", "\(valid.stderr)")
        }
    }
}
