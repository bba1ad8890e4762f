import ArgumentParser
import Foundation
import ThreatModel
import TMRepoKit

/// What the installed hook scripts call. Messages go to standard error (git shows them; a
/// server's are relayed to the pusher as "remote:" lines). Exit 1 stops the git operation.
struct HookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Run one git hook's check (called by the scripts `tmrepo hooks install` writes).",
        subcommands: [PreCommit.self, CommitMsg.self, PreMergeCommit.self, PrePush.self, PreReceive.self]
    )

    static func runner(asOf: HistoryOptions) throws -> HookRunner {
        HookRunner(location: try ModelLocation.find(store: try? ModelStore.locate(explicit: nil)), asOf: try asOf.moment())
    }

    /// The server hook's model location comes from the repository's configuration (tmrepo.modelRoot).
    static func serverRunner(asOf: HistoryOptions) throws -> HookRunner {
        HookRunner(location: try ServerSettings.location(directory: FileManager.default.currentDirectoryPath), asOf: try asOf.moment())
    }

    static func report(_ result: CheckResult, label: String) {
        Console.error(label)
        Console.error(GateFormatter.render(result, format: .text))
    }

    struct PreCommit: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pre-commit", abstract: "Lint the staged threat files.")
        @OptionGroup var history: HistoryOptions

        func run() throws {
            let diagnostics = try HookCommand.runner(asOf: history).preCommit()
            guard !diagnostics.isEmpty else { return }
            let errors = diagnostics.filter { $0.severity == .error }
            for diagnostic in diagnostics { Console.error(diagnostic.formatted + " [\(diagnostic.rule)]") }
            if !errors.isEmpty {
                Console.error("tmrepo: commit stopped: \(errors.count) error\(errors.count == 1 ? "" : "s") in staged threat files (fix, stage, commit again; tmrepo lint shows them)")
                throw ExitCode(1)
            }
        }
    }

    struct CommitMsg: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "commit-msg", abstract: "Reject Reviewed-threat trailers for unknown ids.")
        @OptionGroup var history: HistoryOptions
        @Argument(help: "The file holding the commit message (git passes it).")
        var messageFile: String

        func run() throws {
            let message = String(decoding: try FileSystem.read(messageFile), as: UTF8.self)
            let unknown = try HookCommand.runner(asOf: history).unknownReviewedIDs(message: message)
            guard !unknown.isEmpty else { return }
            Console.error("tmrepo: commit stopped: Reviewed-threat names \(unknown.joined(separator: ", ")), but no such threat exists (check the id; tmrepo list shows them)")
            throw ExitCode(1)
        }
    }

    struct PreMergeCommit: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pre-merge-commit", abstract: "Check what the merge in progress brings in.")
        @OptionGroup var history: HistoryOptions

        func run() throws {
            let blocked = try HookCommand.runner(asOf: history).preMergeCommit().filter { !$0.passed }
            for result in blocked {
                HookCommand.report(result, label: "tmrepo: merge stopped: the incoming commits do not pass the threat-model gate")
            }
            if !blocked.isEmpty { throw ExitCode(1) }
        }
    }

    struct PrePush: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pre-push", abstract: "Check each pushed range (ref lines on standard input).")
        @OptionGroup var history: HistoryOptions
        @Argument(help: "The remote's name.") var remote: String
        @Argument(help: "The remote's URL.") var url: String?

        func run() throws {
            let lines = readLine(strippingNewline: true).map { first in [first] + Array(sequence(state: ()) { _ in readLine() }) } ?? []
            var blocked = false
            for (ref, result) in try HookCommand.runner(asOf: history).prePush(remote: remote, lines: lines) where !result.passed {
                HookCommand.report(result, label: "tmrepo: push of \(ref) stopped")
                blocked = true
            }
            if blocked { throw ExitCode(1) }
        }
    }

    struct PreReceive: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pre-receive", abstract: "Server side: check updates of protected branches.")
        @OptionGroup var history: HistoryOptions

        func run() throws {
            let lines = readLine(strippingNewline: true).map { first in [first] + Array(sequence(state: ()) { _ in readLine() }) } ?? []
            var rejected = false
            for verdict in try HookCommand.serverRunner(asOf: history).preReceive(lines: lines) {
                if case let .rejected(ref, reason, result) = verdict {
                    rejected = true
                    Console.error("tmrepo: rejected \(ref): \(reason)")
                    if let result { Console.error(GateFormatter.render(result, format: .text)) }
                }
            }
            if rejected { throw ExitCode(1) }
        }
    }
}
