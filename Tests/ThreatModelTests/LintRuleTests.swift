import Foundation
import Testing
import TestSupport
@testable import ThreatModel

/// One bad-input fixture per lint rule (Tests/Fixtures/lint/<rule>/): each must be reported
/// under that rule at the expected line, with the file named.
struct LintRuleTests {
    static let fixtureRoot = SourceTree.fixtures + "/lint"

    static var rules: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: fixtureRoot)) ?? []).filter { !$0.hasPrefix("_") }.sorted()
    }

    static func model(for rule: String) throws -> Model {
        let folder = fixtureRoot + "/" + rule
        func file(_ path: String, _ name: String) -> ModelFile {
            ModelFile(path: name, bytes: [UInt8](FileManager.default.contents(atPath: path)!))
        }
        let threats = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".md") }.sorted()
            .map { file(folder + "/" + $0, "threats/" + $0) }
        let base = fixtureRoot + "/_model/"
        // A rule about elements.yml brings its own.
        let elements = FileManager.default.fileExists(atPath: folder + "/elements.yml") ? folder + "/elements.yml" : base + "elements.yml"
        return Model(sources: ModelSources(config: file(base + ".tmrepo.yml", ".tmrepo.yml"),
                                           elements: file(elements, "elements.yml"),
                                           assets: file(base + "assets.yml", "assets.yml"), threatFiles: threats))
    }

    /// File rules whose input cannot sit in a small fixture folder, and where they are tested instead.
    static let testedElsewhere: [LintRule: String] = [
        .fileTooLarge: "a file over 1 MiB: GateTrustTests (too large) and SourceText",
        .notUtf8: "bytes that are not UTF-8: GateTrustTests (not UTF-8)",
        .notARegularFile: "links, submodules and folders: GateTrustTests",
        .yamlTooLarge: "100,000 values: HostileInputTests",
    ]

    @Test func everyFileRuleHasAFixtureOrATestElsewhere() {
        let fileRules = Set(LintRule.allCases.filter { $0.scope == .file }.map(\.rawValue))
        #expect(Set(Self.rules) == fileRules.subtracting(Self.testedElsewhere.keys.map(\.rawValue)))
    }

    /// docs/lint-rules.md lists exactly the rules there are, each at its level.
    @Test func theDocumentationListsEveryRule() throws {
        let text = try String(contentsOfFile: SourceTree.root + "/docs/lint-rules.md", encoding: .utf8)
        var documented: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            documented[cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = cells[1]
        }
        #expect(Set(documented.keys) == Set(LintRule.allCases.map(\.rawValue)))
        for rule in LintRule.allCases {
            #expect(documented[rule.rawValue] == rule.level.rawValue, "\(rule.rawValue)")
        }
    }

    @Test(arguments: LintRuleTests.rules)
    func ruleIsReportedWhereItHappens(rule: String) throws {
        let model = try Self.model(for: rule)
        let line = Int(try String(contentsOfFile: Self.fixtureRoot + "/\(rule)/expected-line", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines))!
        let hits = model.diagnostics.filter { $0.rule == rule }
        #expect(!hits.isEmpty, "rule \(rule) not reported; got \(model.diagnostics.map(\.formatted))")
        let ownElements = FileManager.default.fileExists(atPath: Self.fixtureRoot + "/\(rule)/elements.yml")
        for hit in hits {
            #expect(ownElements ? hit.path == "elements.yml" : hit.path.hasPrefix("threats/"))
            #expect(hit.line == line, "\(hit.formatted)")
        }
    }

    @Test func cleanFixtureModelHasNoProblems() throws {
        let text = "---\nid: T-0001\ntitle: ok\nstride: [spoofing]\nelement: api\nassets: [orders]\nseverity: high\nstatus: open\nowner: payments-team\n---\n"
        let base = Self.fixtureRoot + "/_model/"
        func file(_ name: String) -> ModelFile { ModelFile(path: name, bytes: [UInt8](FileManager.default.contents(atPath: base + name)!)) }
        let model = Model(sources: ModelSources(config: file(".tmrepo.yml"), elements: file("elements.yml"), assets: file("assets.yml"),
                                                threatFiles: [ModelFile(path: "threats/T-0001-ok.md", bytes: Array(text.utf8))]))
        #expect(model.diagnostics.isEmpty, "\(model.diagnostics.map(\.formatted))")
        #expect(model.threats.count == 1)
    }

    @Test func oneRunReportsEveryProblemOfAFile() {
        let text = "---\nid: T-0001\ntitle: x\nstride: [spoof]\nseverity: hi\nstatus: opn\nreview_every: soon\n---\n"
        let parsed = ThreatParser.parse(path: "threats/T-0001-x.md", bytes: Array(text.utf8))
        let messages = parsed.diagnostics.map(\.message)
        #expect(messages.contains { $0.hasPrefix("stride:") })
        #expect(messages.contains { $0.hasPrefix("severity:") })
        #expect(messages.contains { $0.hasPrefix("status:") })
        #expect(messages.contains { $0.hasPrefix("review_every:") })
        #expect(parsed.diagnostics.map(\.line) == [4, 5, 6, 7])
    }

    @Test func nonUTF8IsReportedWithItsLine() {
        var bytes = Array("---\nid: T-0001\ntitle: caf".utf8)
        bytes += [0xE9, 0x0A] + Array("---\n".utf8)
        let parsed = ThreatParser.parse(path: "threats/T-0001-x.md", bytes: bytes)
        #expect(parsed.diagnostics.map(\.rule) == ["not-utf8"])
        #expect(parsed.diagnostics.first?.line == 3)
    }

    @Test func oversizedFileIsRejectedUnread() {
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: Limits.maximumFileBytes + 1)
        let parsed = ThreatParser.parse(path: "threats/T-0001-x.md", bytes: bytes)
        #expect(parsed.diagnostics.map(\.rule) == ["file-too-large"])
        #expect(parsed.threat == nil)
    }

    @Test func ownerIsRequiredOnlyWhileWorkIsOpen() {
        func parse(_ status: String) -> [String] {
            ThreatParser.parse(path: "threats/T-0001-x.md",
                               bytes: Array("---\nid: T-0001\ntitle: x\nstride: [spoofing]\nseverity: low\nstatus: \(status)\n---\n".utf8))
                .diagnostics.map(\.message)
        }
        #expect(parse("open") == ["owner: required while status is open"])
        #expect(parse("mitigated") == ["owner: required while status is mitigated"])
        #expect(parse("closed").isEmpty)
        #expect(parse("accepted").isEmpty)
    }

    @Test func configErrorsNameTheKey() {
        let (config, problems) = ModelConfig.parse(bytes: Array("review_cadence:\n  high: soon\n  urgent: 3d\nid_prefix: T1-\npolicy:\n  block_overdue: [high, big]\n".utf8))
        #expect(problems.map(\.line) == [2, 3, 4, 6])
        #expect(problems[0].message.contains("review_cadence.high"))
        #expect(problems[1].message.contains("review_cadence.urgent"))
        #expect(config.cadence(for: .high).description == "60d")
        #expect(config.policy.blockOverdue == [.high])
    }

    @Test func configDefaultsApplyWhenKeysAreMissing() {
        let (config, problems) = ModelConfig.parse(bytes: Array("owners:\n  team-a: [a@example.com]\n".utf8))
        #expect(problems.isEmpty)
        #expect(config.threatsDirectory == "threats/")
        #expect(config.idPrefix == "T-")
        #expect(config.cadence(for: .critical).description == "30d")
        #expect(config.dueSoon.description == "14d")
        #expect(config.policy.protectedBranches == ["main"])
        #expect(config.identity("A@example.com", actsFor: "team-a"))
    }
}
