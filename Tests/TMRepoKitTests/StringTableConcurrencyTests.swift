import Foundation
import Testing
@testable import TMRepoKit

/// The readers of one cache segment share its string table, and the HEAD model read and a
/// background fold decode from it at the same time. Its memo of decoded strings must survive
/// that: before it was locked, two threads writing the same slot corrupted the heap (seen as a
/// crash when a history analysis was freed).
struct StringTableConcurrencyTests {
    @Test func manyThreadsDecodeOneTableAlike() throws {
        // Strings long enough to live on the heap, so a racing write would release one twice.
        let expected = (0..<3000).map { "threats/T-\($0)-a-threat-file-name-long-enough-for-the-heap.md" }
        var writer = BinaryWriter()
        writer.strings(expected)
        let frame = BinaryFrame.encode(magic: Array("TEST".utf8), version: 1, writer)
        for _ in 0..<40 {
            // A fresh table each round, so every round decodes (and memoizes) under contention.
            let (opened, _) = try #require(BinaryFrame.open(frame, at: 0, magic: Array("TEST".utf8), version: 1))
            nonisolated(unsafe) let reader = opened   // shared on purpose: that is what is tested
            let results = Slots<[String]>(count: 8)
            DispatchQueue.concurrentPerform(iterations: 8) { worker in
                var copy = reader
                results[worker] = (try? copy.strings()) ?? []
            }
            for value in results.values { #expect(value == expected) }
        }
    }
}
