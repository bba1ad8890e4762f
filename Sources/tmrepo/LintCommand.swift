import ArgumentParser
import ThreatModel
import TMRepoKit

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check threat files, inventories and references; report every problem at once.",
        discussion: "Exit 0: no errors (warnings allowed). 1: errors found. 2: usage or configuration error.\n\nExample: tmrepo lint threats/ --format github --strict"
    )

    @OptionGroup var model: ModelOptions

    @Option(help: "Output: text, json or github (GitHub Actions annotations).")
    var format: DiagnosticFormat = .text

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @Argument(help: "Files or folders to report on (default: the whole model). Cross-file checks always see the whole model.")
    var paths: [String] = []

    func run() throws {
        let store = try model.store()
        let loaded = try store.load()
        // The templates beside the model: broken ones, and where elements.yml and they disagree.
        let system = try store.system(for: loaded)
        var diagnostics = loaded.configDiagnostics + loaded.diagnostics + system.problems + system.drift.diagnostics
        let catalogPaths = loaded.sharedMitigations.map(\.path) + loaded.assumptions.map(\.path)
        var filesChecked = try store.threatFilePaths(config: loaded.config).count + catalogPaths.count
        if !paths.isEmpty {
            let wanted = paths.map { relativePrefix(of: $0, from: store.root) }
            diagnostics = diagnostics.filter { diagnostic in
                wanted.contains { want in (diagnostic.path + "/").hasPrefix(want) }
            }
            filesChecked = try (store.threatFilePaths(config: loaded.config) + catalogPaths).filter { path in
                wanted.contains { (path + "/").hasPrefix($0) }
            }.count
        }
        let formatter = DiagnosticFormatter(format: format, pathPrefix: model.displayPrefix(for: store), style: .forStandardOutput())
        Console.out(formatter.render(diagnostics, filesChecked: filesChecked))
        let failing = diagnostics.contains { $0.severity == .error || strict }
        if failing { throw ExitCode(1) }
    }
}
