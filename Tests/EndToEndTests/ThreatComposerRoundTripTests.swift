import Foundation
import Testing
import TestSupport

/// Threat Composer → tmrepo → Threat Composer keeps every threat, mitigation, assumption and
/// link once, with statements, statuses, priorities, STRIDE and custom metadata; and the import
/// of the export writes the same files byte for byte. On our fixtures and, when present, on
/// every real file in ../shared/fixtures/threat-composer.
struct ThreatComposerRoundTripTests {
    typealias Object = [String: Any]

    static let ownFiles = ["ClinicBooking.tc.json", "WorkshopStyle.tc.json"].map { ThreatComposerTests.fixtures + "/" + $0 }
    static let sharedFiles = ThreatComposerTests.sharedFiles.map { SourceTree.shared + "/fixtures/threat-composer/" + $0 }

    static func load(_ path: String) throws -> Object {
        try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? Object)
    }

    static func list(_ document: Object, _ key: String) -> [Object] { (document[key] as? [Object]) ?? [] }

    /// metadata as key → values (a single value as a list of one).
    static func metadata(_ item: Object) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for entry in (item["metadata"] as? [Object]) ?? [] {
            guard let key = entry["key"] as? String else { continue }
            out[key] = (entry["value"] as? String).map { [$0] } ?? ((entry["value"] as? [String]) ?? [])
        }
        return out
    }

    static func custom(_ item: Object) -> [String: [String]] { metadata(item).filter { $0.key.hasPrefix("custom:") } }

    /// The links of a document whose both ends are in it (a link to nothing is dropped on import, and said so).
    static func links(_ document: Object) -> (mitigation: Set<String>, assumption: Set<String>) {
        let threats = Set(list(document, "threats").compactMap { $0["id"] as? String })
        let mitigations = Set(list(document, "mitigations").compactMap { $0["id"] as? String })
        let assumptions = Set(list(document, "assumptions").compactMap { $0["id"] as? String })
        let mitigationLinks = list(document, "mitigationLinks").compactMap { link -> String? in
            guard let m = link["mitigationId"] as? String, let t = link["linkedId"] as? String, mitigations.contains(m), threats.contains(t) else { return nil }
            return m + ">" + t
        }
        let assumptionLinks = list(document, "assumptionLinks").compactMap { link -> String? in
            guard let a = link["assumptionId"] as? String, let l = link["linkedId"] as? String, assumptions.contains(a),
                  threats.contains(l) || mitigations.contains(l) else { return nil }
            return a + ">" + l
        }
        return (Set(mitigationLinks), Set(assumptionLinks))
    }

    static func counts(_ document: Object) -> [Int] {
        let (m, a) = links(document)
        return [list(document, "threats").count, list(document, "mitigations").count, list(document, "assumptions").count, m.count, a.count]
    }

    /// Imports, checks lint, exports, compares; imports the export again and compares the files.
    /// Returns the counts in and out (threats, mitigations, assumptions, mitigation links, assumption links).
    @discardableResult
    static func roundTrip(_ file: String) throws -> (in: [Int], out: [Int]) {
        let name = URL(fileURLWithPath: file).lastPathComponent
        let first = try TempDir("tc-rt")
        #expect(try TMRepoBinary.run(["init"], in: first.path).status == 0)
        let imported = try TMRepoBinary.run(["import", "threat-composer", file, "--owner", "team@example.com"], in: first.path)
        #expect(imported.status == 0, "\(name): \(imported.stderr)")
        let lint = try TMRepoBinary.run(["lint"], in: first.path)
        #expect(lint.status == 0 && lint.stdout.contains(": 0 errors"), "\(name): import is lint-clean: \(lint.stdout)")
        let exported = first.url("out.tc.json")
        let export = try TMRepoBinary.run(["export", "threat-composer", "--out", exported], in: first.path)
        #expect(export.status == 0, "\(name): \(export.stderr)")
        let input = try load(file), output = try load(exported)
        let countsIn = counts(input), countsOut = counts(output)
        #expect(countsIn == countsOut, "\(name): threats, mitigations, assumptions, mitigation links, assumption links")
        // The raw link lists too: each link written once.
        #expect(list(output, "mitigationLinks").count == countsOut[3] && list(output, "assumptionLinks").count == countsOut[4], "\(name)")
        let (inM, inA) = links(input), (outM, outA) = links(output)
        #expect(inM == outM && inA == outA, "\(name): the same links, by Threat Composer id")

        func byID(_ document: Object, _ key: String) -> [String: Object] {
            Dictionary(list(document, key).compactMap { item in (item["id"] as? String).map { ($0, item) } }, uniquingKeysWith: { a, _ in a })
        }
        let outThreats = byID(output, "threats")
        for threat in list(input, "threats") {
            let id = threat["id"] as? String ?? ""
            guard let back = outThreats[id] else { Issue.record("\(name): threat \(id) is missing"); continue }
            #expect(back["statement"] as? String == threat["statement"] as? String, "\(name) \(id): statement")
            #expect(back["status"] as? String == (threat["status"] as? String ?? "threatIdentified"), "\(name) \(id): status")
            let (before, after) = (metadata(threat), metadata(back))
            if let priority = before["Priority"] { #expect(after["Priority"] == priority, "\(name) \(id): Priority") }
            if let stride = before["STRIDE"] { #expect(after["STRIDE"] == stride, "\(name) \(id): STRIDE") }
            for (key, values) in custom(threat) { #expect(after[key] == values, "\(name) \(id): \(key)") }
            for key in ["threatSource", "prerequisites", "threatAction", "threatImpact"] where threat[key] != nil {
                #expect(back[key] as? String == threat[key] as? String, "\(name) \(id): \(key)")
            }
        }
        for key in ["mitigations", "assumptions"] {
            let outItems = byID(output, key)
            for item in list(input, key) {
                let id = item["id"] as? String ?? ""
                guard let back = outItems[id] else { Issue.record("\(name): \(key) \(id) is missing"); continue }
                #expect(back["content"] as? String == item["content"] as? String, "\(name) \(key) \(id): content")
                if key == "mitigations" { #expect(back["status"] as? String == item["status"] as? String, "\(name) \(id): status") }
                #expect(metadata(back)["Comments"] == metadata(item)["Comments"], "\(name) \(key) \(id): Comments")
                for (meta, values) in custom(item) { #expect(metadata(back)[meta] == values, "\(name) \(key) \(id): \(meta)") }
                #expect((back["tags"] as? [String] ?? []) == (item["tags"] as? [String] ?? []), "\(name) \(key) \(id): tags")
            }
        }

        // Byte-stable: importing the export gives the same files.
        let second = try TempDir("tc-rt2")
        #expect(try TMRepoBinary.run(["init"], in: second.path).status == 0)
        let again = try TMRepoBinary.run(["import", "threat-composer", exported], in: second.path)
        #expect(again.status == 0, "\(name): \(again.stderr)")
        for folder in ["threats", "mitigations", "assumptions"] {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: first.url(folder))) ?? []).sorted()
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: second.url(folder))) ?? []).sorted() == names, "\(name): \(folder)")
            for file in names {
                #expect(try first.read(folder + "/" + file) == second.read(folder + "/" + file), "\(name): \(folder)/\(file) changed")
            }
        }
        if ThreatComposerTests.hasJSONSchema {
            let valid = try ThreatComposerTests.validate(exported)
            #expect(valid.status == 0 && valid.stdout == "valid\n", "\(name): \(valid.stderr)")
        }
        return (countsIn, countsOut)
    }

    @Test(arguments: ThreatComposerRoundTripTests.ownFiles)
    func ourFixturesRoundTripFaithfully(file: String) throws {
        try Self.roundTrip(file)
    }

    @Test(.enabled(if: !ThreatComposerRoundTripTests.sharedFiles.isEmpty,
                   "needs ../shared/fixtures/threat-composer/*.tc.json, real Threat Composer files beside the workspace (not part of a clone)"),
          arguments: ThreatComposerRoundTripTests.sharedFiles)
    func everySharedFileRoundTripsFaithfully(file: String) throws {
        try Self.roundTrip(file)
    }

    @Test func theClinicCountsAreTheOnesDocumented() throws {
        // docs/interop.md quotes these: one mitigation link of the fixture points at no threat and is dropped.
        let counts = try Self.roundTrip(ThreatComposerTests.fixture)
        #expect(counts.in == [7, 7, 4, 11, 6])
        #expect(try ThreatComposerTests.counts(ThreatComposerTests.fixture) == [7, 7, 4, 12, 6])
    }

    @Test func sharedMitigationsAndAssumptionsBecomeCatalogFiles() throws {
        let dir = try TempDir("tc-catalog")
        #expect(try TMRepoBinary.run(["init"], in: dir.path).status == 0)
        let result = try TMRepoBinary.run(["import", "threat-composer", ThreatComposerTests.fixture, "--owner", "clinic-team@example.com"], in: dir.path)
        #expect(result.stdout.hasPrefix("imported 7 threats, 7 shared mitigations and 4 assumptions"), "\(result.stdout)")
        #expect(result.stdout.contains("links to 'a83c546d-bc4d-43dc-96c9-3f01a9f18630', which is no threat"))
        let mitigations = try FileManager.default.contentsOfDirectory(atPath: dir.url("mitigations")).sorted()
        #expect(mitigations.count == 7 && mitigations[0].hasPrefix("MIT-0001-require-multi-factor"), "\(mitigations)")
        let mfa = try dir.read("mitigations/" + mitigations[0])
        #expect(mfa.contains("status: implemented") && mfa.contains("comments: Enforced for staff since March; patients can opt in."), "\(mfa)")
        let assumptions = try FileManager.default.contentsOfDirectory(atPath: dir.url("assumptions")).sorted()
        #expect(assumptions.count == 4)
        let first = try dir.read("assumptions/" + assumptions[0])
        #expect(first.contains("statement: Patients sign in through the clinic's managed identity provider; the booking API never sees passwords."))
        #expect(first.contains("links:\n  threats: [T-0001, "), "\(first)")
        let threat = try FileManager.default.contentsOfDirectory(atPath: dir.url("threats")).sorted()[0]
        #expect(try dir.read("threats/" + threat).contains("mitigations:\n  - ref: MIT-0001\n  - ref: MIT-0002\n"))
    }
}
