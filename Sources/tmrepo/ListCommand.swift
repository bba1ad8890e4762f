import ArgumentParser
import ThreatModel
import TMRepoKit

enum ListFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, csv
}

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List threats, filtered; most severe first.",
        discussion: "Example: tmrepo list --severity critical --severity high --status open --format csv"
    )

    @OptionGroup var model: ModelOptions

    @Option(help: "Only these severities (repeatable).")
    var severity: [Severity] = []

    @Option(help: "Only these statuses (repeatable).")
    var status: [ThreatStatus] = []

    @Option(help: "Only threats owned by this team or email, or by a team this email belongs to.")
    var owner: String?

    @Option(help: "Only threats with this STRIDE category (repeatable).")
    var stride: [StrideCategory] = []

    @Option(help: "Only threats on this element.")
    var element: String?

    @Option(help: "Output: text, json or csv.")
    var format: ListFormat = .text

    func run() throws {
        let store = try model.store()
        let loaded = try store.load()
        let threats = ThreatFilter(severities: severity, statuses: status, owner: owner, stride: stride, element: element)
            .apply(loaded.threats, config: loaded.config)
        switch format {
        case .json:
            Console.out(JSON.object([("version", .int(1)), ("threats", .array(threats.map { ThreatFormatter.json($0) }))]).render() + "\n")
        case .csv:
            Console.out(CSV.render(header: ThreatFormatter.listColumns, rows: threats.map(ThreatFormatter.row)))
        case .text:
            if threats.isEmpty {
                Console.line("no threats match")
            } else {
                Console.line(TextTable.render(header: ThreatFormatter.listColumns, rows: threats.map(ThreatFormatter.row)))
                Console.line("\n\(threats.count) threat\(threats.count == 1 ? "" : "s")")
            }
        }
        if loaded.hasErrors {
            Console.error("tmrepo: warning: the model has errors; run 'tmrepo lint' (threats that could not be read are not listed)")
        }
    }
}
