import ArgumentParser
import Foundation
import ThreatModel
import TMRepoKit

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "The merge gate: apply the model's policy to the commits in base..head.",
        discussion: """
        Reads the model and the history from commits (never the work tree), so it works the same in \
        a bare repository. The range is judged by its base: the model at head is read with the \
        base's .tmrepo.yml (threats folder, id prefix, cadences, owners, policy), so a range \
        cannot reshape or relax the gate it is checked by.

        Blocks when a threat's version at head differs from the base's (any parsed value but \
        'reviewed', or the body) and no commit of the range reviewed exactly that version (by \
        someone else when policy.independent_review is true; signed by a listed key when \
        policy.require_signed_reviews is true); when a model file (.tmrepo.yml, elements.yml, \
        assets.yml) changed without a 'Reviewed-config: <file>' review; when an entry under the threats \
        folder is not a readable threat; when a threat of a policy.block_overdue severity is \
        overdue; when a changed threat file has lint errors; or when a Reviewed-threat trailer \
        names no threat; with policy.block_unassessed, when a finding of those severities (built-in \
        checks over head's templates, plus --sarif files) is linked to no threat (or only as fixed, \
        or by an expired acceptance); with policy.block_contradictions, when a threat is mitigated \
        or closed while a finding it links (not accepted, or accepted until a day that has passed) \
        is still reported. A review committed after the moment judged (--as-of, or now) does not count.

        Default range: from where HEAD forked from the remote's default branch (origin/HEAD), \
        else from main or master, to HEAD.

        Exit 0 pass, 1 blocked, 2 usage or repository error, 3 shallow clone or missing objects.

        Example: tmrepo check --base origin/main --format github
        """
    )

    @OptionGroup var model: ModelOptions
    @OptionGroup var history: HistoryOptions
    @OptionGroup var sarif: SARIFOptions

    @Option(help: "The commit the range starts after (default: the merge base with origin/HEAD, else main).")
    var base: String?

    @Option(help: "The last commit of the range (default: HEAD).")
    var head: String?

    @Option(help: "Output: text, json, github (workflow annotations) or sarif (SARIF 2.1.0).")
    var format: GateFormat = .text

    func run() throws {
        let location = try model.location()
        let check = MergeCheck(location: location)
        let headID = try head.map { try check.resolve($0, option: "--head") } ?? location.headCommit()
        let baseID = try base.map { try check.resolve($0, option: "--base") } ?? check.defaultBase(head: headID)
        let result = try check.run(base: baseID, head: headID, asOf: try history.moment(), sarif: try sarif.logs())
        Console.out(GateFormatter.render(result, format: format, style: .forStandardOutput()))
        if !result.passed { throw ExitCode(1) }
    }
}

extension GateFormat: ExpressibleByArgument {}
