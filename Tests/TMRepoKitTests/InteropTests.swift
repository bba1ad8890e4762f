import Foundation
import Testing
@testable import TMRepoKit
import ThreatModel

/// The pure parts of the importers: STRIDE inference and the hostile-JSON reader.
struct InteropTests {
    @Test(arguments: [
        ("An attacker can impersonate a clinician", ["spoofing"]),
        ("A user can forge a JWT", ["spoofing"]),
        ("An insider can tamper with invoices", ["tampering"]),
        ("A prompt can inject instructions and modify the answer", ["tampering"]),
        ("A staff member can deny having changed the record", ["repudiation"]),
        ("An operator can delete bookings without trace", ["tampering", "repudiation"]),
        ("A researcher can exfiltrate patient data", ["information-disclosure"]),
        ("Anyone can read the stored card data", ["information-disclosure"]),
        ("A bot can flood the queue and exhaust workers", ["denial-of-service"]),
        ("A tenant can escalate to admin", ["elevation-of-privilege"]),
        ("We forgot to rotate the alternative keys", []),
        ("Nothing in particular", []),
    ])
    func keywordsMapToCategories(text: String, expected: [String]) {
        #expect(StrideInference.categories(in: text).map(\.rawValue) == expected)
    }

    @Test func goalsThenFallback() {
        #expect(StrideInference.infer(text: "vague", goals: ["Confidentiality", "availability"]).0 == [.informationDisclosure, .denialOfService])
        #expect(StrideInference.infer(text: "vague", goals: ["Confidentiality"]).1 == .impactedGoals)
        #expect(StrideInference.infer(text: "vague", goals: []) == ([.tampering], .fallback))
        #expect(StrideInference.infer(text: "can leak data", goals: ["availability"]) == ([.informationDisclosure], .keywords))
    }

    @Test func controlCharactersAreCountedAndRemoved() {
        let (text, removed) = InteropJSON.withoutControlCharacters("a\u{0}b\u{9F}c\r\nd\re\tf\ng")
        #expect(text == "abc\nd\ne\tf\ng")
        #expect(removed == 2)
        #expect(InteropJSON.withoutControlCharacters("clean").removed == 0)
    }

    @Test func wholeNumbersAreBounded() throws {
        #expect(try InteropJSON.wholeNumber(NSNumber(value: 42), at: "$.n") == 42)
        #expect(try InteropJSON.wholeNumber(NSNumber(value: 42.0), at: "$.n") == 42)
        for bad: Any in [NSNumber(value: 1e26), NSNumber(value: -1), NSNumber(value: 1.5), "7", NSNull(), NSNumber(value: Double.nan)] {
            #expect(throws: InteropError.self) { try InteropJSON.wholeNumber(bad, at: "$.n") }
        }
    }

    @Test func pathsNameOddKeys() {
        #expect(InteropJSON.child("$", "threats") == "$.threats")
        #expect(InteropJSON.child("$.a", "odd key\"") == "$.a[\"odd key\\\"\"]")
    }

    @Test func readingNamesPathsAndDropsImages() throws {
        let data = Data(#"{"a": [{"n": 1, "s": "x\u0007"}], "img": {"image": "data:..."}}"#.utf8)
        let (root, notes) = try InteropJSON.read(data, format: "X", options: .init(integerKeys: ["n"], dropped: ["$.img.image"]))
        #expect(notes == ["$.a[0].s: removed 1 control character"])
        #expect((root["img"] as? [String: Any])?["image"] as? Bool == true)
        let bad = Data(#"{"a": [{"n": 1}, {"n": 1e30}]}"#.utf8)
        #expect { try InteropJSON.read(bad, format: "X", options: .init(integerKeys: ["n"])) } throws: { error in
            (error as? InteropError)?.description.hasPrefix("$.a[1].n: ") == true
        }
    }

    // MARK: - Open Threat Model vocabulary

    @Test func otmRiskMapsToSeverityAndBack() {
        #expect(OpenThreatModel.severity(impact: 100, likelihood: 100) == .critical)
        #expect(OpenThreatModel.severity(impact: 100, likelihood: 50) == .medium)
        #expect(OpenThreatModel.severity(impact: 60, likelihood: nil) == .medium)
        #expect(OpenThreatModel.severity(impact: 0, likelihood: nil) == .info)
        for severity in Severity.allCases {
            #expect(OpenThreatModel.severity(impact: OpenThreatModel.impact(severity), likelihood: 100) == severity, "\(severity)")
        }
    }

    @Test func otmCategoriesAsOtherToolsWriteThem() {
        #expect(OpenThreatModel.category("Elevation of Privileges") == .elevationOfPrivilege)
        #expect(OpenThreatModel.category("information-disclosure") == .informationDisclosure)
        #expect(OpenThreatModel.category("Denial Of Service") == .denialOfService)
        #expect(OpenThreatModel.category("s") == .spoofing)
        #expect(OpenThreatModel.category("OWASP A03") == nil)
        for category in StrideCategory.allCases {
            #expect(OpenThreatModel.category(OpenThreatModel.categoryName(category)) == category)
        }
    }

    @Test func otmComponentKinds() {
        #expect(OpenThreatModel.kind(type: "tm.Actor", name: "Browser", tags: []) == .externalEntity)
        #expect(OpenThreatModel.kind(type: "CD-MICROSOFT-AZURE-DB-POSTGRESQL", name: "Accounting", tags: []) == .dataStore)
        #expect(OpenThreatModel.kind(type: "tm.Store", name: "Customer records", tags: []) == .dataStore)
        #expect(OpenThreatModel.kind(type: "web-service", name: "Standards API", tags: []) == .process)
        #expect(OpenThreatModel.kind(type: "anything", name: "x", tags: ["kind:data-store"]) == .dataStore)
    }

    @Test func otmStatesInAnySpelling() {
        #expect(OpenThreatModel.threatStates["notapplicable"] == .closed)
        #expect(OpenThreatModel.threatStates["autogenerated"] == .open)
        for status in ThreatStatus.allCases {
            #expect(OpenThreatModel.threatStates[OpenThreatModel.threatState(status).filter(\.isLetter)] == status)
        }
        for status in MitigationStatus.allCases {
            #expect(OpenThreatModel.mitigationStates[OpenThreatModel.mitigationState(status).filter(\.isLetter)] == status)
        }
    }
}
