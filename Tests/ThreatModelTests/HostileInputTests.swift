import Foundation
import Testing
@testable import ThreatModel

/// Hostile model files cost bounded time and memory and end in a lint error, never a crash.
struct HostileYAMLTests {
    /// "Billion laughs": ten levels of nine aliases each compose into 9^10 nodes.
    static func aliasBomb(indent: String = "") -> String {
        var lines = [indent + "a: &a [x, x, x, x, x, x, x, x, x]"]
        let names = "abcdefghijk".map(String.init)
        for level in 1..<names.count {
            lines.append(indent + "\(names[level]): &\(names[level]) [" + Array(repeating: "*\(names[level - 1])", count: 9).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func threat(_ frontMatter: String) -> [UInt8] {
        Array("---\nid: T-0001\ntitle: x\nstride: [spoofing]\nseverity: low\nstatus: closed\n\(frontMatter)---\nBody.\n".utf8)
    }

    static func timed<T>(_ work: () -> T) -> (T, Double) {
        let start = Date()
        let result = work()
        return (result, Date().timeIntervalSince(start))
    }

    @Test func aliasBombInThreatFrontMatterIsRefusedFast() {
        let (parsed, seconds) = Self.timed { ThreatParser.parse(path: "threats/T-0001-x.md", bytes: Self.threat(Self.aliasBomb())) }
        #expect(parsed.diagnostics.map(\.rule) == ["yaml-alias"])
        #expect(parsed.diagnostics.first?.line == 7, "the anchor's file line: --- and five fields come first")
        #expect(parsed.threat == nil)
        #expect(seconds < 10, "bounded: an unbounded expansion takes minutes or crashes; 10 s leaves room for a loaded CI machine")
    }

    /// A `vulnerabilities:` list as long as the value limit allows (about 14,000 entries in 1 MiB)
    /// parses in linear time: the duplicate check compared each entry with every earlier one,
    /// about 10^8 string comparisons (most of a minute in a debug build).
    @Test func aLongVulnerabilitiesListParsesInLinearTime() {
        var front = "vulnerabilities:\n"
        for index in 0..<14_000 { front += "- {rule: R\(index), resource: A, status: open}\n" }
        front += "- {rule: R7, resource: A, status: fixed}\n"
        let (parsed, seconds) = Self.timed { ThreatParser.parse(path: "threats/T-0001-x.md", bytes: Self.threat(front)) }
        #expect(parsed.threat?.vulnerabilities.count == 14_001)
        #expect(parsed.diagnostics.map(\.rule) == ["duplicate-vulnerability"], "\(parsed.diagnostics.prefix(3).map(\.formatted))")
        #expect(seconds < 10, "linear: the quadratic duplicate check took 45 s of CPU in a debug build; 10 s leaves room for a loaded CI machine")
    }

    @Test func aliasBombInConfigAndInventoriesIsRefusedFast() {
        let bomb = Array(Self.aliasBomb().utf8)
        let (results, seconds) = Self.timed {
            [ModelConfig.parse(bytes: bomb).1, InventoryParser.parseElements(bytes: Array(("elements:\n" + Self.aliasBomb(indent: "  ")).utf8)).1,
             InventoryParser.parseAssets(bytes: bomb).1]
        }
        for (diagnostics, path) in zip(results, [".tmrepo.yml", "elements.yml", "assets.yml"]) {
            #expect(diagnostics.map(\.rule) == ["yaml-alias"], "\(path): \(diagnostics.map(\.formatted))")
            #expect(diagnostics.first?.path == path)
            #expect(diagnostics.first?.line ?? 0 >= 1)
        }
        #expect(seconds < 10, "bounded: an unbounded expansion takes minutes or crashes; 10 s leaves room for a loaded CI machine")
    }

    @Test(arguments: [
        "owner: &who alice@example.com\ntags: [*who]\n",     // a scalar anchor
        "tags: &t [a]\n",                                     // an anchor never used
        "tags: {k: *undefined}\n",                            // an alias in flow style
        "mitigations:\n  - &m {id: M-1, title: t}\n  - *m\n", // a mapping anchor in a list
        "tags: !!seq &t [a]\n",                               // behind a tag
    ])
    func anyAnchorOrAliasIsRefused(frontMatter: String) {
        let parsed = ThreatParser.parse(path: "threats/T-0001-x.md", bytes: Self.threat(frontMatter))
        #expect(parsed.diagnostics.map(\.rule) == ["yaml-alias"], "\(parsed.diagnostics.map(\.formatted))")
    }

    @Test func anchorAndAliasCharactersInsideTextAreFine() {
        let parsed = ThreatParser.parse(path: "threats/T-0001-x.md",
                                        bytes: Self.threat("tags: ['&a', \"*b\", c&d, e*f]\nowner: |\n  &literal *text\n"))
        #expect(!parsed.diagnostics.contains { $0.rule == "yaml-alias" }, "\(parsed.diagnostics.map(\.formatted))")
        #expect(parsed.threat?.tags == ["&a", "*b", "c&d", "e*f"])
    }

    @Test(arguments: [
        "tags: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n",
        "tags: " + String(repeating: "{a: ", count: 50_000) + "b" + String(repeating: "}", count: 50_000) + "\n",
        "tags: " + String(repeating: "[", count: 70) + String(repeating: "]", count: 70) + "\n",
        (0..<200).map { String(repeating: " ", count: $0) + "k\($0):\n" }.joined() + String(repeating: " ", count: 200) + "v\n",
        "tags:\n" + (1...100).map { String(repeating: "  ", count: $0) + "-\n" }.joined() + String(repeating: "  ", count: 101) + "x\n",
    ])
    func deepNestingIsRefusedWithoutOverflowingTheStack(frontMatter: String) {
        let (parsed, seconds) = Self.timed { ThreatParser.parse(path: "threats/T-0001-x.md", bytes: Self.threat(frontMatter)) }
        #expect(parsed.diagnostics.map(\.rule) == ["yaml-too-deep"], "\(parsed.diagnostics.map(\.formatted))")
        #expect(seconds < 10, "bounded: an unbounded expansion takes minutes or crashes; 10 s leaves room for a loaded CI machine")
    }

    @Test func nestingUpToTheLimitIsRead() {
        // The front matter mapping is one level, so the limit leaves this many for a value.
        let depth = YAMLLimits.maximumDepth - 1
        let yaml = "tags: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        let parsed = ThreatParser.parse(path: "threats/T-0001-x.md", bytes: Self.threat(yaml))
        #expect(!parsed.diagnostics.contains { $0.rule.hasPrefix("yaml-") }, "\(parsed.diagnostics.map(\.formatted))")
    }

    @Test func tooManyValuesAreRefusedOnBothReaders() {
        let count = YAMLLimits.maximumNodes
        let block = "elements:\n" + String(repeating: "- x\n", count: count)       // the fast reader's style
        let flow = "elements: [" + Array(repeating: "'x'", count: count).joined(separator: ",") + "]\n"   // libyaml's
        for yaml in [block, flow] {
            let (result, seconds) = Self.timed { InventoryParser.parseElements(bytes: Array(yaml.utf8)) }
            #expect(result.1.map(\.rule) == ["yaml-too-large"])
            #expect(seconds < 5)
        }
    }

    @Test func reviewEditorRefusesAliases() throws {
        #expect(throws: ThreatFileEditor.EditError.self) {
            var editor = try ThreatFileEditor(bytes: Self.threat(Self.aliasBomb()))
            try editor.setReviewed(on: Day("2026-01-01")!, by: "a@example.com")
        }
    }
}

/// Absurd durations, dates and numbers are lint errors; date arithmetic saturates instead of trapping.
struct HostileNumberTests {
    @Test(arguments: ["99999999y", "101y", "1201m", "5219w", "36526d", "9223372036854775807d", "99999999999999999999999999999d",
                      "0000000000000000000000000000000000000000000000999999999y"])
    func absurdDurationsAreLintErrors(text: String) {
        #expect(Cadence.parse(text) == .failure(.tooLong))
        let parsed = ThreatParser.parse(path: "threats/T-0001-x.md", bytes: HostileYAMLTests.threat("review_every: \(text)\n"))
        #expect(parsed.diagnostics.map(\.rule) == ["invalid-duration"])
        #expect(parsed.diagnostics.first?.message.contains("longer than 100 years") == true)
    }

    @Test(arguments: ["100y", "1200m", "5218w", "36525d", "1d", "007d"])
    func longestDurationsAreAccepted(text: String) throws {
        let cadence = try #require(Cadence(text))
        #expect(cadence.after(Day("2026-01-31")!) > Day("2026-01-31")!)
    }

    @Test(arguments: ["0d", "-1d", "+5d", "d", "5", "5x", "٣d", "1.5y", " 5d"])
    func malformedDurationsAreNotDurations(text: String) {
        #expect(Cadence.parse(text) == .failure(.notADuration))
    }

    @Test func configDurationsAreBounded() {
        let (config, problems) = ModelConfig.parse(bytes: Array("review_cadence:\n  high: 99999999y\ndue_soon: 999999999999999999999d\n".utf8))
        #expect(problems.map(\.rule) == ["invalid-duration", "invalid-duration"])
        #expect(problems.map(\.line) == [2, 3])
        #expect(config.cadence(for: .high).description == "60d")
    }

    @Test(arguments: ["9999-99-99", "0000-01-01", "99999-01-01", "2026-02-30", "2026-13-01", "-001-01-01", "2026-1-01"])
    func impossibleDatesAreLintErrors(text: String) {
        #expect(Day(text) == nil)
        let parsed = ThreatParser.parse(path: "threats/T-0001-x.md", bytes: HostileYAMLTests.threat("reviewed:\n  on: \(text)\n  by: a@example.com\n"))
        #expect(parsed.diagnostics.map(\.rule) == ["invalid-date"])
    }

    @Test func dayArithmeticSaturatesAtTheCalendarsEnds() {
        let day = Day("2026-06-15")!
        #expect(day.adding(days: .max) == Day.latest)
        #expect(day.adding(days: .min) == Day.earliest)
        #expect(day.adding(months: .max) == Day("9999-12-15")!)
        #expect(day.adding(months: .min) == Day("0001-01-15")!)
        #expect(Day.latest.adding(days: 1) == Day.latest)
        #expect(Day(daysSinceEpoch: .max) == Day.latest)
        #expect(Day(daysSinceEpoch: .min) == Day.earliest)
        #expect(Day(unixTime: .max) == Day.latest)
        #expect(Day(unixTime: .min) == Day.earliest)
        #expect(Day(unixTime: -1) == Day("1969-12-31")!)
        #expect(Day(unixTime: -86_400) == Day("1969-12-31")!)
        #expect(Cadence(count: .max, unit: .years).after(day) == Day("2126-06-15")!)
        #expect(Cadence(count: .max, unit: .weeks).before(day) < day)
    }

    @Test func isoTimesNeverTrap() {
        #expect(ISOTime.format(.max) == "9999-12-31T23:59:59Z")
        #expect(ISOTime.format(.min) == "0001-01-01T00:00:00Z")
        #expect(ISOTime.parse("2026-01-01T00:00+99999999999999999:00") == nil)
        #expect(ISOTime.parse("2026-01-01T00:00+02:99") == nil)
        #expect(ISOTime.parse("2026-01-01T00:00+02:00") == Day("2026-01-01")!.unixTime - 7200)
    }

    @Test func hugeNumericIdsAreIgnoredNotTrapped() {
        let parsed = ThreatParser.parse(path: "threats/T-0001-x.md",
                                        bytes: HostileYAMLTests.threat("threat_composer:\n  id: abc\n  numeric_id: 99999999999999999999999999\n"))
        #expect(parsed.threat?.threatComposer?.numericID == nil)
        #expect(Model.idNumber("T-99999999999999999999999999999") != nil)
    }
}
