import ArgumentParser
import Foundation
import ThreatModel
import TMRepoKit

struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Record a review: rewrite each threat's reviewed block, optionally verify mitigations and commit.",
        discussion: """
        Only the reviewed block (and, with --verify-mitigations, the mitigations' verified and status) \
        changes; everything else in the file stays byte for byte. With --commit the commit is made \
        through libgit2 with one 'Reviewed-threat: <id>' trailer per threat, containing only these files. \
        With --config --commit it commits a review of the model files instead (an empty commit with a \
        'Reviewed-config: <file>' trailer for each of .tmrepo.yml, elements.yml and assets.yml), which \
        the merge gate asks for when a range changes one. \
        When policy.require_signed_reviews is set, commit with 'git commit -S' instead of --commit.

        Example: tmrepo review T-0042 --verify-mitigations --commit
        """
    )

    @OptionGroup var model: ModelOptions

    @Argument(help: "Threat ids to record a review for.")
    var ids: [String] = []

    @Option(help: "Who reviewed (default: git's user.email).")
    var by: String?

    @Option(help: "A note for the commit message (with --commit).")
    var note: String?

    @Option(help: "The review day written to reviewed.on (default: today, UTC). The commit time is what counts.")
    var on: String?

    @Flag(help: "Set verified to the review day (and status to verified) on implemented and verified mitigations.")
    var verifyMitigations = false

    @Flag(help: "Commit the changed files with Reviewed-threat trailers.")
    var commit = false

    @Flag(help: "Review the model files (.tmrepo.yml, elements.yml, assets.yml) instead of threats (needs --commit).")
    var config = false

    func validate() throws {
        if config {
            if !ids.isEmpty { throw ValidationError("--config reviews the configuration: name no threat ids") }
            if !commit { throw ValidationError("a configuration review is a commit: add --commit") }
            return
        }
        if ids.isEmpty { throw ValidationError("name at least one threat id") }
        if note != nil && !commit { throw ValidationError("--note goes into the commit message: add --commit") }
    }

    func run() throws {
        if config {
            let location = try ModelLocation.find(store: try model.store())
            Console.line("committed \(try ConfigReview(location: location).commit(note: note).hex)")
            return
        }
        let day: Day
        if let on {
            guard let parsed = Day(on) else { throw TMRepoError.invalidArgument("--on '\(on)' is not a date (YYYY-MM-DD)") }
            day = parsed
        } else {
            day = Day(unixTime: Int64(Date().timeIntervalSince1970))
        }
        let store = try model.store()
        let outcome = try ReviewRecorder(store: store).record(ids: ids, reviewer: by, on: day, note: note,
                                                              verifyMitigations: verifyMitigations, commit: commit)
        let prefix = model.displayPrefix(for: store)
        for path in outcome.paths { Console.line("reviewed \(TextEscaping.field(prefix + path))") }
        for mitigation in outcome.verifiedMitigations { Console.line("verified \(mitigation)") }
        if let commit = outcome.commit { Console.line("committed \(commit)") }
    }
}
