import Foundation
@_spi(Fuzzing) import ThreatModel

// One fuzz target for the threat-file parser, the config and inventory readers, FastYAML against
// libyaml, and the text escaper (ThreatModel's FuzzChecks). Built two ways by scripts/fuzz.sh:
//   with -D LIBFUZZER and -sanitize=fuzzer,address: a libFuzzer target (libFuzzer owns main);
//   without: a mutation driver — `FuzzThreatModel SECONDS CORPUS_DIR…` mutates the corpus for
//   SECONDS, or `FuzzThreatModel --replay FILE…` runs saved inputs once (to reproduce a crash).

func check(_ bytes: [UInt8]) {
    if let failure = FuzzChecks.all(bytes) {
        fatalError("property broken: \(failure)")
    }
}

#if LIBFUZZER
@_silgen_name("LLVMFuzzerRunDriver")
func runLibFuzzer(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

// SwiftPM links an executable's entry point under this name, so libFuzzer's own main is not
// used; its driver is started from here instead.
@_cdecl("FuzzThreatModel_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return runLibFuzzer(&argc, &argv) { data, size in
        check(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }
}
#else
@main
enum MutationDriver {
    /// Fragments that steer mutations into YAML and threat-file structure.
    static let dictionary: [String] = [
        "---\n", "\n", ": ", "- ", "  ", "    ", "[", "]", "{", "}", ", ", "'", "\"", "\\", "#", "&a ", "*a", "!!str ", "|\n", ">-\n",
        "? ", "~", "null", "\t", "\r\n", "\u{FEFF}", "\u{1B}[31m", "\u{202E}", "\u{85}", "id: T-0001\n", "title: x\n",
        "stride: [spoofing]\n", "severity: high\n", "status: open\n", "owner: a@example.com\n", "review_every: 99999999y\n",
        "reviewed:\n  on: 2026-01-01\n  by: a@example.com\n", "mitigations:\n  - id: M-1\n    title: t\n    status: planned\n",
        "9999-99-99", "0000-01-01", "36525d", "9223372036854775807", "-", "...\n", "%YAML 1.2\n",
    ]

    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--replay" {
            for path in arguments.dropFirst() { check([UInt8](FileManager.default.contents(atPath: path) ?? Data())) }
            print("replayed \(arguments.count - 1) inputs: no property broken")
            return
        }
        let seconds = Double(arguments.first ?? "") ?? 30
        if !arguments.isEmpty { arguments.removeFirst() }
        var corpus: [[UInt8]] = []
        for folder in arguments {
            let enumerator = FileManager.default.enumerator(atPath: folder)
            while let next = enumerator?.nextObject() as? String {
                if let data = FileManager.default.contents(atPath: folder + "/" + next), !data.isEmpty, data.count < 64 << 10 { corpus.append([UInt8](data)) }
            }
        }
        if corpus.isEmpty { corpus = [Array("---\nid: T-0001\ntitle: x\n---\n".utf8)] }
        var generator = SystemRandomNumberGenerator()
        let start = Date()
        var runs = 0
        while Date().timeIntervalSince(start) < seconds {
            var input = corpus.randomElement(using: &generator)!
            for _ in 0..<Int.random(in: 1...8, using: &generator) { mutate(&input, corpus: corpus, using: &generator) }
            // Written before the run, so a crash leaves the input behind.
            FileManager.default.createFile(atPath: "fuzz-current-input", contents: Data(input))
            check(input)
            runs += 1
        }
        try? FileManager.default.removeItem(atPath: "fuzz-current-input")
        print("mutation driver: \(runs) inputs in \(Int(Date().timeIntervalSince(start))) s, 0 crashes")
    }

    static func mutate(_ input: inout [UInt8], corpus: [[UInt8]], using generator: inout SystemRandomNumberGenerator) {
        let position = input.isEmpty ? 0 : Int.random(in: 0...input.count, using: &generator)
        switch Int.random(in: 0..<6, using: &generator) {
        case 0 where !input.isEmpty:   // flip a byte
            input[min(position, input.count - 1)] = UInt8.random(in: 0...255, using: &generator)
        case 1 where !input.isEmpty:   // delete a run
            let end = min(input.count, position + Int.random(in: 1...16, using: &generator))
            input.removeSubrange(min(position, end)..<end)
        case 2, 3:                      // insert a fragment
            input.insert(contentsOf: Array(dictionary.randomElement(using: &generator)!.utf8), at: position)
        case 4:                         // splice in a line from another input
            let other = corpus.randomElement(using: &generator)!
            let lines = other.split(separator: 0x0A, omittingEmptySubsequences: false)
            if let line = lines.randomElement(using: &generator) { input.insert(contentsOf: Array(line) + [0x0A], at: position) }
        default:                        // duplicate a run (nesting, repetition)
            guard !input.isEmpty else { return }
            let start = min(position, input.count - 1)
            let end = min(input.count, start + Int.random(in: 1...32, using: &generator))
            input.insert(contentsOf: input[start..<end], at: start)
        }
        if input.count > 256 << 10 { input.removeLast(input.count - (256 << 10)) }
    }
}
#endif
