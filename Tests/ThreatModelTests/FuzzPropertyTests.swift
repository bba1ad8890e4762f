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

    /// SplitMix64, so a failure reproduces from its seed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
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
        var generator = SeededGenerator(state: 20_261_130)
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
