// Times the threat-file parser on real file versions: reads the output of
// `git cat-file --batch` (every version of a repository's threat files) and parses each one
// ROUNDS times, printing microseconds per file. Benchmarks/run.sh feeds it the benchmark repository.
//
//   git -C REPO log --format= --raw --no-abbrev -- threats/ | awk '{print $4}' | grep -v '^0\{40\}$' \
//     | sort -u | git -C REPO cat-file --batch > blobs; tmrepo-parse-bench blobs [ROUNDS]
import Foundation
import ThreatModel

let arguments = CommandLine.arguments
guard arguments.count >= 2, let data = FileManager.default.contents(atPath: arguments[1]) else {
    FileHandle.standardError.write(Data("usage: tmrepo-parse-bench CAT_FILE_BATCH_OUTPUT [ROUNDS]\n".utf8))
    exit(2)
}
let rounds = arguments.count > 2 ? max(1, Int(arguments[2]) ?? 5) : 5
let bytes = [UInt8](data)
var blobs: [[UInt8]] = []
var offset = 0
// Each entry: "<oid> blob <size>\n<content>\n".
while offset < bytes.count, let newline = bytes[offset...].firstIndex(of: 0x0A) {
    let header = String(decoding: bytes[offset..<newline], as: UTF8.self).split(separator: " ")
    guard header.count == 3, header[1] == "blob", let size = Int(header[2]) else { break }
    blobs.append(Array(bytes[(newline + 1)..<(newline + 1 + size)]))
    offset = newline + 1 + size + 1
}
guard !blobs.isEmpty else {
    FileHandle.standardError.write(Data("no blobs in \(arguments[1])\n".utf8))
    exit(2)
}
let total = blobs.reduce(0) { $0 + $1.count }
/// This thread's CPU time in seconds: unlike wall time, barely moved by other work on the machine.
func cpuSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
var best = Double.infinity
var errors = 0
for _ in 0..<rounds {
    let start = cpuSeconds()
    errors = 0
    for blob in blobs where ThreatParser.parse(path: "threats/x.md", bytes: blob).hasErrors { errors += 1 }
    best = min(best, cpuSeconds() - start)
}
print(String(format: "parse: %d files, %.1f KiB, best of %d: %.3f s CPU, %.1f µs/file, %.1f MB/s (%d with errors)",
             blobs.count, Double(total) / 1024, rounds, best, best * 1e6 / Double(blobs.count), Double(total) / best / 1e6, errors))
