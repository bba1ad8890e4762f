import ArgumentParser
import ThreatModel
import TMRepoKit

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "One threat's timeline from git history: created, changes, reviews, renames, retirement.",
        discussion: "Example: tmrepo log T-0042"
    )

    @OptionGroup var model: ModelOptions

    @Argument(help: "The threat id (live or retired).")
    var id: String

    @Option(help: "Output: text or json.")
    var format: StatusFormat = .text

    func run() throws {
        let analysis = try HistoryEngine(location: try model.location()).analyze()
        guard let history = analysis.history(id: id) else {
            throw TMRepoError.threatNotFound(id)
        }
        switch format {
        case .json: Console.out(TimelineFormatter.json(history).render() + "\n")
        case .text: Console.out(TimelineFormatter.text(history, title: analysis.model.threat(id: history.id)?.title, style: .forStandardOutput()))
        }
    }
}
