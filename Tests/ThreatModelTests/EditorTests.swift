import Foundation
import Testing
import TestSupport
@testable import ThreatModel

/// The writer must change only what it is asked to and keep every other byte.
struct EditorTests {
    static let validRoot = SourceTree.fixtures + "/valid"
    static var fixtures: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: validRoot)) ?? []).filter { $0.hasSuffix(".md") }.sorted()
    }

    static func bytes(_ name: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: validRoot + "/" + name)!)
    }

    /// Lines of `after` that are not in `before` (and vice versa), ignoring order of equal lines.
    static func changedLines(_ before: [UInt8], _ after: [UInt8]) -> (removed: [String], added: [String]) {
        let old = before.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let new = after.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let diff = new.difference(from: old)
        var removed: [String] = [], added: [String] = []
        for change in diff {
            switch change {
            case .remove(_, let line, _): removed.append(line)
            case .insert(_, let line, _): added.append(line)
            }
        }
        return (removed, added)
    }

    @Test(arguments: EditorTests.fixtures)
    func rewritingAFieldToItsOwnValueChangesNoByte(name: String) throws {
        let original = Self.bytes(name)
        let threat = try #require(ThreatParser.parse(path: name, bytes: original).threat)
        var editor = try ThreatFileEditor(bytes: original)
        #expect(editor.bytes.elementsEqual(original))
        try editor.setField("severity", to: threat.severity!.rawValue)
        try editor.setField("status", to: threat.status!.rawValue)
        try editor.setField("title", to: threat.title)
        for mitigation in threat.mitigations {
            if let verified = mitigation.verified { try editor.setMitigation(mitigation.id, field: "verified", to: verified.description) }
        }
        if let reviewed = threat.reviewed, let on = reviewed.on, let by = reviewed.by {
            try editor.setReviewed(on: on, by: by)
        }
        #expect(editor.bytes.elementsEqual(original), "changed: \(Self.changedLines(original, editor.bytes))")
        #expect(editor.bytes.count == original.count)
    }

    @Test(arguments: EditorTests.fixtures)
    func recordingAReviewTouchesOnlyTheReviewedBlock(name: String) throws {
        let original = Self.bytes(name)
        var editor = try ThreatFileEditor(bytes: original)
        try editor.setReviewed(on: Day("2026-11-02")!, by: "zoe@example.com")
        let after = editor.bytes
        let parsed = ThreatParser.parse(path: name, bytes: after)
        #expect(parsed.threat?.reviewed == ReviewClaim(on: Day("2026-11-02"), by: "zoe@example.com"))
        let before = try #require(ThreatParser.parse(path: name, bytes: original).threat)
        var expected = before
        expected.reviewed = ReviewClaim(on: Day("2026-11-02"), by: "zoe@example.com")
        expected.locations = parsed.threat!.locations
        #expect(parsed.threat == expected, "nothing but the review may change")
        let (removed, added) = Self.changedLines(original, after)
        for line in removed + added {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let isReviewLine = trimmed.hasPrefix("on:") || trimmed.hasPrefix("by:") || trimmed.hasPrefix("reviewed:")
            #expect(isReviewLine, "unexpected change: \(line.debugDescription)")
        }
        // Same line endings and byte-order mark as before.
        #expect(after.starts(with: [0xEF, 0xBB, 0xBF]) == original.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(after.contains(0x0D) == original.contains(0x0D))
    }

    @Test func editsKeepCommentsQuotingAndUnknownFields() throws {
        var editor = try ThreatFileEditor(bytes: Self.bytes("rich.md"))
        try editor.setField("severity", to: "critical")
        try editor.setReviewed(on: Day("2026-11-02")!, by: "zoe@example.com")
        try editor.setMitigation("M-2", field: "verified", to: "2026-11-02")
        try editor.setMitigation("M-1", field: "status", to: "verified")
        let text = editor.text
        #expect(text.contains("severity: critical        # raised after the pentest\n"))
        #expect(text.contains("  on: 2026-11-02   # last session\n"))
        #expect(text.contains("  by: zoe@example.com\n"))
        #expect(text.contains("title: 'Forged JWT: accepted by the \"order\" API'   # trailing comment\n"))
        #expect(text.contains("custom:\n  nested: {keep: me, order: [3, 1, 2]}\n"))
        #expect(text.contains("x-jira: SEC-1234\n"))
        #expect(text.contains("    evidence:\n      - infra/kms.tf\n    verified: 2026-11-02\nthreat:"))
        #expect(text.contains("  # between mitigations\n"))
        #expect(text.contains("    status: verified\n    owner: alice@example.com"))
        let threat = try #require(ThreatParser.parse(path: "rich.md", bytes: editor.bytes).threat)
        #expect(threat.severity == .critical)
        #expect(threat.mitigations.map(\.verified) == [Day("2026-08-14"), Day("2026-11-02")])
        #expect(threat.body.contains("Trailing horizontal rule"))
    }

    @Test func reviewBlockIsAddedAfterTheOwnerWhenMissing() throws {
        var editor = try ThreatFileEditor(bytes: Self.bytes("no-reviewed.md"))
        try editor.setReviewed(on: Day("2026-01-02")!, by: "bob@example.com")
        #expect(editor.text.contains("owner: bob@example.com\nreviewed:\n  on: 2026-01-02\n  by: bob@example.com\nmitigations:\n"))
    }

    @Test func crlfFilesGetCRLFLines() throws {
        var editor = try ThreatFileEditor(bytes: Self.bytes("crlf.md"))
        try editor.setMitigation("M-2", field: "verified", to: "2026-11-02")
        #expect(editor.text.contains("      - infra/kms.tf\r\n    verified: 2026-11-02\r\n"))
        #expect(!editor.text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test func valuesThatNeedQuotesGetThem() throws {
        var editor = try ThreatFileEditor(bytes: Self.bytes("minimal.md"))
        try editor.setField("title", to: "Key: value # not a comment")
        try editor.setField("owner", to: "yes")
        let threat = try #require(ThreatParser.parse(path: "m.md", bytes: editor.bytes).threat)
        #expect(threat.title == "Key: value # not a comment")
        #expect(threat.owner == "yes")
    }

    @Test func unknownMitigationIsAnError() throws {
        var editor = try ThreatFileEditor(bytes: Self.bytes("rich.md"))
        #expect(throws: ThreatFileEditor.EditError.noSuchMitigation("M-9")) {
            try editor.setMitigation("M-9", field: "verified", to: "2026-01-01")
        }
    }
}
