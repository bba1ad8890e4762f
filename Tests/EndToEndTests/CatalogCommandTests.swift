import Foundation
import Testing
import TestSupport

/// The catalog through the real binary on real git repositories: a shared mitigation goes stale
/// for every threat that references it, an assumption goes overdue and a trailer reviews it,
/// the gate wants a review of a changed catalog file and blocks on its lint errors.
struct CatalogCommandTests {
    static func mitigation(verified: String = "2026-01-05", status: String = "verified") -> String {
        "---\nid: MIT-0001\ntitle: Require MFA for staff\nstatus: \(status)\nowner: team-a\nevidence: [src/auth/**]\nverified: \(verified)\n---\n"
    }

    static let assumption = "---\nid: ASM-0001\nstatement: Staff sign in only through the corporate identity provider.\nowner: team-a\nlinks:\n  threats: [T-0001]\n  mitigations: [MIT-0001]\nreview_every: 30d\n---\n"

    static func threat(_ id: String) -> String {
        "---\nid: \(id)\ntitle: Threat \(id)\nstride: [spoofing]\nseverity: low\nstatus: open\nowner: team-a\nmitigations:\n  - ref: MIT-0001\n---\n\nBody.\n"
    }

    func model() throws -> ModelRepo {
        let repo = try ModelRepo()
        try repo.write("threats/T-0001-a.md", Self.threat("T-0001"))
        try repo.write("threats/T-0002-b.md", Self.threat("T-0002"))
        try repo.write("mitigations/MIT-0001-mfa.md", Self.mitigation())
        try repo.write("assumptions/ASM-0001-idp.md", Self.assumption)
        try repo.write("src/auth/login.swift", "// v1\n")
        try repo.commit("Model with a catalog", "2026-01-05T10:00:00Z")
        return repo
    }

    func status(_ repo: ModelRepo, asOf: String) throws -> [String: Any] {
        let result = try TMRepoBinary.run(["status", "--format", "json", "--as-of", asOf], in: repo.root)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    func stale(_ document: [String: Any]) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for threat in (document["threats"] as? [[String: Any]]) ?? [] {
            let mitigations = ((threat["stale_mitigations"] as? [[String: Any]]) ?? []).map { "\($0["id"] ?? "?"):\($0["reason"] ?? "?")" }
            if !mitigations.isEmpty { out[threat["id"] as? String ?? "?"] = mitigations }
        }
        return out
    }

    @Test func lintIsCleanAndReferencesShowResolved() throws {
        let repo = try model()
        let lint = try TMRepoBinary.run(["lint"], in: repo.root)
        #expect(lint.status == 0 && lint.stdout.contains("4 files checked: 0 errors, 0 warnings"), "\(lint.stdout)")
        let show = try TMRepoBinary.run(["show", "T-0002", "--format", "json"], in: repo.root)
        #expect(show.stdout.contains("\"ref\":\"MIT-0001\"") || show.stdout.contains("\"ref\": \"MIT-0001\""), "\(show.stdout)")
        #expect(show.stdout.contains("Require MFA for staff"))
        try repo.write("threats/T-0002-b.md", Self.threat("T-0002").replacingOccurrences(of: "MIT-0001", with: "MIT-0404"))
        let dangling = try TMRepoBinary.run(["lint"], in: repo.root)
        #expect(dangling.status == 1 && dangling.stdout.contains("threats/T-0002-b.md:8:1: error: mitigations: ref 'MIT-0404' is not a shared mitigation"), "\(dangling.stdout)")
        #expect(dangling.stdout.contains("[unknown-reference]"))
    }

    @Test func evidenceChangeMakesTheSharedMitigationStaleForEveryReferencingThreat() throws {
        let repo = try model()
        #expect(stale(try status(repo, asOf: "2026-01-20")).isEmpty, "nothing changed after verification")
        try repo.write("src/auth/login.swift", "// v2\n")
        let change = try repo.commit("Change the login", "2026-01-10T10:00:00Z")
        let after = stale(try status(repo, asOf: "2026-01-20"))
        #expect(after == ["T-0001": ["MIT-0001:evidence-changed"], "T-0002": ["MIT-0001:evidence-changed"]], "\(after)")
        let text = try TMRepoBinary.run(["status", "--as-of", "2026-01-20"], in: repo.root).stdout
        #expect(text.contains("T-0001/MIT-0001") && text.contains("T-0002/MIT-0001") && text.contains("evidence changed in \(change.prefix(12))"), "\(text)")
        // Re-verifying in the catalog file clears it for both.
        try repo.write("mitigations/MIT-0001-mfa.md", Self.mitigation(verified: "2026-01-11"))
        try repo.commit("Re-verify MFA", "2026-01-11T10:00:00Z")
        #expect(stale(try status(repo, asOf: "2026-01-20")).isEmpty)
    }

    @Test func anAssumptionGoesOverdueAndATrailerReviewsIt() throws {
        let repo = try model()
        let fresh = try status(repo, asOf: "2026-01-20")
        let entries = try #require(fresh["assumptions"] as? [[String: Any]])
        #expect(entries.count == 1 && entries[0]["id"] as? String == "ASM-0001" && entries[0]["overdue"] as? Bool == false)
        #expect(entries[0]["review_due"] as? String == "2026-02-04", "30 days after the commit that added it")
        let late = try status(repo, asOf: "2026-02-10")
        let overdue = try #require((late["assumptions"] as? [[String: Any]])?.first)
        #expect(overdue["overdue"] as? Bool == true && overdue["days_overdue"] as? Int == 6)
        #expect(late["assumptions_overdue"] as? Int == 1)
        let text = try TMRepoBinary.run(["status", "--as-of", "2026-02-10"], in: repo.root).stdout
        #expect(text.contains("Overdue assumptions (1 of 1)") && text.contains("ASM-0001") && text.contains("6d overdue"), "\(text)")

        try repo.git.run(["commit", "-q", "--allow-empty", "-m", "Review the IdP assumption\n\nReviewed-assumption: asm-0001"],
                         date: "2026-02-08T10:00:00Z", author: ("bob", "bob@example.com"))
        let reviewed = try #require((try status(repo, asOf: "2026-02-10")["assumptions"] as? [[String: Any]])?.first)
        #expect(reviewed["overdue"] as? Bool == false && reviewed["last_review_via"] as? String == "trailer", "\(reviewed)")
        #expect(reviewed["review_due"] as? String == "2026-03-10")
        // A change of the reviewed block counts too (its commit time, not the typed date).
        try repo.write("assumptions/ASM-0001-idp.md", Self.assumption.replacingOccurrences(of: "review_every: 30d\n", with: "review_every: 30d\nreviewed:\n  on: 2026-01-01\n  by: bob@example.com\n"))
        try repo.commit("Record a review", "2026-03-01T10:00:00Z", by: "bob@example.com")
        let block = try #require((try status(repo, asOf: "2026-03-02")["assumptions"] as? [[String: Any]])?.first)
        #expect(block["last_review_via"] as? String == "reviewed-block" && block["review_due"] as? String == "2026-03-31", "\(block)")
    }

    @Test func theGateWantsAReviewOfAChangedCatalogFileAndBlocksOnItsLintErrors() throws {
        let repo = try model()
        try repo.git.run(["checkout", "-q", "-b", "feature"])
        try repo.write("mitigations/MIT-0001-mfa.md", Self.mitigation(status: "implemented"))
        let change = try repo.commit("Downgrade MFA", "2026-01-10T10:00:00Z", by: "alice@example.com")
        let blocked = try TMRepoBinary.run(["check", "--as-of", "2026-01-20"], in: repo.root)
        #expect(blocked.status == 1, "\(blocked.stdout)")
        #expect(blocked.stdout.contains("mitigations/MIT-0001-mfa.md was changed in \(change.prefix(12)) by alice@example.com and no review in the range saw the version at head"), "\(blocked.stdout)")
        #expect(blocked.stdout.contains("Reviewed-mitigation: MIT-0001"))
        try repo.git.run(["commit", "-q", "--allow-empty", "-m", "Review MFA\n\nReviewed-mitigation: MIT-0001"], date: "2026-01-11T10:00:00Z",
                         author: ("bob", "bob@example.com"))
        let passed = try TMRepoBinary.run(["check", "--as-of", "2026-01-20"], in: repo.root)
        #expect(passed.status == 0, "\(passed.stdout)")

        // A reviewed change with a lint error still blocks.
        try repo.write("mitigations/MIT-0001-mfa.md", Self.mitigation(status: "sometimes"))
        try repo.commit("Break it", "2026-01-12T10:00:00Z", by: "alice@example.com")
        try repo.git.run(["commit", "-q", "--allow-empty", "-m", "Review\n\nReviewed-mitigation: MIT-0001"], date: "2026-01-12T11:00:00Z",
                         author: ("bob", "bob@example.com"))
        let broken = try TMRepoBinary.run(["check", "--as-of", "2026-01-20"], in: repo.root)
        #expect(broken.status == 1 && broken.stdout.contains("lint-error mitigations/MIT-0001-mfa.md:4"), "\(broken.stdout)")
    }

    @Test func theReportListsTheCatalog() throws {
        let repo = try model()
        let md = try TMRepoBinary.run(["report", "--format", "md", "--as-of", "2026-02-10"], in: repo.root)
        #expect(md.status == 0, "\(md.stderr)")
        #expect(md.stdout.contains("## Catalog"))
        #expect(md.stdout.contains("| MIT-0001 Require MFA for staff | verified | team-a | ` src/auth/** ` | 2026-01-05 | T-0001, T-0002 |"), "\(md.stdout)")
        #expect(md.stdout.contains("| ASM-0001 Staff sign in only through the corporate identity provider. | team-a | T-0001 | MIT-0001 | 2026-02-04 (**overdue**) |"), "\(md.stdout)")
        #expect(md.stdout.contains("- mitigation MIT-0001 \\[verified\\] Require MFA for staff"), "listed under each threat")
        let html = try TMRepoBinary.run(["report", "--as-of", "2026-02-10"], in: repo.root)
        #expect(html.stdout.contains("<section id=\"catalog\">") && html.stdout.contains("Assumptions (1, 1 overdue)"))
    }

    @Test func otmListsASharedMitigationOnce() throws {
        let repo = try model()
        let out = repo.dir.url("model.otm.json")
        let export = try TMRepoBinary.run(["export", "otm", "--out", out], in: repo.root)
        #expect(export.status == 0, "\(export.stderr)")
        let document = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        let ids = ((document["mitigations"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        #expect(ids == ["MIT-0001"], "\(ids)")
    }

    @Test func catalogEntriesThatAreNotRegularFilesAreReported() throws {
        let repo = try model()
        try FileManager.default.createSymbolicLink(atPath: repo.dir.url("mitigations/MIT-0002-link.md"),
                                                   withDestinationPath: repo.dir.url("mitigations/MIT-0001-mfa.md"))
        let lint = try TMRepoBinary.run(["lint"], in: repo.root)
        #expect(lint.status == 1 && lint.stdout.contains("mitigations/MIT-0002-link.md is a symbolic link; a catalog file must be a regular file"), "\(lint.stdout)")
    }

    @Test func aThreatComposerAssumptionWithoutTextIsAnErrorAndNothingIsWritten() throws {
        let dir = try TempDir("tc-blank")
        #expect(try TMRepoBinary.run(["init"], in: dir.path).status == 0)
        let file = dir.url("blank.tc.json")
        try dir.write("blank.tc.json", """
            {"schema": 1, "threats": [{"id": "t1", "numericId": 1, "statement": "An actor can read data", "status": "threatResolvedNotUseful"}],
             "assumptions": [{"id": "a1", "numericId": 1, "content": "  \\n "}], "assumptionLinks": [{"type": "Threat", "assumptionId": "a1", "linkedId": "t1"}]}
            """)
        let result = try TMRepoBinary.run(["import", "threat-composer", file], in: dir.path)
        #expect(result.status == 2 && result.stderr.contains("$.assumptions[0].content: the assumption has no text; nothing was written"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url("threats")).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dir.url("assumptions")))
    }

    @Test func thePreCommitHookLintsStagedCatalogFiles() throws {
        let repo = try model()
        try repo.write("assumptions/ASM-0001-idp.md", Self.assumption.replacingOccurrences(of: "review_every: 30d", with: "review_every: soon"))
        try repo.git.run(["add", "-A"])
        let hook = try TMRepoBinary.run(["hook", "pre-commit"], in: repo.root)
        #expect(hook.status == 1 && hook.stderr.contains("assumptions/ASM-0001-idp.md"), "\(hook.stderr)")
    }

    @Test func withoutBlockUnreviewedChangesACatalogChangeNeedsNoReviewButItsLintErrorsBlock() throws {
        let repo = try model()
        try repo.write(".tmrepo.yml", ModelRepo.config.replacingOccurrences(of: "policy:\n", with: "policy:\n  block_unreviewed_changes: false\n"))
        try repo.commit("Relax the policy", "2026-01-06T10:00:00Z")
        try repo.git.run(["checkout", "-q", "-b", "feature"])
        try repo.write("mitigations/MIT-0001-mfa.md", Self.mitigation(status: "implemented"))
        try repo.commit("Downgrade MFA", "2026-01-10T10:00:00Z")
        let passed = try TMRepoBinary.run(["check", "--as-of", "2026-01-20"], in: repo.root)
        #expect(passed.status == 0, "\(passed.stdout)")
        try repo.write("mitigations/MIT-0001-mfa.md", Self.mitigation(status: "sometimes"))
        try repo.commit("Break it", "2026-01-12T10:00:00Z")
        let broken = try TMRepoBinary.run(["check", "--as-of", "2026-01-20"], in: repo.root)
        #expect(broken.status == 1 && broken.stdout.contains("lint-error mitigations/MIT-0001-mfa.md:4"), "\(broken.stdout)")
    }
}
