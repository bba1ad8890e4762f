import ArgumentParser
import Foundation
import ThreatModel
import TMRepoKit

struct AssessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assess",
        abstract: "Record in a threat file how a finding of 'tmrepo scan' is assessed (open, fixed or accepted).",
        discussion: """
        Writes the threat's 'vulnerabilities:' entry for FINDING (docs/format.md): updates the \
        entry naming the same finding, or adds one. Only that entry's keys change; every other \
        byte of the file (body, comments, unknown fields) is kept; the file is replaced atomically. \
        FINDING is how 'tmrepo scan' names a finding: RULE:LogicalId, RULE:template.yaml#LogicalId, \
        RULE:template.yaml or RULE for a finding about a whole template or the system, or the key \
        scan prints ('RULE template.yaml#LogicalId property'). The finding must be reported now by \
        the built-in checks over the work tree's templates or by a --sarif file; --force records it \
        anyway. Without --accept or --fixed the entry says 'open'. An acceptance needs --reason and \
        --until (a date, or a duration such as 90d counted from the commit that writes it). \
        Commit the change and review the threat ('tmrepo review T-0001 --commit'): 'status' \
        reports acceptances not reviewed since they were written. \
        Exit 0; 2 on a usage error, an unknown threat, or a finding not reported.

        Example: tmrepo assess TM-API-004:PaymentWebhookFunction --threat T-0004 --accept --reason "HMAC signature checked in code" --until 90d
        """
    )

    @OptionGroup var model: ModelOptions
    @OptionGroup var sarif: SARIFOptions

    @Argument(help: ArgumentHelp("The finding, as 'tmrepo scan' names it (e.g. TM-IAM-001:OrderFunction).", valueName: "finding"))
    var finding: String

    @Option(help: ArgumentHelp("The threat the finding makes real (its id).", valueName: "id"))
    var threat: String

    @Flag(help: "The risk is accepted (needs --reason and --until).")
    var accept = false

    @Flag(help: "The weakness was fixed ('status' reports it when a scan finds it again).")
    var fixed = false

    @Option(help: "Why the risk is accepted.")
    var reason: String?

    @Option(help: ArgumentHelp("Until when an acceptance holds: a date (YYYY-MM-DD) or a duration (90d, 12w, 6m, 1y) from the commit that writes it.", valueName: "date-or-duration"))
    var until: String?

    @Flag(help: "Record the finding even though no scan reports it now.")
    var force = false

    @Option(help: "Judge runtime deprecation as of this date (YYYY-MM-DD); default: today ($TMREPO_AS_OF is honoured).")
    var asOf: String?

    func validate() throws {
        if accept && fixed { throw ValidationError("--accept and --fixed exclude each other") }
        if !accept && (reason != nil || until != nil) { throw ValidationError("--reason and --until go with --accept") }
    }

    func run() throws {
        let today = Day(unixTime: try asOfMoment(asOf))
        let store = try model.store()
        let status: VulnerabilityStatus = accept ? .accepted : fixed ? .fixed : .open
        let outcome = try VulnerabilityAssessor(store: store).assess(
            try FindingSpec(parsing: finding), threatID: threat, status: status, reason: reason, until: until, force: force,
            today: today, sarif: try sarif.logs())
        let verb = outcome.updated ? "updated" : "added"
        Console.line("\(model.displayPrefix(for: store))\(outcome.path): \(verb) \(outcome.link.displayName) (\(status.rawValue))"
            + (outcome.finding == nil ? " — not reported now, recorded with --force" : ""))
    }
}
