import Foundation
import Testing
import TestSupport

/// `tmrepo import threat-composer` on hostile and incomplete files: the result passes lint, or
/// nothing is written and the error names the file and the JSON path. Never a crash.
struct ImportHardeningTests {
    func freshModel(_ config: String? = nil) throws -> TempDir {
        let dir = try TempDir("tc-hostile")
        #expect(try TMRepoBinary.run(["init"], in: dir.path).status == 0)
        if let config { try dir.write(".tmrepo.yml", config) }
        return dir
    }

    func threatFiles(_ dir: TempDir) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.url("threats")).filter { $0.hasSuffix(".md") }.sorted()
    }

    /// A schema 1 document with the given threats (JSON object texts).
    func document(_ threats: [String], mitigations: [String] = [], links: [String] = []) -> String {
        #"{"schema": 1, "threats": ["# + threats.joined(separator: ",") + #"], "mitigations": ["# + mitigations.joined(separator: ",")
            + #"], "mitigationLinks": ["# + links.joined(separator: ",") + "]}"
    }

    func threat(_ number: Int, statement: String = "An attacker can forge a session token",
                metadata: String = #"[{"key": "STRIDE", "value": ["S"]}, {"key": "Priority", "value": "High"}]"#,
                extra: String = #""status": "threatIdentified""#) -> String {
        #"{"id": "t\#(number)", "numericId": \#(number), "statement": \#(jsonString(statement)), "metadata": \#(metadata), \#(extra)}"#
    }

    func jsonString(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [text]), as: UTF8.self).dropFirst().dropLast().description
    }

    /// Imports `text` (written as model/in.tc.json); returns the result.
    func importing(_ text: String, into dir: TempDir, _ extra: [String] = []) throws -> ProcessResult {
        try dir.write("in.tc.json", text)
        return try TMRepoBinary.run(["import", "threat-composer", "in.tc.json"] + extra, in: dir.path)
    }

    /// The import failed cleanly: exit 2 (not a signal), the message names the file and `expected`, nothing written.
    func expectRefused(_ result: ProcessResult, in dir: TempDir, naming expected: String, _ comment: Comment? = nil) throws {
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("in.tc.json"), "names the file: \(result.stderr)")
        #expect(result.stderr.contains(expected), "\(comment?.description ?? ""): \(result.stderr)")
        #expect(result.stderr.contains("nothing was written"), "\(result.stderr)")
        #expect(try threatFiles(dir).isEmpty, "nothing written")
    }

    // MARK: - Owner

    @Test func withoutAnOwnerNothingIsWrittenAndTheOptionIsNamed() throws {
        let dir = try freshModel()
        let result = try importing(document([threat(1), threat(2)]), into: dir)
        try expectRefused(result, in: dir, naming: "--owner")
        #expect(result.stderr.contains("2 open or mitigated threats would have no owner (T-0001, T-0002)"))
        #expect(result.stderr.contains("default_owner:"))
        // A dry run says the same.
        #expect(try importing(document([threat(1)]), into: dir, ["--dry-run"]).status == 2)
    }

    @Test func closedThreatsNeedNoOwner() throws {
        let dir = try freshModel()
        let result = try importing(document([threat(1, extra: #""status": "threatResolvedNotUseful""#)]), into: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try TMRepoBinary.run(["lint"], in: dir.path).status == 0)
    }

    @Test func theConfigsDefaultOwnerIsUsed() throws {
        let dir = try freshModel("owners:\n  web-team: [a@example.com]\ndefault_owner: web-team\n")
        let result = try importing(document([threat(1)]), into: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try dir.read("threats/" + threatFiles(dir)[0]).contains("\nowner: web-team\n"))
        // --owner wins over the default.
        let other = try freshModel("default_owner: web-team\n")
        #expect(try importing(document([threat(1)]), into: other, ["--owner", "b@example.com"]).status == 0)
        #expect(try other.read("threats/" + threatFiles(other)[0]).contains("\nowner: b@example.com\n"))
        let lint = try TMRepoBinary.run(["lint"], in: dir.path)
        #expect(lint.status == 0, "\(lint.stdout)")
    }

    @Test func aBlankDefaultOwnerIsAConfigError() throws {
        let dir = try freshModel("default_owner: \"  \"\n")
        let lint = try TMRepoBinary.run(["lint"], in: dir.path)
        #expect(lint.status == 2)
        #expect(lint.stderr.contains("default_owner"), "\(lint.stderr)")
    }

    // MARK: - STRIDE

    @Test func strideIsInferredFromTheWordsAndLintWarnsUntilConfirmed() throws {
        let dir = try freshModel()
        let threats = [
            threat(1, statement: "An insider can tamper with invoices and leak card data", metadata: "[]"),
            threat(2, statement: "A bot can flood the booking endpoint so that it becomes unavailable", metadata: "[]"),
            threat(3, statement: "Someone can do something unspecified", metadata: "[]",
                   extra: #""status": "threatIdentified", "impactedGoal": ["availability"]"#),
            threat(4, statement: "Something vague happens", metadata: "[]"),
        ]
        let result = try importing(document(threats), into: dir, ["--owner", "a@example.com"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("T-0001: no STRIDE metadata; inferred TI from the statement's words and tagged stride-inferred"))
        #expect(result.stdout.contains("T-0003: no STRIDE metadata; inferred D from the impacted goals"))
        #expect(result.stdout.contains("T-0004: no STRIDE metadata; no keyword or impacted goal to infer it from; set to T"))
        let files = try threatFiles(dir)
        #expect(try dir.read("threats/" + files[0]).contains("stride: [tampering, information-disclosure]"))
        #expect(try dir.read("threats/" + files[1]).contains("stride: [denial-of-service]"))
        #expect(try dir.read("threats/" + files[0]).contains("tags: [stride-inferred]"))
        let lint = try TMRepoBinary.run(["lint"], in: dir.path)
        #expect(lint.status == 0, "warnings only: \(lint.stdout)")
        #expect(lint.stdout.contains("4 files checked: 0 errors, 4 warnings"), "\(lint.stdout)")
        #expect(lint.stdout.contains("[stride-inferred]"))
        // A person confirms by removing the tag.
        let first = try dir.read("threats/" + files[0])
        try dir.write("threats/" + files[0], first.replacingOccurrences(of: "tags: [stride-inferred]\n", with: ""))
        #expect(try TMRepoBinary.run(["lint"], in: dir.path).stdout.contains("0 errors, 3 warnings"))
    }

    // MARK: - Unknown values

    @Test func anUnknownStatusIsAnErrorNamingItsPath() throws {
        let dir = try freshModel()
        let threats = (1...3).map { threat($0) } + [threat(4, extra: #""status": "threatMaybe""#)]
        let result = try importing(document(threats), into: dir, ["--owner", "a@example.com"])
        try expectRefused(result, in: dir, naming: "$.threats[3].status: 'threatMaybe' is not a Threat Composer threat status")
    }

    @Test func statusesAndPrioritiesAreReadInAnyCase() throws {
        let dir = try freshModel()
        let threats = [
            threat(1, metadata: #"[{"key": "STRIDE", "value": ["s"]}, {"key": "Priority", "value": "Critical"}]"#, extra: #""status": "THREATRESOLVED""#),
            threat(2, metadata: #"[{"key": "Priority", "value": "HIGH"}, {"key": "STRIDE", "value": ["E"]}]"#),
            threat(3, metadata: #"[{"key": "Priority", "value": "low"}, {"key": "STRIDE", "value": ["D"]}]"#),
        ]
        let result = try importing(document(threats), into: dir, ["--owner", "a@example.com"])
        #expect(result.status == 0, "\(result.stderr)")
        let files = try threatFiles(dir)
        let first = try dir.read("threats/" + files[0])
        #expect(first.contains("severity: critical") && first.contains("status: mitigated") && first.contains("stride: [spoofing]"))
        #expect(try dir.read("threats/" + files[1]).contains("severity: high"))
        #expect(try dir.read("threats/" + files[2]).contains("severity: low"))
    }

    @Test func anUnknownPriorityIsAnErrorNamingItsPath() throws {
        let dir = try freshModel()
        let bad = threat(2, metadata: #"[{"key": "STRIDE", "value": ["S"]}, {"key": "Priority", "value": "Urgent"}]"#)
        try expectRefused(try importing(document([threat(1), bad]), into: dir, ["--owner", "a@example.com"]), in: dir,
                          naming: "$.threats[1].metadata[1].value: 'Urgent' is not a priority")
    }

    @Test func anUnknownStrideLetterOrMitigationStatusIsAnError() throws {
        let dir = try freshModel()
        let bad = threat(1, metadata: #"[{"key": "STRIDE", "value": ["S", "X"]}]"#)
        try expectRefused(try importing(document([bad]), into: dir, ["--owner", "a@example.com"]), in: dir,
                          naming: "$.threats[0].metadata[0].value[1]: 'X' is not a STRIDE letter")
        let mitigation = #"{"id": "m1", "numericId": 1, "content": "Sign tokens", "status": "mitigationSomeday"}"#
        try expectRefused(try importing(document([threat(1)], mitigations: [mitigation], links: [#"{"mitigationId": "m1", "linkedId": "t1"}"#]),
                                        into: dir, ["--owner", "a@example.com"]), in: dir,
                          naming: "$.mitigations[0].status: 'mitigationSomeday' is not a Threat Composer mitigation status")
    }

    // MARK: - Text and numbers

    @Test func aThreatWithoutTextIsAnError() throws {
        let dir = try freshModel()
        try expectRefused(try importing(document([threat(1, statement: "  \n\t ")]), into: dir, ["--owner", "a@example.com"]), in: dir,
                          naming: "$.threats[0].statement: the threat has no text")
        try expectRefused(try importing(document([#"{"id": "t1", "numericId": 1}"#]), into: dir, ["--owner", "a@example.com"]), in: dir,
                          naming: "$.threats[0].statement: the threat has no text: its statement is missing")
    }

    @Test func aHugeStatementIsRefusedNotCut() throws {
        let dir = try freshModel()
        let huge = String(repeating: "An attacker can forge tokens. ", count: 10 * 1024 * 1024 / 30)
        try expectRefused(try importing(document([threat(1, statement: huge)]), into: dir, ["--owner", "a@example.com"]), in: dir,
                          naming: "$.threats[0].statement: 10485")
    }

    @Test func controlCharactersAreRemovedAndReported() throws {
        let dir = try freshModel()
        let dirty = "An attacker can\u{07} forge\u{1B}[31m a session\u{85} token\r\nwith a bell"
        let result = try importing(document([threat(1, statement: dirty)]), into: dir, ["--owner", "a@example.com"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("$.threats[0].statement: removed 3 control characters"), "\(result.stdout)")
        let text = try dir.read("threats/" + threatFiles(dir)[0])
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" } && !text.contains("\u{85}"))
        #expect(text.contains("An attacker can forge[31m a session token\nwith a bell"))
        #expect(try TMRepoBinary.run(["lint"], in: dir.path).status == 0)
    }

    @Test(arguments: ["100000000000000000000000000", "1e26", "-1", "1.5", "\"7\"", "null", "true"])
    func anOutOfRangeNumericIdIsAnError(value: String) throws {
        let dir = try freshModel()
        let bad = #"{"id": "t1", "numericId": \#(value), "statement": "An attacker can forge a token", "metadata": [{"key": "STRIDE", "value": ["S"]}]}"#
        let result = try importing(document([bad]), into: dir, ["--owner", "a@example.com"])
        if value == "true" {
            // JSON true reads as the number 1 in Foundation: accepted, never a crash.
            #expect(result.status == 0 || result.status == 2, "\(result.stderr)")
            return
        }
        try expectRefused(result, in: dir, naming: "$.threats[0].numericId:", "\(value)")
        #expect(result.stderr.contains("is not a whole number from 0 to 999999999"), "\(result.stderr)")
    }

    @Test func duplicateThreatIdsAreAnError() throws {
        let dir = try freshModel()
        try expectRefused(try importing(document([threat(1), threat(1)]), into: dir, ["--owner", "a@example.com"]), in: dir,
                          naming: "$.threats[1].id: 't1' is also the id of $.threats[0]")
    }

    @Test func notJSONOrTheWrongShapeIsAnError() throws {
        let dir = try freshModel()
        try expectRefused(try importing("{\"schema\": 1, ", into: dir), in: dir, naming: "not valid JSON")
        try expectRefused(try importing("[1, 2]", into: dir), in: dir, naming: "the JSON root is not an object")
        try expectRefused(try importing(#"{"schema": 2}"#, into: dir), in: dir, naming: "$.schema: unsupported Threat Composer schema 2")
        try expectRefused(try importing(#"{"schema": 1, "threats": {"a": 1}}"#, into: dir), in: dir, naming: "$.threats: expected a list")
        try expectRefused(try importing(#"{"schema": 1, "threats": [{"id": "a", "numericId": 1, "statement": "x can y", "metadata": [{"key": "Priority", "value": 3}]}]}"#, into: dir),
                          in: dir, naming: "$.threats[0].metadata[0].value: expected text")
    }
}
