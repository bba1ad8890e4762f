import Foundation
import Testing
import TestSupport
@_spi(Fuzzing) @testable import ThreatModel

/// A short, deterministic run of the fuzzer's properties (scripts/fuzz.sh runs them for longer):
/// inputs it once broke, then mutations of the fixtures and example.
struct FuzzPropertyTests {
    @Test func inputsTheFuzzerFoundStayFixed() throws {
        let folder = SourceTree.root + "/Fuzz/regressions"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(!files.isEmpty)
        for file in files {
            let bytes = [UInt8](FileManager.default.contents(atPath: folder + "/" + file)!)
            #expect(FuzzChecks.all(bytes) == nil, "\(file)")
        }
    }

    @Test func mutatedModelFilesKeepEveryProperty() {
        var corpus: [[UInt8]] = []
        for folder in [SourceTree.fixtures + "/valid", SourceTree.example + "/threats"] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
                if let data = FileManager.default.contents(atPath: folder + "/" + name) { corpus.append([UInt8](data)) }
            }
        }
        #expect(corpus.count > 5)
        let fragments = ["\n", ": ", "- ", "  ", "[", "]", "{", "}", "'", "\"", "#", "&a ", "*a", "|\n", "\u{85}", "\u{1B}[2J", "\u{202E}",
                         "\t", "\r\n", "review_every: 99999999y\n", "9999-99-99", "---\n"].map { Array($0.utf8) }
        var generator = SeededGenerator(seed: 20_261_130)
        let deadline = Date().addingTimeInterval(3)
        var runs = 0
        while Date() < deadline && runs < 3_000 {
            var input = corpus[Int.random(in: 0..<corpus.count, using: &generator)]
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let position = Int.random(in: 0...input.count, using: &generator)
                if Bool.random(using: &generator) || input.isEmpty {
                    input.insert(contentsOf: fragments[Int.random(in: 0..<fragments.count, using: &generator)], at: position)
                } else {
                    input.remove(at: min(position, input.count - 1))
                }
            }
            if let failure = FuzzChecks.all(input) {
                Issue.record("\(failure)\ninput: \(String(decoding: input, as: UTF8.self).debugDescription)")
                return
            }
            runs += 1
        }
        #expect(runs > 20, "the properties ran on too few inputs to mean anything")
    }
}
