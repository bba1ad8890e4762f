import ArgumentParser
import Foundation
import ThreatModel
import TMRepoKit

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the model for another tool.",
        subcommands: [ThreatComposerExport.self]
    )

    struct ThreatComposerExport: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "threat-composer",
            abstract: "Write an AWS Threat Composer file (.tc.json, schema 1).",
            discussion: "Owners, reviews, evidence, exact severity and status and the body travel in custom: metadata, so importing the file back gives the same model.\n\nExample: tmrepo export threat-composer --out model.tc.json"
        )

        @OptionGroup var model: ModelOptions

        @Option(help: "Write here (default: standard output).")
        var out: String?

        func run() throws {
            let store = try model.store()
            let loaded = try store.load()
            let name = URL(fileURLWithPath: store.root).lastPathComponent
            let (document, notes) = ThreatComposer.export(model: loaded, name: name)
            let bytes = document.bytes() + [0x0A]
            if let out {
                try FileSystem.writeAtomically(bytes, to: FileSystem.absolute(out))
                Console.error("wrote \(loaded.threats.count) threats to \(out)")
            } else {
                Console.out(bytes)
            }
            for note in notes { Console.error("note: \(note)") }
        }
    }
}
