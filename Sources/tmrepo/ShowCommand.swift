import ArgumentParser
import ThreatModel
import TMRepoKit

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one threat: every field, its mitigations and its description.",
        discussion: "Example: tmrepo show T-0042"
    )

    @OptionGroup var model: ModelOptions

    @Argument(help: "The threat id, e.g. T-0042.")
    var id: String

    @Option(help: "Output: text or json.")
    var format: ListFormat = .text

    func run() throws {
        let store = try model.store()
        let loaded = try store.load()
        let threat = try loaded.requireThreat(id: id)
        switch format {
        case .json, .csv:
            Console.out(ThreatFormatter.json(threat, includeBody: true).render() + "\n")
        case .text:
            Console.out(ThreatFormatter.detail(threat, style: .forStandardOutput()))
        }
    }
}
