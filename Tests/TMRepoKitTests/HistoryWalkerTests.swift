import Foundation
import Testing
import TestSupport
import TMGit
import ThreatModel
@testable import TMRepoKit

/// The walker's records come parents first, in the listing's order, whatever the split of the
/// work across threads (runs of commits handed out as workers free up).
struct HistoryWalkerTests {
    @Test func recordsComeInTheListingsOrderHoweverTheWorkIsSplit() throws {
        let dir = try TempDir("walker-order")
        _ = try GitDriver.initialize(dir.path)
        // 1,300 commits, each changing a threat file or a code file, made in one fast-import stream.
        var stream = ""
        for index in 0..<1_300 {
            let path = index % 3 == 0 ? "threats/T-\(String(format: "%04d", index % 50))-a.md" : "src/f\(index % 40).ts"
            let text = "line \(index)\n"
            stream += "commit refs/heads/main\ncommitter T <t@example.com> \(1_700_000_000 + index * 60) +0000\n"
            stream += "data 4\nc\(index % 10)\n\n"
            stream += "M 100644 inline \(path)\ndata \(text.utf8.count)\n\(text)\n"
        }
        let imported = try runProcess("/usr/bin/env", ["git", "fast-import", "--quiet"], cwd: dir.path, stdin: stream)
        try #require(imported.status == 0, "fast-import: \(imported.stderr)")
        let repository = try Repository.open(at: dir.path)
        let head = try #require(try repository.headCommit())
        let listed = try HistoryWalker.commits(in: repository, head: head, hiding: [])
        let walker = HistoryWalker(repository: repository, threatsFolder: "threats/", modelPrefix: "",
                                   filter: HistoryWalker.filter(threatsFolder: "threats/", evidence: ["src/**"]))
        let records = try walker.records(head: head, hiding: [], knownTrees: [:])
        #expect(listed.count == 1_300)
        #expect(records.map(\.id) == listed.map(\.id))
        // Each record is its own commit's: the threat file or code file it changed.
        for (index, record) in records.enumerated() {
            #expect(record.threatFiles.count == (index % 3 == 0 ? 1 : 0), "commit \(index)")
        }
    }
}
