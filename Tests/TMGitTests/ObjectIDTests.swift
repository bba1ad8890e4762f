import Testing
@testable import TMGit

/// Ids order as their bytes (and so their hex) do, and equal ids hash alike, for ids that differ
/// in any byte: the comparison and hash read the id as words, not bytes.
struct ObjectIDTests {
    @Test func idsSortAsTheirHexAndRoundTrip() throws {
        var state: UInt64 = 42
        func byte() -> UInt8 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        var ids: [ObjectID] = []
        for round in 0..<2_000 {
            var bytes = (0..<20).map { _ in byte() }
            if round % 4 == 0, let previous = ids.last {
                // Share a prefix with the previous id, differing from one position on.
                let from = Int(byte()) % 20
                bytes = Array(previous.bytes[..<from]) + bytes[from...]
            }
            let id = ObjectID(bytes: bytes)
            #expect(id.bytes == bytes)
            #expect(ObjectID(hex: id.hex) == id)
            ids.append(id)
        }
        let sorted = ids.sorted()
        #expect(sorted.map(\.hex) == ids.map(\.hex).sorted())
        for (lhs, rhs) in zip(ids, ids.dropFirst()) {
            #expect((lhs < rhs) == (lhs.hex < rhs.hex))
            #expect((lhs == rhs) == (lhs.hex == rhs.hex))
        }
        let byHex = Dictionary(ids.map { ($0, $0.hex) }, uniquingKeysWith: { first, _ in first })
        for id in ids { #expect(byHex[ObjectID(bytes: id.bytes)] == id.hex) }
    }
}
