import ArgumentParser
import Foundation
import ThreatModel
import TMRepoKit

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import threats from another tool.",
        subcommands: [ThreatComposerImport.self]
    )

    struct ThreatComposerImport: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "threat-composer",
            abstract: "Import an AWS Threat Composer file (.tc.json): one threat file per threat.",
            discussion: """
            The statement becomes the title and body, the grammar the threat: block, STRIDE and Priority \
            metadata stride and severity, linked mitigations and assumptions come along, custom: metadata \
            is kept, diagram images are skipped. New ids follow every id in use; a threat imported before \
            (same Threat Composer id) is skipped. Prints what was imported and what could not be mapped.

            Open and mitigated threats need an owner: --owner, else default_owner in .tmrepo.yml; \
            without one nothing is written. Threats without STRIDE metadata get categories guessed from \
            their words and the tag stride-inferred (a lint warning until a person removes it). An \
            unknown status or priority, a threat without text, a value out of range or too long is an \
            error naming the JSON path; nothing is written then.

            Example: tmrepo import threat-composer model.tc.json --owner payments-team --dry-run
            """
        )

        @OptionGroup var model: ModelOptions

        @Argument(help: "The .tc.json file.")
        var file: String

        @Option(help: "Owner for imported threats that name none (a team from .tmrepo.yml or an email; default: default_owner in .tmrepo.yml).")
        var owner: String?

        @Flag(help: "Show what would be written, write nothing.")
        var dryRun = false

        func run() throws {
            let store = try model.store()
            let config = try store.loadConfig()
            let current = try store.load()
            let creator = ThreatCreator(store: store, config: config)
            let first = try creator.nextID(model: current, retired: HistoryIDs.everSeen(store: store, config: config))
            let width = first.count - config.idPrefix.count
            let data = Data(try FileSystem.read(FileSystem.absolute(file)))
            let plan: ThreatComposer.ImportPlan
            do {
                plan = try ThreatComposer.planImport(data, model: current, firstID: Model.idNumber(first) ?? 1, idWidth: width,
                                                     owner: owner ?? config.defaultOwner)
            } catch {
                throw TMRepoError.invalidArgument("\(file): \(error); nothing was written")
            }
            if !plan.ownerless.isEmpty {
                throw TMRepoError.invalidArgument(ImportCommand.ownerMissing(plan.ownerless, file: file))
            }
            for entry in plan.files {
                let path = store.absolute(entry.path)
                if FileSystem.exists(path) { throw TMRepoError.fileExists(entry.path) }
            }
            let prefix = model.displayPrefix(for: store)
            if !dryRun {
                try FileSystem.createDirectory(store.absolute(config.threatsDirectory))
                for entry in plan.files { try FileSystem.writeAtomically(entry.bytes, to: store.absolute(entry.path)) }
            }
            // Ids, reasons and notes quote the imported file: one escaped line each.
            let safe = TextEscaping.field
            Console.line("\(dryRun ? "would import" : "imported") \(plan.files.count) threat\(plan.files.count == 1 ? "" : "s") from \(safe(file))")
            for entry in plan.files { Console.line("  \(safe(prefix + entry.path))") }
            if !plan.skipped.isEmpty {
                Console.line("skipped \(plan.skipped.count):")
                for (id, reason) in plan.skipped { Console.line("  \(safe(id)): \(safe(reason))") }
            }
            if !plan.notes.isEmpty {
                Console.line("notes:")
                for note in plan.notes { Console.line("  \(safe(note))") }
            }
        }
    }

    /// Why an import that would leave threats without an owner stops, naming the option.
    static func ownerMissing(_ ids: [String], file: String) -> String {
        let shown = ids.prefix(5).joined(separator: ", ") + (ids.count > 5 ? " and \(ids.count - 5) more" : "")
        return "\(file): \(ids.count) open or mitigated threat\(ids.count == 1 ? "" : "s") would have no owner (\(shown)); " +
            "pass --owner TEAM-OR-EMAIL, or set default_owner: in \(ModelConfig.fileName); nothing was written"
    }
}
