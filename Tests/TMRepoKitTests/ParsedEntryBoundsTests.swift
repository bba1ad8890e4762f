import Testing
import TMGit
import ThreatModel
@testable import TMRepoKit

/// A cached parse is read within its own entry: an entry whose inner lengths are wrong (written by
/// a bug, or by hand, under a correct checksum) is never decoded into a wrong answer; the store
/// gives nothing for that blob, and the engine parses it again from git.
struct ParsedEntryBoundsTests {
    let blob = ObjectID(hex: "0123456789abcdef0123456789abcdef01234567")!
    let tip = ObjectID(hex: "89abcdef0123456789abcdef0123456789abcdef")!

    func segment() -> [UInt8] {
        let file = ThreatParser.parse(path: "threats/T-0001.md", bytes: Array("""
            ---
            id: T-0001
            title: Forged tokens
            severity: high
            status: open
            owner: team-a
            mitigations:
              - id: M-1
                title: Verify signatures
                status: verified
                verified: 2026-01-02
                evidence: [src/auth/**]
            ---
            The body.
            """.utf8))
        #expect(file.threat != nil)
        return HistoryCacheCodec.encodeSegment(key: HistoryCache.Key(threatsFolder: "threats/", modelPrefix: "", idPrefix: "T-", filter: ""),
                                               base: nil, tip: tip, records: [], parsed: [(blob, file)])
    }

    /// `bytes` with the facts-block length of the one entry set to `length`, the frame's checksum redone.
    func withFactsLength(_ length: UInt32, in bytes: [UInt8]) throws -> [UInt8] {
        var bytes = bytes
        let id = blob.bytes
        let at = try #require((0...(bytes.count - id.count)).first { bytes[$0..<($0 + id.count)].elementsEqual(id) })
        let factsLength = at + id.count + 4   // after the id and the entry's own length
        for index in 0..<4 { bytes[factsLength + index] = UInt8(truncatingIfNeeded: length >> UInt32(8 * index)) }
        let payload = BinaryFrame.headerLength..<bytes.count
        let checksum = ContentHash.checksum(bytes[payload])
        for index in 0..<8 { bytes[BinaryFrame.headerLength - 8 + index] = UInt8(truncatingIfNeeded: checksum >> UInt64(8 * index)) }
        return bytes
    }

    func store(_ bytes: [UInt8]) throws -> ParsedStore {
        let store = ParsedStore()
        _ = try #require(HistoryCacheCodec.readSegment(bytes, at: 0, into: store), "the frame must still open")
        return store
    }

    @Test func aSoundEntryReadsWhole() throws {
        let store = try store(segment())
        #expect(store[blob]?.threat?.mitigations.first?.evidence == ["src/auth/**"])
        #expect(store.facts(blob)?.id == "T-0001")
    }

    /// A parse read for a path carries that path, whichever path it was read for first.
    @Test func aParseReadForAPathCarriesIt() throws {
        let store = try store(segment())
        let first = try #require(store.file(blob, at: "threats/T-0001-forged.md"))
        #expect(first.path == "threats/T-0001-forged.md" && first.threat?.path == "threats/T-0001-forged.md")
        let renamed = try #require(store.file(blob, at: "threats/T-0001-renamed.md"))
        #expect(renamed.path == "threats/T-0001-renamed.md" && renamed.threat?.path == "threats/T-0001-renamed.md")
        var expected = first.threat
        expected?.path = "threats/T-0001-renamed.md"
        #expect(renamed.threat == expected)
    }

    @Test(arguments: [UInt32(0), 1, 3, 0xFFFF_FFFF])
    func aWrongFactsLengthGivesNothing(length: UInt32) throws {
        let store = try store(try withFactsLength(length, in: segment()))
        #expect(store[blob] == nil)
        #expect(store.facts(blob) == nil)
    }
}

/// A reader limited to one entry stops at its end, whatever follows it.
struct LimitedReaderTests {
    @Test func readsNoFurtherThanItsEntry() throws {
        var writer = BinaryWriter()
        for value in [1, 2, 3, 4, 5] as [UInt8] { writer.byte(value) }
        var reader = BinaryReader(writer.bytes, from: 1)
        var entry = try reader.limited(to: 3)
        #expect(try entry.byte() == 2 && entry.byte() == 3 && !entry.isAtEnd)
        #expect(try entry.byte() == 4 && entry.isAtEnd)
        #expect(throws: BinaryReader.Malformed.self) { try entry.byte() }
        #expect(throws: BinaryReader.Malformed.self) { try entry.skip(1) }
        #expect(throws: BinaryReader.Malformed.self) { try entry.limited(to: 1) }
        // The reader it came from is not limited, and a limit past its end is refused.
        try reader.skip(4)
        #expect(reader.isAtEnd)
        #expect(throws: BinaryReader.Malformed.self) { try BinaryReader(writer.bytes, from: 2).limited(to: 4) }
    }
}
