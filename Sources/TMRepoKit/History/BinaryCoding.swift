import Foundation
import ThreatModel

/// Compact binary encoding for the history cache: varints, interned strings, raw ids.
/// Every read is bounds-checked; a short or malformed buffer throws, so a damaged cache is
/// detected and rebuilt rather than trusted.
struct BinaryWriter {
    private(set) var bytes: [UInt8] = []
    private var strings: [String: Int] = [:]
    private(set) var table: [String] = []

    init() {}

    /// Appends four placeholder bytes for a length patched later by `patchLength(at:)`.
    mutating func reserveLength() -> Int {
        bytes += [0, 0, 0, 0]
        return bytes.count
    }

    /// Writes the number of bytes appended since `reserveLength()` into its placeholder.
    mutating func patchLength(at mark: Int) {
        let length = UInt32(bytes.count - mark)
        for index in 0..<4 { bytes[mark - 4 + index] = UInt8(truncatingIfNeeded: length >> UInt32(index * 8)) }
    }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func int(_ value: Int) { varint(UInt64(bitPattern: Int64(value)) &<< 1 ^ UInt64(bitPattern: Int64(value) >> 63)) }
    mutating func int64(_ value: Int64) { int(Int(value)) }

    mutating func uint64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func raw(_ data: [UInt8]) { bytes += data }

    /// Strings are written as an index into a table stored with the payload.
    mutating func string(_ value: String) {
        if let index = strings[value] {
            varint(UInt64(index))
        } else {
            strings[value] = table.count
            varint(UInt64(table.count))
            table.append(value)
        }
    }

    mutating func optionalString(_ value: String?) {
        if let value {
            byte(1)
            string(value)
        } else {
            byte(0)
        }
    }

    mutating func strings(_ values: [String]) {
        varint(UInt64(values.count))
        for value in values { string(value) }
    }
}

/// The strings of one encoded file, decoded on first use: a cache run that needs a few strings
/// does not pay for all of them. Shared by every reader of that file, and those readers run on
/// several threads at once (the HEAD model read and a background fold both decode parses from one
/// cache segment), so the memo is behind a lock: an unguarded write of a `String` into the array
/// raced another thread's and corrupted the heap.
///
/// A 100k-commit cache holds over a million strings, most never read in a given run: each costs
/// four bytes here (where its bytes start; the length is the varint before them), and the memo is
/// made a block at a time, where a string is first read. Two eight-byte arrays and a memo of every
/// string made the table four times the size of the file (docs/benchmarks.md).
final class StringTable: @unchecked Sendable {
    private let bytes: [UInt8]
    /// Where each string's length varint starts: fixed when the table is read.
    private let starts: [UInt32]
    private var memo: [[String?]?]
    private let lock = NSLock()
    private static let block = 1024

    init(bytes: [UInt8], starts: [UInt32] = []) {
        self.bytes = bytes
        self.starts = starts
        memo = Array(repeating: nil, count: (starts.count + Self.block - 1) / Self.block)
    }

    var count: Int { starts.count }

    func string(_ index: Int) -> String {
        // The varint was checked when the table was read.
        var offset = Int(starts[index]), length = 0, shift = 0
        while true {
            let byte = bytes[offset]
            offset += 1
            length |= Int(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        let make = {
            self.bytes.withUnsafeBufferPointer { buffer in
                String(decoding: UnsafeBufferPointer(rebasing: buffer[offset..<(offset + length)]), as: UTF8.self)
            }
        }
        // A string this short is held inside its `String` (no allocation to share): made each time,
        // without the two lock round trips the memo costs.
        if length <= 15 { return make() }
        let block = index / Self.block, slot = index % Self.block
        if let known = lock.withLock({ memo[block]?[slot] }) { return known }
        let value = make()
        lock.withLock {
            if memo[block] == nil { memo[block] = Array(repeating: nil, count: Self.block) }
            memo[block]![slot] = value
        }
        return value
    }
}

struct BinaryReader {
    struct Malformed: Error {}

    private let bytes: [UInt8]
    private(set) var position: Int
    /// Where reading stops: the end of the bytes, or of the one entry this reader was limited to.
    private var end: Int
    var table: StringTable

    init(_ bytes: [UInt8], from position: Int = 0) {
        self.bytes = bytes
        self.position = position
        end = bytes.count
        table = StringTable(bytes: bytes)
    }

    /// A reader of the next `length` bytes only (an entry read later on its own: it cannot run
    /// into the entries after it, and `isAtEnd` says whether it was read whole).
    func limited(to length: Int) throws -> BinaryReader {
        guard length >= 0, position + length <= end else { throw Malformed() }
        var copy = self
        copy.end = position + length
        return copy
    }

    mutating func skip(_ count: Int) throws {
        guard count >= 0, position + count <= end else { throw Malformed() }
        position += count
    }

    var isAtEnd: Bool { position == end }

    mutating func byte() throws -> UInt8 {
        guard position < end else { throw Malformed() }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 64 else { throw Malformed() }
            value |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return value }
            shift += 7
        }
    }

    mutating func int() throws -> Int {
        let raw = try varint()
        return Int(Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1))))
    }

    mutating func int64() throws -> Int64 { Int64(try int()) }

    mutating func count(limit: Int = 50_000_000) throws -> Int {
        let value = try varint()
        guard value <= UInt64(limit) else { throw Malformed() }
        return Int(value)
    }

    mutating func uint32() throws -> UInt32 {
        var value: UInt32 = 0
        for shift in stride(from: 0, to: 32, by: 8) { value |= UInt32(try byte()) << UInt32(shift) }
        return value
    }

    mutating func uint64() throws -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 8) { value |= UInt64(try byte()) << UInt64(shift) }
        return value
    }

    mutating func raw(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, position + count <= end else { throw Malformed() }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    mutating func string() throws -> String {
        let index = try count()
        guard index < table.count else { throw Malformed() }
        return table.string(index)
    }

    mutating func optionalString() throws -> String? {
        switch try byte() {
        case 0: return nil
        case 1: return try string()
        default: throw Malformed()
        }
    }

    mutating func strings() throws -> [String] {
        let count = try count()
        var out: [String] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try string()) }
        return out
    }

    /// Reads a string table written as count, then length-prefixed UTF-8.
    mutating func readTable() throws {
        let count = try self.count()
        // Offsets are kept in 32 bits: a file of 4 GiB or more is not a cache this reads.
        guard bytes.count <= Int(UInt32.max) else { throw Malformed() }
        var starts: [UInt32] = []
        starts.reserveCapacity(min(count, end - position))
        for _ in 0..<count {
            starts.append(UInt32(position))
            let length = try self.count()
            try skip(length)
        }
        table = StringTable(bytes: bytes, starts: starts)
    }
}

/// A self-checking frame around a written payload: magic, format version, payload length and its
/// FNV-1a checksum, then the string table and the payload. A frame that is torn, damaged or of
/// another version is refused as a whole.
enum BinaryFrame {
    static let headerLength = 28

    static func encode(magic: [UInt8], version: UInt64, _ writer: BinaryWriter) -> [UInt8] {
        var table = BinaryWriter()
        table.varint(UInt64(writer.table.count))
        for string in writer.table {
            let utf8 = Array(string.utf8)
            table.varint(UInt64(utf8.count))
            table.raw(utf8)
        }
        let payload = table.bytes + writer.bytes
        var header = BinaryWriter()
        header.raw(magic)
        header.uint64(version)
        header.uint64(UInt64(payload.count))
        header.uint64(ContentHash.checksum(payload[...]))
        return header.bytes + payload
    }

    /// A reader positioned after the string table of the frame at `offset`, and where the frame
    /// ends; nil when the frame is torn, damaged or foreign.
    static func open(_ bytes: [UInt8], at offset: Int, magic: [UInt8], version: UInt64) -> (reader: BinaryReader, end: Int)? {
        do {
            var header = BinaryReader(bytes, from: offset)
            guard try Array(header.raw(4)) == magic, try header.uint64() == version else { return nil }
            let length = try header.uint64()
            let checksum = try header.uint64()
            let start = offset + headerLength
            guard length <= UInt64(bytes.count - start),
                  ContentHash.checksum(bytes[start..<(start + Int(length))]) == checksum else { return nil }
            var reader = BinaryReader(bytes, from: start)
            try reader.readTable()
            return (reader, start + Int(length))
        } catch {
            return nil
        }
    }
}
