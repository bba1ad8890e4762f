import ArgumentParser
import Foundation
import TMRepoKit
import ThreatModel

@main
enum Entry {
    /// Runs the command and maps every failure to the documented exit codes
    /// (0 ok, 1 findings, 2 usage/config/repository error, 3 incomplete git history).
    static func main() {
        do {
            var command = try TMRepo.parseAsRoot()
            try command.run()
        } catch let error as TMRepoError {
            Console.error("tmrepo: error: \(error)")
            exit(error.exitCode)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            let code = TMRepo.exitCode(for: error)
            if code == .success {
                Console.line(TMRepo.fullMessage(for: error))
                exit(0)
            }
            Console.error(TMRepo.fullMessage(for: error))
            exit(2)
        }
    }
}

struct TMRepo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tmrepo",
        abstract: "A git-native threat-model repository manager.",
        discussion: """
        Threats live as one Markdown file per threat with YAML front matter. tmrepo reads them, \
        checks them and, from git history, knows when each was really reviewed.

        Exit codes: 0 ok; 1 findings (lint errors, a failing check); 2 usage, configuration or \
        repository error; 3 incomplete git history (shallow clone, missing objects).
        """,
        version: "tmrepo 0.1.0",
        subcommands: [InitCommand.self, NewCommand.self, DiscoverCommand.self, ScanCommand.self, AssessCommand.self, LintCommand.self, ListCommand.self, ShowCommand.self,
                      MatrixCommand.self, StatusCommand.self, ReviewCommand.self, LogCommand.self, ChangelogCommand.self, CheckCommand.self, HooksCommand.self, HookCommand.self, ImportCommand.self, ExportCommand.self, ReportCommand.self]
    )
}

enum Console {
    /// Ends the process now. Used after a large report is written: the memory is returned to
    /// the system at exit anyway, and releasing a big object graph first only costs time.
    static func finish(_ code: Int32 = 0) -> Never {
        exit(code)
    }

    /// Text for people. Formatters escape the user text they place; this catches whatever
    /// reaches a terminal anyway (error messages quoting arguments, file names, hook output).
    static func error(_ text: String) {
        let text = text.hasSuffix("\n") ? text : text + "\n"
        FileHandle.standardError.write(Data(TextEscaping.terminalOutput(text, keepingColor: Style.forStandardError().enabled).utf8))
    }

    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(TextEscaping.terminalOutput(text, keepingColor: Style.forStandardOutput().enabled).utf8))
    }

    /// One line of text for people (what `print` would write).
    static func line(_ text: String) {
        out(text + "\n")
    }

    /// Bytes as they are (a JSON report can be megabytes: written from the array, not a copy of it).
    static func out(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let count = Glibc.write(STDOUT_FILENO, buffer.baseAddress! + written, buffer.count - written)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return }
                written += count
            }
        }
    }
}
