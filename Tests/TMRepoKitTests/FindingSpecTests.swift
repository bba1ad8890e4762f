import Foundation
import Testing
@testable import TMRepoKit
import ThreatModel

/// How a finding is named on the command line, and the timeline of open findings.
struct FindingSpecTests {
    @Test func everyFormScanPrintsIsAccepted() throws {
        #expect(try FindingSpec(parsing: "TM-IAM-001:OrderFunction") == FindingSpec(rule: "TM-IAM-001", template: nil, logicalId: "OrderFunction"))
        #expect(try FindingSpec(parsing: "TM-IAM-001:sub/template.yaml#OrderRole")
            == FindingSpec(rule: "TM-IAM-001", template: "sub/template.yaml", logicalId: "OrderRole"))
        #expect(try FindingSpec(parsing: "TM-IAM-001 template.yaml#OrderRole Policies[0].PolicyDocument.Statement[0]")
            == FindingSpec(rule: "TM-IAM-001", template: "template.yaml", logicalId: "OrderRole"))
        #expect(try FindingSpec(parsing: "TM-LOG-001") == FindingSpec(rule: "TM-LOG-001", template: nil, logicalId: nil))
        #expect(try FindingSpec(parsing: "TM-LOG-001:template.yaml") == FindingSpec(rule: "TM-LOG-001", template: "template.yaml", logicalId: nil))
        #expect(try FindingSpec(parsing: "TM-LOG-001:*") == FindingSpec(rule: "TM-LOG-001", template: nil, logicalId: nil))
        #expect(try FindingSpec(parsing: "CKV_AWS_45:infra/app.json#Fn").template == "infra/app.json")
        for bad in ["", "   ", ":Fn", "TM-IAM-001:Fn\nx", String(repeating: "A", count: 2_000)] {
            #expect(throws: TMRepoError.self) { try FindingSpec(parsing: bad) }
        }
        let spec = try FindingSpec(parsing: "TM-API-004:Fn")
        #expect(spec.matches(FindingKey(rule: "TM-API-004", template: "a.yaml", logicalId: "Fn", property: "FunctionUrlConfig.AuthType")))
        #expect(!spec.matches(FindingKey(rule: "TM-API-004", template: "a.yaml", logicalId: "Fn2")))
        #expect(AssessmentFormatter.name(FindingKey(rule: "TM-API-004", template: "a.yaml", logicalId: "Fn")) == "TM-API-004:a.yaml#Fn")
        #expect(try FindingSpec(parsing: AssessmentFormatter.name(FindingKey(rule: "R", template: "t.yaml", logicalId: "X")))
            == FindingSpec(rule: "R", template: "t.yaml", logicalId: "X"), "what status prints, assess takes")
    }

    @Test func severalTemplatesWithTheSameLogicalIdMustBeNamed() {
        let a = VulnerabilityFinding(rule: "R", severity: .high, stride: [], path: "a.yaml", line: 1, logicalId: "Fn", message: "")
        var b = a
        b.path = "b.yaml"
        #expect(throws: TMRepoError.self) { try VulnerabilityAssessor.resolve(FindingSpec(rule: "R", template: nil, logicalId: "Fn"), in: [a, b]) }
        #expect((try? VulnerabilityAssessor.resolve(FindingSpec(rule: "R", template: "b.yaml", logicalId: "Fn"), in: [a, b]))??.path == "b.yaml")
    }

    @Test func openFindingsAreReplayedMonthByMonth() {
        func event(_ day: String, _ field: ChangelogEvent.Field, _ id: String, _ severity: String) -> ChangelogEvent {
            ChangelogEvent(id: id, field: field, from: field == .findingFixed ? severity : nil, to: field == .findingIntroduced ? severity : nil,
                           time: Day(day)!.unixTime, commit: "c", author: "a", title: nil)
        }
        let events = [event("2026-01-03", .findingIntroduced, "A", "high"), event("2026-01-09", .findingIntroduced, "B", "low"),
                      event("2026-02-02", .findingFixed, "A", "high"), event("2026-03-30", .findingIntroduced, "A", "high")]
        let series = FindingTimeline.openBySeverityPerMonth(events, from: nil, until: Day("2026-04-15")!.unixTime)
        #expect(series.map(\.month) == ["2026-01", "2026-02", "2026-03", "2026-04"])
        #expect(series.map { $0.counts[.high] ?? 0 } == [1, 0, 1, 1])
        #expect(series.map { $0.counts[.low] ?? 0 } == [1, 1, 1, 1])
        #expect(FindingTimeline.openBySeverityPerMonth([], from: nil, until: 0).isEmpty)
    }
}
