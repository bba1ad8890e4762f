import CLibgit2

/// A SHA-1 object id as a plain value: 20 bytes kept in three integers so it hashes and compares fast.
public struct ObjectID: Hashable, Comparable, Sendable, CustomStringConvertible {
    private let a: UInt64
    private let b: UInt64
    private let c: UInt32

    init(_ oid: git_oid) {
        var copy = oid
        (a, b, c) = withUnsafeBytes(of: &copy.id) { raw in
            (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
             raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
             raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        }
    }

    init(_ pointer: UnsafePointer<git_oid>) {
        self.init(pointer.pointee)
    }

    /// Parses 40 hexadecimal digits; nil for anything else.
    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 40 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 20)
        for index in 0..<20 {
            guard let high = Self.nibble(utf8[2 * index]), let low = Self.nibble(utf8[2 * index + 1]) else { return nil }
            bytes[index] = high << 4 | low
        }
        self.init(bytes: bytes)
    }

    /// Builds an id from its 20 raw bytes.
    public init(bytes: [UInt8]) {
        self.init(bytes: bytes[...])
    }

    /// Builds an id from 20 raw bytes inside a larger buffer, without copying them out first.
    public init(bytes: ArraySlice<UInt8>) {
        precondition(bytes.count == 20, "an object id has 20 bytes")
        (a, b, c) = bytes.withUnsafeBytes { raw in
            (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
             raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
             raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        }
    }

    /// Builds an id from the 20 bytes at `pointer` (inside a tree or a pack), copying nothing else.
    init(at pointer: UnsafeRawPointer) {
        (a, b, c) = (pointer.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                     pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                     pointer.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
    }

    /// The 20 raw bytes.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 20)
        out.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: a, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: b, toByteOffset: 8, as: UInt64.self)
            raw.storeBytes(of: c, toByteOffset: 16, as: UInt32.self)
        }
        return out
    }

    /// The 20 raw bytes, lent without copying them into an array.
    func withRawBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        var words = (a, b, c)
        return Swift.withUnsafeBytes(of: &words) { body(UnsafeRawBufferPointer(rebasing: $0[0..<20])) }
    }

    var raw: git_oid {
        var oid = git_oid()
        let source = bytes
        withUnsafeMutableBytes(of: &oid.id) { target in
            for index in 0..<20 { target[index] = source[index] }
        }
        return oid
    }

    public var hex: String {
        String(unsafeUninitializedCapacity: 40) { buffer in
            let digits: StaticString = "0123456789abcdef"
            digits.withUTF8Buffer { table in
                var index = 0
                func put(_ word: UInt64, bytes: Int) {
                    for shift in 0..<bytes {
                        let byte = UInt8(truncatingIfNeeded: word >> UInt64(shift * 8))
                        buffer[index] = table[Int(byte >> 4)]
                        buffer[index + 1] = table[Int(byte & 0x0f)]
                        index += 2
                    }
                }
                put(a, bytes: 8)
                put(b, bytes: 8)
                put(UInt64(c), bytes: 4)
            }
            return 40
        }
    }

    public var description: String { hex }

    /// Byte order (as `git` sorts ids), compared word by word without copying the bytes out.
    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool {
        if lhs.a != rhs.a { return lhs.a.bigEndian < rhs.a.bigEndian }
        if lhs.b != rhs.b { return lhs.b.bigEndian < rhs.b.bigEndian }
        return lhs.c.bigEndian < rhs.c.bigEndian
    }

    /// The first 8 bytes of a SHA-1 are as good a hash as all 20 (ids differing only later are
    /// told apart by `==`), at a third of the hashing: tables keyed by id are everywhere in a walk.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(a)
    }

    private static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return char - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
