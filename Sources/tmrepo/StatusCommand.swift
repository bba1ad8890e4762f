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

        With templates (or --sarif), it also reports the vulnerability assessment \
        (docs/format.md, vulnerabilities:): findings no threat links, threats mitigated or \
        closed while a linked finding is still reported, expired acceptances, acceptances not \
        reviewed since written, and findings recorded fixed that are reported again.

        Example: tmrepo status --owner payments-team --fail-on overdue
        Example: tmrepo status --sarif checkov.sarif --fail-on unassessed
        """
    )

    enum FailOn: String, ExpressibleByArgument, CaseIterable {
        case overdue, stale, unassessed, any
    }

    @OptionGroup var model: ModelOptions
    @OptionGroup var history: HistoryOptions
    @OptionGroup var sarif: SARIFOptions

    @Option(help: "Only threats owned by this team or email (or a team this email belongs to).")
    var owner: String?

    @Option(help: "Output: text or json.")
    var format: StatusFormat = .text

    @Option(help: "Exit 1 when a review is overdue, a mitigation is stale, overdue or stale (any; an unreadable threat file counts as both), or the vulnerability assessment has something to report (unassessed: an unassessed finding, a contradiction, an expired or unreviewed acceptance, a fixed finding that is back).")
    var failOn: FailOn?

    func run() throws {
        let asOf = try history.moment()
        var clock = PhaseClock()
        let location = try model.location()
        let result = try HistoryEngine(location: location).status(asOf: asOf, sarif: try sarif.logs())
        clock.lap("status computed")
        let report = result.report, assessment = result.assessment
        var entries = report.entries
        if let owner {
            entries = entries.filter { ThreatFilter.isOwned($0.threat, by: owner, config: result.config) }
        }
        switch format {
        case .json:
            Console.out(StatusFormatter.jsonBytes(report, entries: entries, assessment: assessment))
            Console.out([0x0A])
        case .text: Console.out(StatusFormatter.text(report, entries: entries, commitCount: result.commitCount, style: .forStandardOutput(),
                                                      assessment: assessment))
        }
        clock.lap("report written")
        // A threat that cannot be read is overdue and stale as far as anyone can tell.
        let unreadable = !report.unreadable.isEmpty
        let overdue = unreadable || entries.contains(where: \.overdue)
        let stale = unreadable || entries.contains { !$0.staleMitigations.isEmpty }
        let unassessed = !assessment.isClean
        let failed: Bool
        switch failOn {
        case .overdue where overdue, .stale where stale, .unassessed where unassessed, .any where overdue || stale: failed = true
        default: failed = false
        }
        // Exit with the result still held: the process ends faster than its teardown.
        withExtendedLifetime(result) { Console.finish(failed ? 1 : 0) }
    }
}
