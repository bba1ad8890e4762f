import ArgumentParser
import ThreatModel
import TMRepoKit

struct MatrixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix",
        abstract: "The STRIDE-per-element coverage matrix, with gaps.",
        discussion: """
        Rows are elements (elements.yml) and the resources your templates declare that elements.yml \
        lacks (marked new), columns the six STRIDE categories, cells the number of threats. \
        Applicability follows the classic table: external entity S,R; process all six; \
        data store T,R,I,D; data flow T,I,D. An applicable cell with no threat is a GAP.

        Example: tmrepo matrix --format md
        """
    )

    @OptionGroup var model: ModelOptions

    @Option(help: "Output: text, json or md.")
    var format: MatrixFormat = .text

    func run() throws {
        let store = try model.store()
        let loaded = try store.load()
        let unmodeled = try store.system(for: loaded).drift.unmodeled.map(\.discovered.element)
        Console.out(MatrixFormatter.render(CoverageMatrix(model: loaded, unmodeled: unmodeled), format: format, style: .forStandardOutput()))
    }
}
