import ArgumentParser
import Foundation
import ThreatModel
import TMRepoKit

struct ChangelogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changelog",
        abstract: "How threat severity and status moved over time, when elements' resources and code changed, and when built-in findings were introduced and fixed, from git history.",
        discussion: """
        Built-in findings (docs/checks.md) are computed from every version of the model's \
        templates, each scanned alone (findings about the whole system, such as TM-LOG-001, are \
        left out) and judged as of --until (or now), so a finding is introduced or fixed only by \
        a commit that changed its template.

        Example: tmrepo changelog --since 2026-01-01 --format md
        """
    )

    @OptionGroup var model: ModelOptions

    @Option(help: "Only changes at or after this date or time (YYYY-MM-DD or ISO 8601).")
    var since: String?

    @Option(help: "Only changes at or before this date or time (a date means the end of that day).")
    var until: String?

    @Option(help: "Only this threat.")
    var threat: String?

    @Option(help: "Output: md, json or csv.")
    var format: ChangelogFormat = .md

    func run() throws {
        func moment(_ text: String?, option: String, endOfDay: Bool) throws -> Int64? {
            guard let text else { return nil }
            let value = try parseMoment(text, option: option)
            return endOfDay && Day(text) != nil ? value + 86_399 : value
        }
        let location = try model.location()
        let analysis = try HistoryEngine(location: location).analyze()
        if let threat, analysis.history(id: threat) == nil {
            throw TMRepoError.threatNotFound(threat)
        }
        let from = try moment(since, option: "--since", endOfDay: false), to = try moment(until, option: "--until", endOfDay: true)
        var events = try analysis.changelog(since: from, until: to, threat: threat)
        let findings = try analysis.findingEvents(location: location, asOf: to ?? Int64(Date().timeIntervalSince1970), since: from, until: to, threat: threat)
        if !findings.isEmpty {
            events = (events + findings).sorted { $0.time != $1.time ? $0.time < $1.time : ($0.id, $0.field.rawValue) < ($1.id, $1.field.rawValue) }
        }
        Console.out(ChangelogFormatter.render(events, format: format))
    }
}

extension ChangelogFormat: ExpressibleByArgument {}
