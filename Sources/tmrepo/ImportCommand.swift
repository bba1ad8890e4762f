import ArgumentParser
import Foundation
import ThreatModel
import TMRepoKit

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import threats from another tool.",
        subcommands: [ThreatComposerImport.self, OTMImport.self]
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
        @OptionGroup var options: ImportOptions

        func run() throws {
            let (file, owner, dryRun) = (options.file, options.owner, options.dryRun)
            let setup = try ImportSetup(model: model, file: file)
            let (store, config, current, first, width, data) =
                (setup.store, setup.config, setup.current, setup.firstID, setup.idWidth, setup.data)
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
            for entry in plan.files + plan.catalogFiles {
                let path = store.absolute(entry.path)
                if FileSystem.exists(path) { throw TMRepoError.fileExists(entry.path) }
            }
            let prefix = model.displayPrefix(for: store)
            if !dryRun {
                try FileSystem.createDirectory(store.absolute(config.threatsDirectory))
                for entry in plan.files { try FileSystem.writeAtomically(entry.bytes, to: store.absolute(entry.path)) }
                for entry in plan.catalogFiles {
                    try FileSystem.createDirectory(URL(fileURLWithPath: store.absolute(entry.path)).deletingLastPathComponent().path)
                    try FileSystem.writeAtomically(entry.bytes, to: store.absolute(entry.path))
                }
            }
            // Ids, reasons and notes quote the imported file: one escaped line each.
            let safe = TextEscaping.field
            let shared = plan.catalogFiles.filter { $0.threatID.hasPrefix(CatalogKind.mitigation.idPrefix) }.count
            let assumptions = plan.catalogFiles.count - shared
            let catalog = plan.catalogFiles.isEmpty ? ""
                : ", \(shared) shared mitigation\(shared == 1 ? "" : "s") and \(assumptions) assumption\(assumptions == 1 ? "" : "s")"
            Console.line("\(dryRun ? "would import" : "imported") \(plan.files.count) threat\(plan.files.count == 1 ? "" : "s")\(catalog) from \(safe(file))")
            for entry in plan.files + plan.catalogFiles { Console.line("  \(safe(prefix + entry.path))") }
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

    struct OTMImport: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "otm",
            abstract: "Import an Open Threat Model file (OTM 0.1/0.2, JSON): elements and one threat file per threat.",
            discussion: """
            Components and data flows are appended to elements.yml (kept byte for byte; elements already \
            there are skipped), trust zones become trust_boundary values, threats become threat files on \
            the first component or flow that references them, with their mitigations and states. What \
            tmrepo has no field for (project, zone ids and ratings, component types, threat ids and risk \
            numbers, mitigation descriptions) is kept in .tmrepo/otm.json for `tmrepo export otm`. \
            Open and mitigated threats need an owner (--owner or default_owner); an unknown state, a \
            dangling reference, a missing required field is an error naming the JSON path, and nothing \
            is written then. See docs/interop.md.

            Example: tmrepo import otm startleft-output.otm --owner platform-team --dry-run
            """
        )

        @OptionGroup var model: ModelOptions
        @OptionGroup var options: ImportOptions

        func run() throws {
            let (file, owner, dryRun) = (options.file, options.owner, options.dryRun)
            let setup = try ImportSetup(model: model, file: file)
            let (store, config, current, first, width, data) =
                (setup.store, setup.config, setup.current, setup.firstID, setup.idWidth, setup.data)
            let elementsPath = store.absolute(InventoryParser.elementsFile)
            let elementsBytes = try FileSystem.exists(elementsPath) ? FileSystem.read(elementsPath) : nil
            let sidecarPath = store.absolute(OpenThreatModel.sidecarPath)
            let plan: OpenThreatModel.ImportPlan
            do {
                let sidecar = try FileSystem.exists(sidecarPath) ? OpenThreatModel.Sidecar.decode(FileSystem.read(sidecarPath)) : nil
                plan = try OpenThreatModel.planImport(data, model: current, elementsBytes: elementsBytes, sidecar: sidecar,
                                                      firstID: Model.idNumber(first) ?? 1, idWidth: width, owner: owner ?? config.defaultOwner)
            } catch {
                throw TMRepoError.invalidArgument("\(file): \(error); nothing was written")
            }
            if !plan.ownerless.isEmpty {
                throw TMRepoError.invalidArgument(ImportCommand.ownerMissing(plan.ownerless, file: file))
            }
            for entry in plan.threatFiles where FileSystem.exists(store.absolute(entry.path)) { throw TMRepoError.fileExists(entry.path) }
            let prefix = model.displayPrefix(for: store)
            if !dryRun {
                try FileSystem.createDirectory(store.absolute(config.threatsDirectory))
                for entry in plan.threatFiles { try FileSystem.writeAtomically(entry.bytes, to: store.absolute(entry.path)) }
                if let elements = plan.elementsFile { try FileSystem.writeAtomically(elements.bytes, to: store.absolute(elements.path)) }
                if let sidecar = plan.sidecar {
                    try FileSystem.createDirectory(URL(fileURLWithPath: store.absolute(sidecar.path)).deletingLastPathComponent().path)
                    try FileSystem.writeAtomically(sidecar.bytes, to: store.absolute(sidecar.path))
                }
            }
            let safe = TextEscaping.field
            let verb = dryRun ? "would import" : "imported"
            Console.line("\(verb) \(plan.elementsAdded.count) element\(plan.elementsAdded.count == 1 ? "" : "s") and \(plan.threatFiles.count) threat\(plan.threatFiles.count == 1 ? "" : "s") from \(safe(file))")
            if plan.elementsFile != nil { Console.line("  \(safe(prefix + InventoryParser.elementsFile)): \(safe(plan.elementsAdded.joined(separator: ", ")))") }
            for entry in plan.threatFiles { Console.line("  \(safe(prefix + entry.path))") }
            if let sidecar = plan.sidecar { Console.line("  \(safe(prefix + sidecar.path))") }
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

/// What both imports take: the file, the owner for threats that name none, and a dry run.
struct ImportOptions: ParsableArguments {
    @Argument(help: "The file to import (.tc.json for Threat Composer; OTM as JSON).")
    var file: String

    @Option(help: "Owner for imported threats that name none (a team from .tmrepo.yml or an email; default: default_owner in .tmrepo.yml).")
    var owner: String?

    @Flag(help: "Show what would be written, write nothing.")
    var dryRun = false
}

/// What both imports read before planning: the model, the next free id (work tree and history)
/// and the file's bytes.
struct ImportSetup {
    let store: ModelStore
    let config: ModelConfig
    let current: Model
    /// The next free id (e.g. T-0019) and its digit count.
    let firstID: String
    let idWidth: Int
    let data: Data

    init(model: ModelOptions, file: String) throws {
        store = try model.store()
        config = try store.loadConfig()
        current = try store.load()
        firstID = try ThreatCreator(store: store, config: config).nextID(model: current, retired: HistoryIDs.everSeen(store: store, config: config))
        idWidth = firstID.count - config.idPrefix.count
        data = Data(try FileSystem.read(FileSystem.absolute(file)))
    }
}
