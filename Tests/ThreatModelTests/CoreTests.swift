import Foundation
import Testing
import TestSupport
@testable import ThreatModel

struct DayTests {
    @Test func parsesOnlyRealDates() {
        #expect(Day("2026-02-28") != nil)
        #expect(Day("2024-02-29") != nil)
        #expect(Day("2026-02-29") == nil)
        #expect(Day("2026-1-01") == nil)
        #expect(Day("26-01-01") == nil)
        #expect(Day("2026-01-01T00:00") == nil)
    }

    @Test func convertsToAndFromUnixTime() {
        #expect(Day(unixTime: 0).description == "1970-01-01")
        #expect(Day(unixTime: 1_786_665_600).description == "2026-08-14")
        #expect(Day("2026-08-14")!.unixTime == 1_786_665_600)
        #expect(Day(unixTime: -1).description == "1969-12-31")
    }

    @Test func cadencesUseCalendarMonths() {
        let day = Day("2026-01-31")!
        #expect(Cadence("1m")!.after(day).description == "2026-02-28")
        #expect(Cadence("30d")!.after(day).description == "2026-03-02")
        #expect(Cadence("2w")!.after(day).description == "2026-02-14")
        #expect(Cadence("1y")!.after(Day("2024-02-29")!).description == "2025-02-28")
        #expect(Cadence("0d") == nil)
        #expect(Cadence("d") == nil)
        #expect(Cadence("5x") == nil)
    }
}

struct MatrixTests {
    @Test func countsThreatsAndMarksGapsByElementKind() {
        let elements = "elements:\n  - {id: user, kind: external-entity, name: User}\n  - {id: api, kind: process, name: API}\n  - {id: db, kind: data-store, name: DB}\n  - {id: flow, kind: data-flow, name: Flow}\n"
        func threat(_ id: String, _ element: String, _ stride: String) -> ModelFile {
            ModelFile(path: "threats/\(id)-x.md", bytes: Array("---\nid: \(id)\ntitle: x\nstride: [\(stride)]\nelement: \(element)\nseverity: low\nstatus: closed\n---\n".utf8))
        }
        let model = Model(sources: ModelSources(config: nil, elements: ModelFile(path: "elements.yml", bytes: Array(elements.utf8)), threatFiles: [
            threat("T-1", "api", "spoofing, tampering"), threat("T-2", "api", "spoofing"), threat("T-3", "db", "tampering"),
            threat("T-4", "user", "tampering"), threat("T-5", "ghost", "spoofing"),
        ]))
        let matrix = CoverageMatrix(model: model)
        let api = matrix.rows.first { $0.elementID == "api" }!
        #expect(api.cells.map(\.count) == [2, 1, 0, 0, 0, 0])
        #expect(api.gaps == [.repudiation, .informationDisclosure, .denialOfService, .elevationOfPrivilege])
        let user = matrix.rows.first { $0.elementID == "user" }!
        #expect(user.gaps == [.spoofing, .repudiation])
        #expect(user.cells[1].count == 1 && !user.cells[1].applicable)
        let db = matrix.rows.first { $0.elementID == "db" }!
        #expect(db.gaps == [.repudiation, .informationDisclosure, .denialOfService])
        let flow = matrix.rows.first { $0.elementID == "flow" }!
        #expect(flow.gaps == [.tampering, .informationDisclosure, .denialOfService])
        #expect(matrix.applicableCellCount == 2 + 6 + 4 + 3)
        #expect(matrix.gapCount == 2 + 4 + 3 + 3)
        #expect(matrix.unassigned == ["T-5"])
        #expect(model.diagnostics.contains { $0.rule == "unknown-element" })
    }

    @Test func templatesInstantiateIntoValidThreats() throws {
        let folder = SourceTree.root + "/templates/threats"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".md") }
        #expect(names.count >= 20)
        var services = Set<String>()
        for name in names {
            let template = try ThreatTemplate.parse(bytes: [UInt8](FileManager.default.contents(atPath: folder + "/" + name)!), fallbackName: name)
            #expect(template.appliesTo != nil, "\(name) names no element kind")
            #expect(template.mitigationCount > 0, "\(name) suggests no mitigation")
            services.insert(template.service ?? "")
            let bytes = try template.instantiate(.init(id: "T-0100", owner: "team@example.com"))
            let parsed = ThreatParser.parse(path: "threats/T-0100-x.md", bytes: bytes)
            #expect(!parsed.hasErrors, "\(name): \(parsed.diagnostics.map(\.formatted))")
            #expect(!String(decoding: bytes, as: UTF8.self).contains("template:"))
        }
        for service in ["api-gateway", "lambda", "iam", "s3", "dynamodb", "sqs", "sns", "eventbridge", "cognito", "cloudtrail", "cloudwatch"] {
            #expect(services.contains(service), "no template for \(service)")
        }
    }

    @Test func slugsAreFileNameSafe() {
        #expect(ThreatTemplate.slug("Forged JWT: accepted by the <order> API!") == "forged-jwt-accepted-by-the-order-api")
        #expect(ThreatTemplate.slug("Ünïcode only ☃") == "n-code-only")
        #expect(ThreatTemplate.slug("☃") == "threat")
    }

    @Test func idsInFileNames() {
        #expect(ThreatParser.idInFileName("T-0042-forged.md", prefix: "T-") == "T-0042")
        #expect(ThreatParser.idInFileName("T-0042.md", prefix: "T-") == "T-0042")
        #expect(ThreatParser.idInFileName("T-00x.md", prefix: "T-") == nil)
        #expect(ThreatParser.idInFileName("T-0042x.md", prefix: "T-") == nil)
        #expect(Model.idOrder("T-2", "T-10"))
    }

    /// The byte-wise fast path for ASCII names must answer as the character rules do, and non-ASCII
    /// names (combining marks after "-" or "/", CR LF, other scripts) must still get the character rules.
    @Test func idsInFileNamesAndPathsAgreeWithTheCharacterRules() {
        func idByCharacters(_ name: String, _ prefix: String) -> String? {
            guard name.hasPrefix(prefix) else { return nil }
            let digits = name.dropFirst(prefix.count).prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty else { return nil }
            let rest = name.dropFirst(prefix.count + digits.count)
            guard rest.isEmpty || rest.hasPrefix("-") || rest.hasPrefix(".") else { return nil }
            return prefix + digits
        }
        func validByCharacters(_ id: String, _ prefix: String) -> Bool {
            guard id.hasPrefix(prefix) else { return false }
            let digits = id.dropFirst(prefix.count)
            return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
        }
        let pieces = ["T", "-", "0", "42", "x", ".", "md", "/", "\u{301}", "\r\n", "\r", "é", "Т", "٣", " ", "RISK-"]
        var random = SeededGenerator(seed: 42)
        for round in 0..<20_000 {
            let name = (0..<Int(random.next() % 7)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
            let text = round % 2 == 0 ? "T-" + name : name
            for prefix in ["T-", "RISK-", "Т-"] {
                #expect(ThreatParser.idInFileName(text, prefix: prefix) == idByCharacters(text, prefix), "\(Array(text.unicodeScalars)) \(prefix)")
                #expect(ThreatParser.isValidID(text, prefix: prefix) == validByCharacters(text, prefix), "\(Array(text.unicodeScalars)) \(prefix)")
            }
            let path = "threats/" + text
            let byCharacters = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
            #expect(Linter.fileName(path) == byCharacters, "\(Array(path.unicodeScalars))")
        }
    }
}

struct ReviewOrderTests {
    /// Reviews of one second: one answer whatever order they were folded in.
    @Test func theLatestReviewDoesNotDependOnTheirOrder() {
        func review(_ commit: String, _ time: Int64, _ via: Review.Via, _ reviewer: String) -> Review {
            Review(ref: CommitRef(commit: commit, time: time, author: Identity(name: "A", email: reviewer)), via: via, reviewer: reviewer)
        }
        let reviews = [review("b", 100, .trailer, "bob@x"), review("a", 100, .trailer, "alice@x"), review("c", 99, .reviewedBlock, "carol@x"),
                       review("d", 100, .reviewedBlock, "dan@x"), review("e", 100, .reviewedBlock, "erin@x"), review("f", 200, .trailer, "fay@x")]
        var random = SeededGenerator(seed: 9)
        for _ in 0..<50 {
            let shuffled = reviews.shuffled(using: &random)
            #expect(Review.latest(of: shuffled, asOf: 150)?.ref.commit == "e", "a block beats a trailer of the same second; then the id")
            #expect(Review.latest(of: shuffled, asOf: 250)?.ref.commit == "f")
        }
    }
}

struct ThreatIDTests {
    @Test(arguments: [("T-0042", "t-0042", true), ("T-0042", "T-0042", true), ("T-0042", "T-042", false),
                      ("T-0042", "Т-0042", false), ("RISK-7", "risk-7", true), ("T-1", "T-1 ", false)])
    func idsCompareWithoutRegardToASCIICase(lhs: String, rhs: String, same: Bool) {
        #expect(ThreatID.same(lhs, rhs) == same)
        #expect((ThreatID.key(lhs) == ThreatID.key(rhs)) == same)
    }
}
