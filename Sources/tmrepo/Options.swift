import ArgumentParser
import Foundation
import ThreatModel
import TMRepoKit

/// Where the model is: `--root`, else found by walking up from the current folder.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "The model root (the folder with .tmrepo.yml). Default: found by walking up from the current folder.")
    var root: String?

    func store() throws -> ModelStore {
        try ModelStore.locate(explicit: root)
    }

    /// The model root as seen from the current folder ("" when it is the current folder).
    func displayPrefix(for store: ModelStore) -> String {
        relativePrefix(of: store.root, from: FileSystem.currentDirectory)
    }
}

/// `dir/` relative to `base` with a trailing slash, "" when equal; absolute when not below `base`.
func relativePrefix(of dir: String, from base: String) -> String {
    let dir = FileSystem.absolute(dir), base = FileSystem.absolute(base)
    if dir == base { return "" }
    if dir.hasPrefix(base + "/") { return String(dir.dropFirst(base.count + 1)) + "/" }
    return dir + "/"
}

extension Severity: ExpressibleByArgument {}
extension ThreatStatus: ExpressibleByArgument {}
extension StrideCategory: ExpressibleByArgument {}
extension DiagnosticFormat: ExpressibleByArgument {}
extension MatrixFormat: ExpressibleByArgument {}

/// `--sarif FILE` (repeatable) on the commands that report assessment: other scanners' findings,
/// mapped onto the templates, beside the built-in checks' findings.
struct SARIFOptions: ParsableArguments {
    @Option(name: .customLong("sarif"), help: ArgumentHelp("Also read this SARIF 2.1.0 file from another scanner (repeatable): its findings count like the built-in checks' (docs/checks.md).", valueName: "file"))
    var files: [String] = []

    func logs() throws -> [(path: String, log: SARIFLog)] {
        try files.map { path in (path: path, log: try VulnerabilityScan.readSARIF(path)) }
    }
}
