import Foundation
import Testing
@testable import TMRepoKit

/// The readers of one cache segment share its string table, and the HEAD model read and a
/// background fold decode from it at the same time. Its memo of decoded strings must survive
/// that: before it was locked, two threads writing the same slot corrupted the heap (seen as a
/// crash when a history analysis was freed).
struct StringTableConcurrencyTests {
    @Test func manyThreadsDecodeOneTableAlike() throws {
        // Mostly strings long enough to live on the heap (memoized, so a racing write would release
        // one twice), some short enough to be made each time, and some whose length takes two
        // varint bytes; over several memo blocks.
        let expected = (0..<3000).map { index -> String in
            switch index % 5 {
            case 0: "M-\(index)"
            case 1: String(repeating: "long-\(index)-", count: 30)
            default: "threats/T-\(index)-a-threat-file-name-long-enough-for-the-heap.md"
            }
        }
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
