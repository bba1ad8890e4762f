import ArgumentParser
import ThreatModel
import TMRepoKit

struct ChangelogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changelog",
        abstract: "How threat severity and status moved over time, and when elements' resources and code changed, from git history.",
        discussion: "Example: tmrepo changelog --since 2026-01-01 --format md"
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
        let analysis = try HistoryEngine(location: try model.location()).analyze()
        if let threat, analysis.history(id: threat) == nil {
            throw TMRepoError.threatNotFound(threat)
        }
        let events = try analysis.changelog(since: try moment(since, option: "--since", endOfDay: false),
                                            until: try moment(until, option: "--until", endOfDay: true), threat: threat)
        Console.out(ChangelogFormatter.render(events, format: format))
    }
}

extension ChangelogFormat: ExpressibleByArgument {}
