import ArgumentParser
import ThreatModel
import TMRepoKit

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Overdue reviews, stale mitigations and ownership gaps, from git history.",
        discussion: """
        Reads the model as committed at HEAD and the whole history reachable from it. A review is a \
        commit with a 'Reviewed-threat: <id>' trailer or one that changes the threat's 'reviewed' \
        block; its time is the commit time. Exit 0, or 1 when --fail-on finds something; \
        2 usage/repository error; 3 shallow clone or missing objects.

        Example: tmrepo status --owner payments-team --fail-on overdue
        """
    )

    enum FailOn: String, ExpressibleByArgument, CaseIterable {
        case overdue, stale, any
    }

    @OptionGroup var model: ModelOptions
    @OptionGroup var history: HistoryOptions

    @Option(help: "Only threats owned by this team or email (or a team this email belongs to).")
    var owner: String?

    @Option(help: "Output: text or json.")
    var format: StatusFormat = .text

    @Option(help: "Exit 1 when a review is overdue, a mitigation is stale, or either (an unreadable threat file counts as both).")
    var failOn: FailOn?

    func run() throws {
        let asOf = try history.moment()
        var clock = PhaseClock()
        let analysis = try HistoryEngine(location: try model.location()).analyze(timelines: false)
        clock.lap("history analysed")
        let report = try analysis.status(asOf: asOf)
        clock.lap("status computed")
        var entries = report.entries
        if let owner {
            entries = entries.filter { ThreatFilter.isOwned($0.threat, by: owner, config: analysis.model.config) }
        }
        switch format {
        case .json: Console.out(StatusFormatter.jsonBytes(report, entries: entries) + [0x0A])
        case .text: Console.out(StatusFormatter.text(report, entries: entries, commitCount: analysis.commitCount, style: .forStandardOutput()))
        }
        clock.lap("report written")
        // A threat that cannot be read is overdue and stale as far as anyone can tell.
        let unreadable = !report.unreadable.isEmpty
        let overdue = unreadable || entries.contains(where: \.overdue)
        let stale = unreadable || entries.contains { !$0.staleMitigations.isEmpty }
        switch failOn {
        case .overdue where overdue, .stale where stale, .any where overdue || stale: Console.finish(1)
        default: Console.finish(0)
        }
    }
}
