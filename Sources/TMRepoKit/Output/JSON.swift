import ThreatModel
/// A JSON value whose object keys keep the order they were written in, so output matches the
/// documented shape key for key and diffs cleanly between runs.
public indirect enum JSON: Equatable, Sendable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case null
    case array([JSON])
    case object([(String, JSON)])

    public static func == (lhs: JSON, rhs: JSON) -> Bool { lhs.render() == rhs.render() }

    public static func optional(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }
    public static func strings(_ values: [String]) -> JSON { .array(values.map(JSON.string)) }

    /// Pretty-printed with two-space indentation, or compact.
    public func render(pretty: Bool = true) -> String {
        String(decoding: bytes(pretty: pretty), as: UTF8.self)
    }

    /// The rendering as UTF-8 bytes (built in one buffer: large reports stay fast).
    public func bytes(pretty: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        write(into: &out, indent: pretty ? 0 : nil)
        return out
    }

    private func write(into out: inout [UInt8], indent: Int?) {
        switch self {
        case .string(let text): JSON.escape(text, into: &out)
        case .int(let number): out += String(number).utf8
        case .bool(let flag): out += (flag ? "true" : "false").utf8
        case .null: out += "null".utf8
        case .array(let items):
            if items.isEmpty { out += "[]".utf8; return }
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, indent.map { $0 + 1 })
                item.write(into: &out, indent: indent.map { $0 + 1 })
            }
            newline(&out, indent)
            out.append(UInt8(ascii: "]"))
        case .object(let pairs):
            if pairs.isEmpty { out += "{}".utf8; return }
            out.append(UInt8(ascii: "{"))
            for (index, (key, value)) in pairs.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, indent.map { $0 + 1 })
                JSON.escape(key, into: &out)
                out.append(UInt8(ascii: ":"))
                if indent != nil { out.append(UInt8(ascii: " ")) }
                value.write(into: &out, indent: indent.map { $0 + 1 })
            }
            newline(&out, indent)
            out.append(UInt8(ascii: "}"))
        }
    }

    private func newline(_ out: inout [UInt8], _ indent: Int?) {
        guard let indent else { return }
        out.append(UInt8(ascii: "\n"))
        for _ in 0..<(indent * 2) { out.append(UInt8(ascii: " ")) }
    }

    /// Control characters, DEL, C1 and bidi overrides are written as `\\uXXXX`, so JSON printed
    /// on a terminal cannot drive it either (the value a parser reads is unchanged).
    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func escape(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most text needs no escape at all: copied as it is.
        func plain(_ byte: UInt8) -> Bool { byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") }
        // (Scanned as one contiguous buffer: the generic `allSatisfy` on the view is several times slower.)
        let copied = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard bytes.allSatisfy(plain) else { return false }
            out.append(contentsOf: bytes)
            return true
        } ?? {
            guard text.utf8.allSatisfy(plain) else { return false }
            out += text.utf8
            return true
        }()
        if copied {
            out.append(UInt8(ascii: "\""))
            return
        }
        let digits = hexDigits
        func unicodeEscape(_ value: UInt32) {
            out += "\\u".utf8
            for shift in [12, 8, 4, 0] { out.append(digits[Int((value >> UInt32(shift)) & 0x0F)]) }
        }
        func ascii(_ byte: UInt8) {
            switch byte {
            case UInt8(ascii: "\""): out += [0x5C, 0x22]
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20, 0x7F: unicodeEscape(UInt32(byte))
            default: out.append(byte)
            }
        }
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            for byte in text.utf8 { ascii(byte) }
        } else {
            for scalar in text.unicodeScalars {
                if scalar.isASCII {
                    ascii(UInt8(scalar.value))
                } else if TextEscaping.needsEscape(scalar) {
                    unicodeEscape(scalar.value)
                } else {
                    out += Array(String(scalar).utf8)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

}

/// Writes pretty-printed JSON straight into a byte buffer, for reports too large to build as a
/// `JSON` tree first. Produces exactly what `JSON.render()` would for the same structure.
public struct JSONStreamWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Per open container: whether it has a member yet.
    private var hasMember: [Bool] = []

    public init(capacity: Int = 1 << 16) {
        bytes.reserveCapacity(capacity)
    }

    private mutating func newline() {
        bytes.append(0x0A)
        for _ in 0..<(hasMember.count * 2) { bytes.append(0x20) }
    }

    /// Separator and indentation before a member or element.
    private mutating func beginMember() {
        guard !hasMember.isEmpty else { return }
        if hasMember[hasMember.count - 1] { bytes.append(UInt8(ascii: ",")) }
        hasMember[hasMember.count - 1] = true
        newline()
    }

    public mutating func key(_ name: String) {
        beginMember()
        JSON.escape(name, into: &bytes)
        bytes += [UInt8(ascii: ":"), 0x20]
    }

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        hasMember.append(false)
    }

    private mutating func close(_ bracket: UInt8, empty: String) {
        let had = hasMember.removeLast()
        if had {
            newline()
            bytes.append(bracket)
        } else {
            bytes.removeLast()   // the opening bracket: write the empty form instead
            bytes += empty.utf8
        }
    }

    public mutating func objectStart() { open(UInt8(ascii: "{")) }
    public mutating func objectEnd() { close(UInt8(ascii: "}"), empty: "{}") }
    public mutating func arrayStart() { open(UInt8(ascii: "[")) }
    public mutating func arrayEnd() { close(UInt8(ascii: "]"), empty: "[]") }

    /// An element of the enclosing array (call before writing an array element's value).
    public mutating func element() { beginMember() }

    /// A writer for elements of an array this one has open, to be written elsewhere (another
    /// thread) and appended with `append(elementsOf:)`; `afterOthers`: elements come before them.
    public func elementWriter(afterOthers: Bool, capacity: Int) -> JSONStreamWriter {
        var writer = JSONStreamWriter(capacity: capacity)
        writer.hasMember = hasMember
        if !writer.hasMember.isEmpty { writer.hasMember[writer.hasMember.count - 1] = afterOthers }
        return writer
    }

    /// Appends what an `elementWriter` wrote.
    public mutating func append(elementsOf other: JSONStreamWriter) {
        guard !other.bytes.isEmpty, !hasMember.isEmpty else { return }
        bytes += other.bytes
        hasMember[hasMember.count - 1] = true
    }

    public mutating func string(_ value: String) { JSON.escape(value, into: &bytes) }
    public mutating func int(_ value: Int) { bytes += String(value).utf8 }
    public mutating func bool(_ value: Bool) { bytes += (value ? "true" : "false").utf8 }
    public mutating func null() { bytes += "null".utf8 }
    public mutating func optional(_ value: String?) { if let value { string(value) } else { null() } }

    /// Writes a prebuilt value at the current position, at the current depth.
    public mutating func value(_ json: JSON) {
        let rendered = json.bytes(pretty: true)
        var depthIndent = [UInt8](repeating: 0x20, count: hasMember.count * 2)
        depthIndent.insert(0x0A, at: 0)
        for byte in rendered {
            if byte == 0x0A { bytes += depthIndent } else { bytes.append(byte) }
        }
    }
}
