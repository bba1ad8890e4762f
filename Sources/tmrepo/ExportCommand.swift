import ArgumentParser
import Foundation
import ThreatModel
import TMRepoKit

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the model for another tool.",
        subcommands: [ThreatComposerExport.self, OTMExport.self]
    )

    struct ThreatComposerExport: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "threat-composer",
            abstract: "Write an AWS Threat Composer file (.tc.json, schema 1).",
            discussion: "Owners, reviews, evidence, exact severity and status and the body travel in custom: metadata, so importing the file back gives the same model.\n\nExample: tmrepo export threat-composer --out model.tc.json"
        )

        @OptionGroup var model: ModelOptions
        @OptionGroup var output: ExportOutput

        func run() throws {
            let store = try model.store()
            let loaded = try store.load()
            let (document, notes) = ThreatComposer.export(model: loaded, name: store.folderName)
            try output.emit(document, notes: notes, wrote: "\(loaded.threats.count) threats")
        }
    }

    struct OTMExport: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "otm",
            abstract: "Write an Open Threat Model file (OTM 0.2.0, JSON).",
            discussion: """
            Elements become components (type from .tmrepo/otm.json or the element kind; tags kind:<kind> \
            and resource:<template>#<LogicalId>) and data flows, trust_boundary values trust zones (a \
            default zone for elements without one), threats OTM threats (STRIDE categories, risk from \
            severity) referenced from their element with their state and mitigations. What cannot be \
            exported (a flow without both ends, a threat on an unknown element) is reported.

            Example: tmrepo export otm --out model.otm.json
            """
        )

        @OptionGroup var model: ModelOptions
        @OptionGroup var output: ExportOutput

        func run() throws {
            let store = try model.store()
            let loaded = try store.load()
            let sidecarPath = store.absolute(OpenThreatModel.sidecarPath)
            let sidecar: OpenThreatModel.Sidecar?
            do {
                sidecar = try FileSystem.exists(sidecarPath) ? OpenThreatModel.Sidecar.decode(FileSystem.read(sidecarPath)) : nil
            } catch {
                throw TMRepoError.invalidArgument("\(error)")
            }
            let (document, notes) = OpenThreatModel.export(model: loaded, name: store.folderName, sidecar: sidecar)
            try output.emit(document, notes: notes, wrote: "\(loaded.elements?.count ?? 0) elements and \(loaded.threats.count) threats")
        }
    }
}

/// Where an export goes, shared by every format.
struct ExportOutput: ParsableArguments {
    @Option(help: "Write here (default: standard output).")
    var out: String?

    /// Writes the document (atomically to --out, else to standard output), then what it left out.
    func emit(_ document: JSON, notes: [String], wrote summary: String) throws {
        let bytes = document.bytes() + [0x0A]
        if let out {
            try FileSystem.writeAtomically(bytes, to: FileSystem.absolute(out))
            Console.error("wrote \(summary) to \(out)")
        } else {
            Console.out(bytes)
        }
        for note in notes { Console.error("note: \(note)") }
    }
}
