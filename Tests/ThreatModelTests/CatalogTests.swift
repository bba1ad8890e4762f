import Testing
@testable import ThreatModel

/// The catalog (shared mitigations, assumptions): parsing, lint, and references resolved into threats.
struct CatalogTests {
    static let config = "owners:\n  payments-team: [alice@example.com]\n"

    static func threat(_ id: String, mitigations: String) -> ModelFile {
        ModelFile(path: "threats/\(id)-x.md", bytes: Array("""
            ---
            id: \(id)
            title: Threat \(id)
            stride: [spoofing]
            severity: high
            status: open
            owner: payments-team
            mitigations:
            \(mitigations)
            ---

            """.utf8))
    }

    static let mfa = ModelFile(path: "mitigations/MIT-0001-mfa.md", bytes: Array("""
        ---
        id: MIT-0001
        title: Require MFA
        status: verified
        owner: payments-team
        evidence: [src/auth/**]
        verified: 2026-01-10
        ---
        Notes.

        """.utf8))

    static let tls = ModelFile(path: "assumptions/ASM-0001-tls.md", bytes: Array("""
        ---
        id: ASM-0001
        statement: All traffic is TLS 1.2 or later.
        owner: payments-team
        links:
          threats: [T-0001, t-0002]
          mitigations: [MIT-0001]
        review_every: 90d
        ---

        """.utf8))

    static func model(_ threats: [ModelFile], catalog: [(CatalogKind, ModelFile)]) -> Model {
        Model(sources: ModelSources(config: ModelFile(path: ".tmrepo.yml", bytes: Array(config.utf8)), threatFiles: threats,
                                    catalogFiles: catalog.map { (kind: $0.0, file: $0.1) }))
    }

    @Test func referencesResolveForEveryThreatAndTheCatalogIsClean() {
        let model = Self.model([Self.threat("T-0001", mitigations: "  - ref: MIT-0001\n  - id: M-1\n    title: Own\n    status: planned"),
                                Self.threat("T-0002", mitigations: "  - ref: mit-0001")],
                               catalog: [(.mitigation, Self.mfa), (.assumption, Self.tls)])
        #expect(model.diagnostics.isEmpty, "\(model.diagnostics.map(\.formatted))")
        #expect(model.sharedMitigations.map(\.id) == ["MIT-0001"])
        let assumption = model.assumption(id: "asm-0001")
        #expect(assumption?.threats == ["T-0001", "t-0002"])
        #expect(assumption?.reviewEvery == Cadence(count: 90, unit: .days))
        for id in ["T-0001", "T-0002"] {
            let shared = model.threat(id: id)?.mitigations.first
            #expect(shared?.ref == "MIT-0001" && shared?.id == "MIT-0001")
            #expect(shared?.status == .verified && shared?.evidence == ["src/auth/**"] && shared?.verified == Day("2026-01-10"))
        }
        #expect(model.threat(id: "T-0001")?.mitigations.last?.ref == nil)
    }

    @Test func danglingReferencesDuplicatesAndBadFieldsAreReported() {
        let duplicate = ModelFile(path: "mitigations/MIT-0001-again.md", bytes: Array("---\nid: MIT-0001\ntitle: Again\nstatus: sometimes\n---\n".utf8))
        let misnamed = ModelFile(path: "assumptions/ASM-0002-x.md", bytes: Array("---\nid: ASM-0003\nstatement: ''\nlinks:\n  threats: [T-0404]\n  mitigations: [MIT-0404]\n---\n".utf8))
        let model = Self.model([Self.threat("T-0001", mitigations: "  - ref: MIT-0404\n    title: not here"),
                                Self.threat("T-0002", mitigations: "  - ref: MIT-0001\n  - ref: mit-0001")],
                               catalog: [(.mitigation, Self.mfa), (.mitigation, duplicate), (.assumption, misnamed)])
        let found = model.diagnostics.map { "\($0.path):\($0.line) \($0.rule)" }
        #expect(found.contains("threats/T-0001-x.md:8 unknown-reference"), "\(found)")
        #expect(found.contains("threats/T-0001-x.md:10 invalid-value"), "a ref entry with its own fields: \(found)")
        #expect(found.contains("threats/T-0002-x.md:8 duplicate-mitigation-id"), "the same shared mitigation twice: \(found)")
        #expect(found.contains("mitigations/MIT-0001-again.md:2 duplicate-id"))
        #expect(found.contains("mitigations/MIT-0001-mfa.md:2 duplicate-id"))
        #expect(found.contains("mitigations/MIT-0001-again.md:4 invalid-value"), "unknown status")
        #expect(found.contains("assumptions/ASM-0002-x.md:2 id-filename-mismatch"))
        #expect(found.contains("assumptions/ASM-0002-x.md:3 invalid-value"), "blank statement")
        #expect(model.diagnostics.filter { $0.rule == "unknown-reference" && $0.path.hasPrefix("assumptions/") }.count == 2)
    }

    @Test func hostileCatalogFilesAreErrorsNotCrashes() {
        let files: [[UInt8]] = [[0xff, 0xfe], Array("no front matter".utf8), Array("---\n- a list\n---\n".utf8),
                                Array("---\nid: [MIT-1]\n---\n".utf8), Array("---\nid: &a MIT-1\nx: *a\n---\n".utf8)]
        for bytes in files {
            let parsed = CatalogParser.parse(path: "mitigations/MIT-0001-x.md", bytes: bytes, kind: .mitigation)
            #expect(parsed.mitigation == nil && parsed.diagnostics.contains { $0.severity == .error })
        }
    }

    @Test func olderModelsWithoutACatalogStayValid() {
        let model = Self.model([Self.threat("T-0001", mitigations: "  - id: M-1\n    title: Own\n    status: planned")], catalog: [])
        #expect(model.diagnostics.isEmpty && model.sharedMitigations.isEmpty && model.assumptions.isEmpty)
    }

    /// Evidence that changed in commit "c2", after "c1".
    struct Oracle: EvidenceOracle {
        func firstChange(matching globs: [String], after commit: String) -> String? {
            commit == "c1" && globs.contains("src/auth/**") ? "c2" : nil
        }
    }

    static func ref(_ commit: String, _ day: String) -> CommitRef {
        CommitRef(commit: commit, time: Int64(Day(day)!.daysSinceEpoch) * 86_400 + 36_000, author: Identity(name: "a", email: "a@example.com"))
    }

    @Test func aStaleSharedMitigationIsReportedUnderEveryReferencingThreat() {
        let model = Self.model([Self.threat("T-0001", mitigations: "  - ref: MIT-0001"), Self.threat("T-0002", mitigations: "  - ref: MIT-0001"),
                                Self.threat("T-0003", mitigations: "  - id: M-1\n    title: Own\n    status: planned")],
                               catalog: [(.mitigation, Self.mfa), (.assumption, Self.tls)])
        var facts = CatalogFacts()
        facts.items["MIT-0001"] = CatalogItemFacts(created: Self.ref("c1", "2026-01-10"), verifiedSetBy: Self.ref("c1", "2026-01-10"))
        facts.items["ASM-0001"] = CatalogItemFacts(created: Self.ref("c1", "2026-01-10"))
        // Within the threats' 60-day cadence of the verification, so only the evidence makes it stale.
        let early = Int64(Day("2026-02-20")!.daysSinceEpoch) * 86_400
        let report = StatusReport(model: model, histories: [:], head: "c2", asOf: early, lastActivity: [:], evidence: Oracle(), catalog: facts)
        let stale = Dictionary(uniqueKeysWithValues: report.entries.map { ($0.threat.id, $0.staleMitigations.map { "\($0.id) \($0.reason.rawValue) \($0.commit ?? "-")" }) })
        #expect(stale["T-0001"] == ["MIT-0001 evidence-changed c2"] && stale["T-0002"] == ["MIT-0001 evidence-changed c2"], "\(stale)")
        #expect(stale["T-0003"] == [])
        // Without the catalog's history nothing says when it was verified: no evidence staleness is claimed.
        let blind = StatusReport(model: model, histories: [:], head: "c2", asOf: early, lastActivity: [:], evidence: Oracle(), catalog: CatalogFacts())
        #expect(blind.entries.allSatisfy { $0.staleMitigations.isEmpty })
        #expect(report.assumptions.first?.overdue == false && report.assumptions.first?.reviewDue == Day("2026-04-10"))

        // ASM-0001: 90 days from 2026-01-10 is 2026-04-10; on 2026-04-20 it is 10 days overdue.
        let asOf = Int64(Day("2026-04-20")!.daysSinceEpoch) * 86_400
        let late = StatusReport(model: model, histories: [:], head: "c2", asOf: asOf, lastActivity: [:], evidence: Oracle(), catalog: facts)
        let assumption = late.assumptions.first
        #expect(assumption?.reviewDue == Day("2026-04-10") && assumption?.overdue == true && assumption?.daysOverdue == 10)
        facts.items["ASM-0001"]?.addReview(ref: Self.ref("c3", "2026-04-15"), byTrailer: true, reviewer: "b@example.com")
        let reviewed = StatusReport(model: model, histories: [:], head: "c3", asOf: asOf, lastActivity: [:], evidence: Oracle(), catalog: facts)
        #expect(reviewed.assumptions.first?.overdue == false && reviewed.assumptions.first?.reviewDue == Day("2026-07-14"))
        #expect(reviewed.assumptions.first?.lastReview?.via == .trailer)
    }
}
