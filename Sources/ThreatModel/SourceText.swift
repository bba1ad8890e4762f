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
    /// that is exactly `---` or `...` (trailing spaces and CR allowed).
    public static func split(_ text: String) -> Result<FrontMatterSplit, Failure> {
        let lines = text.splitLinesKeepingEnds()
        guard let first = lines.first, isDelimiter(first, allowDots: false) else { return .failure(.missing) }
        for index in 1..<max(1, lines.count) where isDelimiter(lines[index], allowDots: true) {
            let yaml = lines[1..<index].joined()
            let body = lines[(index + 1)...].joined()
            return .success(FrontMatterSplit(yaml: yaml, yamlLineOffset: 1, body: body))
        }
        return .failure(.unterminated(openingLine: 1))
    }

    static func isDelimiter(_ line: Substring, allowDots: Bool) -> Bool {
        var trimmed = line
        while let last = trimmed.last, last == "\n" || last == "\r" || last == " " || last == "\t" || last == "\r\n" {
            trimmed = trimmed.dropLast()
        }
        return trimmed == "---" || (allowDots && trimmed == "...")
    }
}

extension String {
    /// Splits into lines, each keeping its terminator ("\n" or "\r\n"); a last line without one is kept.
    func splitLinesKeepingEnds() -> [Substring] {
        var lines: [Substring] = []
        var start = startIndex
        var index = startIndex
        while index < endIndex {
            let char = self[index]
            let next = self.index(after: index)
            // "\r\n" is a single Character in Swift.
            if char == "\n" || char == "\r\n" {
                lines.append(self[start..<next])
                start = next
            }
            index = next
        }
        if start < endIndex { lines.append(self[start..<endIndex]) }
        return lines
    }
}
