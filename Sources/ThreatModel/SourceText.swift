/// Limits that keep a hostile or accidental file from taking the tool down.
public enum Limits {
    /// Threat files and inventories larger than this are rejected, not parsed.
    public static let maximumFileBytes = 1 << 20
    /// Infrastructure templates larger than this are reported, not parsed (CloudFormation itself takes at most 1 MB).
    public static let maximumTemplateBytes = maximumFileBytes
}

/// A text file decoded for parsing: UTF-8 checked, byte-order mark noted and removed.
/// CRLF is left in place (libyaml accepts it); line numbers count either ending.
public struct SourceText: Sendable {
    public let text: String
    public let hasByteOrderMark: Bool

    public enum DecodeError: Error, Equatable {
        case tooLarge(bytes: Int)
        /// The byte offset and 1-based line of the first invalid sequence.
        case notUTF8(offset: Int, line: Int)
    }

    public static func decode(_ bytes: [UInt8]) -> Result<SourceText, DecodeError> {
        guard bytes.count <= Limits.maximumFileBytes else { return .failure(.tooLarge(bytes: bytes.count)) }
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let hasBOM = bytes.starts(with: bom)
        let body = hasBOM ? Array(bytes.dropFirst(3)) : bytes
        if let offset = firstInvalidUTF8(body) {
            let line = body[..<offset].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            return .failure(.notUTF8(offset: offset + (hasBOM ? 3 : 0), line: line))
        }
        return .success(SourceText(text: String(decoding: body, as: UTF8.self), hasByteOrderMark: hasBOM))
    }

    /// The offset of the first byte that does not start a valid UTF-8 sequence, if any.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var consumed = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): consumed += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return consumed
            }
        }
    }
}

/// The parts of a threat file: YAML front matter between `---` lines, then the Markdown body.
public struct FrontMatterSplit: Sendable {
    /// The YAML text, without the delimiter lines.
    public let yaml: String
    /// The file line (1-based) of the YAML's first line; YAML line n is file line n + yamlLineOffset.
    public let yamlLineOffset: Int
    /// The body after the closing delimiter.
    public let body: String

    public enum Failure: Error, Equatable {
        case missing
        /// The opening line (1-based) that has no closing `---`.
        case unterminated(openingLine: Int)
    }

    /// Finds the front matter: the file's first line is `---`, and it runs to the next line
    /// that is exactly `---` or `...` (trailing spaces and CR allowed). Scans UTF-8 bytes: a
    /// line ends at LF ("\r\n" included), and every byte a delimiter line may hold is ASCII.
    public static func split(_ text: String) -> Result<FrontMatterSplit, Failure> {
        var text = text
        return text.withUTF8 { bytes in
            guard let firstEnd = lineEnd(bytes, from: 0), isDelimiter(bytes[0..<firstEnd], allowDots: false) else {
                return .failure(.missing)
            }
            var start = firstEnd
            while start < bytes.count, let end = lineEnd(bytes, from: start) {
                if isDelimiter(bytes[start..<end], allowDots: true) {
                    return .success(FrontMatterSplit(yaml: String(decoding: bytes[firstEnd..<start], as: UTF8.self), yamlLineOffset: 1,
                                                     body: String(decoding: bytes[end...], as: UTF8.self)))
                }
                start = end
            }
            return .failure(.unterminated(openingLine: 1))
        }
    }

    /// The offset just past the line starting at `start` (its LF included; the end of the text for a last line without one).
    private static func lineEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        var index = start
        while index < bytes.count {
            if bytes[index] == 0x0A { return index + 1 }
            index += 1
        }
        return bytes.count
    }

    private static func isDelimiter(_ line: Slice<UnsafeBufferPointer<UInt8>>, allowDots: Bool) -> Bool {
        var end = line.endIndex
        while end > line.startIndex, [0x0A, 0x0D, 0x20, 0x09].contains(line[end - 1]) { end -= 1 }
        guard end - line.startIndex == 3 else { return false }
        let first = line[line.startIndex]
        guard first == UInt8(ascii: "-") || (allowDots && first == UInt8(ascii: ".")) else { return false }
        return line[line.startIndex + 1] == first && line[line.startIndex + 2] == first
    }

    static func isDelimiter(_ line: Substring, allowDots: Bool) -> Bool {
        var line = line
        return line.withUTF8 { isDelimiter($0[...], allowDots: allowDots) }
    }
}

extension String {
    /// Splits into lines, each keeping its terminator ("\n" or "\r\n"); a last line without one is kept.
    func splitLinesKeepingEnds() -> [Substring] {
        // Scans UTF-8: every line ends at an LF byte, which is also where a "\r\n" Character ends.
        var lines: [Substring] = []
        let utf8 = self.utf8
        var start = utf8.startIndex
        var index = start
        while index < utf8.endIndex {
            let next = utf8.index(after: index)
            if utf8[index] == 0x0A {
                lines.append(self[start..<next])
                start = next
            }
            index = next
        }
        if start < utf8.endIndex { lines.append(self[start..<utf8.endIndex]) }
        return lines
    }
}
