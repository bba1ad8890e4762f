import ArgumentParser
import Foundation
import TMRepoKit

struct HooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hooks",
        abstract: "Install or remove tmrepo's git hooks.",
        subcommands: [Install.self, Uninstall.self]
    )

    struct Location: ParsableArguments {
        @Flag(help: "The server-side hook (pre-receive) instead of the client hooks.")
        var server = false

        @Option(help: "Install into this folder (default: core.hooksPath, else the git directory's hooks/).")
        var hooksPath: String?

        var names: [String] { server ? HookScripts.server : HookScripts.client }

        func installer() throws -> HookInstaller {
            let location = try ModelLocation.find(store: try? ModelStore.locate(explicit: nil))
            return HookInstaller(location: location, explicit: hooksPath)
        }
    }

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install pre-commit, commit-msg, pre-merge-commit and pre-push (or, with --server, pre-receive).",
            discussion: "An existing hook is never overwritten: it is kept as NAME.pre-tmrepo and run first (use --no-chain to refuse instead).\n\nExample: tmrepo hooks install   (on the git server, in the bare repository: tmrepo hooks install --server)"
        )

        @OptionGroup var location: Location

        @Flag(inversion: .prefixedNo, help: "Keep and chain existing hooks.")
        var chain = true

        @Option(help: "With --server: the model's folder inside the repository (a monorepo), recorded as git config tmrepo.modelRoot.")
        var modelRoot: String?

        func validate() throws {
            if modelRoot != nil && !location.server { throw ValidationError("--model-root is for the server hook: add --server") }
        }

        func run() throws {
            let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
            let tmrepo = FileManager.default.isExecutableFile(atPath: binary) && CommandLine.arguments[0].contains("/") ? binary : "tmrepo"
            for line in try location.installer().install(location.names, tmrepo: tmrepo, chain: chain) { Console.line(line) }
            if location.server {
                // The server's policy comes from its own configuration, never from what is pushed.
                for note in try ServerSettings.record(directory: FileManager.default.currentDirectoryPath, modelRoot: modelRoot) {
                    Console.line(note)
                }
            }
        }
    }

    struct Uninstall: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove tmrepo's hooks and restore the ones they chained.")

        @OptionGroup var location: Location

        func run() throws {
            let done = try location.installer().uninstall(location.names)
            if done.isEmpty { Console.line("no tmrepo hooks found") }
            for line in done { Console.line(line) }
        }
    }
}
