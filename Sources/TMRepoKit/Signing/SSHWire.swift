import Crypto
import Foundation

/// Why an SSH key or signature was refused. The message names what was wrong, never the bytes.
public struct SSHSignatureError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Reads SSH wire-format values (RFC 4251 §5). Every length is checked against the bytes left
/// before anything is sliced, so hostile input ends in an error, never a trap.
struct SSHWireReader {
    private let bytes: [UInt8]
    private var offset = 0
    /// What is being read, for error messages ("signature", "public key").
    private let context: String

    init(_ bytes: [UInt8], context: String) {
        self.bytes = bytes
        self.context = context
    }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func fixed(_ count: Int) throws -> [UInt8] {
        guard count >= 0, count <= bytes.count - offset else {
            throw SSHSignatureError("\(context) is truncated")
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func uint32() throws -> UInt32 {
        let raw = try fixed(4)
        return raw.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// A length-prefixed byte string.
    mutating func string() throws -> [UInt8] {
        let length = try uint32()
        // Compare before converting: a length near 2^32 must not become a huge Int slice.
        guard UInt64(length) <= UInt64(bytes.count - offset) else {
            throw SSHSignatureError("\(context) is truncated (a field claims \(length) bytes, \(bytes.count - offset) are left)")
        }
        return try fixed(Int(length))
    }

    /// A length-prefixed string that must be printable ASCII (names such as key types).
    mutating func name(maximumLength: Int = 256) throws -> String {
        let raw = try string()
        guard raw.count <= maximumLength, raw.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw SSHSignatureError("\(context) has a malformed name field")
        }
        return String(decoding: raw, as: UTF8.self)
    }

    /// A non-negative mpint's magnitude, without leading zero bytes.
    mutating func positiveMPInt(maximumBytes: Int) throws -> [UInt8] {
        let raw = try string()
        if let first = raw.first, first & 0x80 != 0 {
            throw SSHSignatureError("\(context) has a negative integer")
        }
        let magnitude = Array(raw.drop { $0 == 0 })
        guard magnitude.count <= maximumBytes else {
            throw SSHSignatureError("\(context) has an integer that is too large")
        }
        return magnitude
    }

    func requireEnd() throws {
        guard isAtEnd else { throw SSHSignatureError("\(context) has \(bytes.count - offset) unexpected trailing bytes") }
    }
}

enum SSHWire {
    /// `string` encoding: a 4-byte big-endian length, then the bytes.
    static func string(_ bytes: [UInt8]) -> [UInt8] {
        let count = UInt32(truncatingIfNeeded: bytes.count)
        return [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)] + bytes
    }

    static func string(_ text: String) -> [UInt8] { string(Array(text.utf8)) }

    /// Strict base64 (standard alphabet, padding optional as OpenSSH writes it); nil on anything else.
    static func base64Decode<S: StringProtocol>(_ text: S) -> [UInt8]? {
        var padded = String(text)
        guard !padded.isEmpty else { return nil }
        let remainder = padded.utf8.count % 4
        if remainder == 1 { return nil }
        if remainder != 0 { padded += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: padded).map { [UInt8]($0) }
    }

    /// ssh-keygen's fingerprint: "SHA256:" and the unpadded base64 of the SHA-256 of the key blob.
    static func fingerprint(ofKeyBlob blob: [UInt8]) -> String {
        let digest = Data(SHA256.hash(data: blob)).base64EncodedString()
        return "SHA256:" + digest.replacingOccurrences(of: "=", with: "")
    }
}
