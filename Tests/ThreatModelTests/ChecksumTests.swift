import Testing
@testable import ThreatModel

/// The cache's damage check: any one changed byte, anywhere (words, lanes, tail), and any
/// truncation changes it.
struct ChecksumTests {
    @Test func everyChangedByteAndEveryTruncationIsSeen() {
        let bytes = (0..<203).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let whole = ContentHash.checksum(bytes[...])
        for position in bytes.indices {
            for flip: UInt8 in [0x01, 0x80, 0xFF] {
                var damaged = bytes
                damaged[position] ^= flip
                #expect(ContentHash.checksum(damaged[...]) != whole, "byte \(position) ^ \(flip)")
            }
        }
        var seen = Set<UInt64>()
        for length in 0...bytes.count { seen.insert(ContentHash.checksum(bytes[..<length])) }
        #expect(seen.count == bytes.count + 1, "every prefix has its own checksum")
        #expect(ContentHash.checksum(bytes[5...]) == ContentHash.checksum(Array(bytes[5...])[...]), "a slice checks as its copy")
    }
}
