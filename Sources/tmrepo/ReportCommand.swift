import ArgumentParser
import Foundation
import ThreatModel
import TMRepoKit

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The whole model as one document (HTML with charts, or Markdown), from git history.",
        discussion: """
        Summary, the data-flow diagram (elements by trust boundary, flows as arrows, each element \
        coloured by its worst open threat, gaps marked; Graphviz SVG in HTML, a Mermaid flowchart in \
        Markdown), charts (open threats by severity over time, reviews overdue over time, threats per \
        owner; open template findings by severity), review status, the vulnerability assessment \
        (unassessed findings, contradictions, expired and unreviewed acceptances; --sarif adds other \
        scanners' findings), the STRIDE-per-element matrix, assets and elements, threats by severity \
        with mitigations and evidence, ownership and the severity changelog. The HTML is one file: \
        inline CSS and SVG, no scripts, nothing fetched.

        Example: tmrepo report --out model.html
        """
    )

    @OptionGroup var model: ModelOptions
    @OptionGroup var history: HistoryOptions
    @OptionGroup var sarif: SARIFOptions

    @Option(help: "Output: html or md.")
    var format: ReportFormat = .html

    @Option(help: "Write here (default: standard output).")
    var out: String?

    func run() throws {
        let location = try model.location()
        let analysis = try HistoryEngine(location: location).analyze()
        let asOf = try history.moment()
        var report = try Report(analysis: analysis, asOf: asOf, name: location.displayName)
        try report.addAssessment(location: location, asOf: asOf, sarif: try sarif.logs())
        let text = format == .html ? report.html() : report.markdown()
        if let out {
            try FileSystem.writeAtomically(Array(text.utf8), to: FileSystem.absolute(out))
            Console.error("wrote \(out)")
        } else {
            Console.out(text)
        }
    }
}

extension ReportFormat: ExpressibleByArgument {}
