import Yams

/// Changes single fields of a threat file and keeps every other byte: body, comments, key order,
/// unknown fields, quoting, line endings and a byte-order mark. It edits the text, never
/// re-emits YAML: each edit locates its target with libyaml's positions and splices lines.
public struct ThreatFileEditor {
    public enum EditError: Error, Equatable, CustomStringConvertible {
        case unreadable(String)
        case cannotEdit(field: String, reason: String)
        case noSuchMitigation(String)

        public var description: String {
            switch self {
            case .unreadable(let why): "the file cannot be edited: \(why)"
            case let .cannotEdit(field, reason): "\(field): cannot be edited in place: \(reason)"
            case .noSuchMitigation(let id): "no mitigation with id '\(id)'"
            }
        }
    }

    /// Lines of the whole file (after any BOM), each with its own terminator.
    var lines: [String]
    private let hasByteOrderMark: Bool
    /// The line ending new lines get: the file's own (first line's), "\n" by default.
    let newline: String
    /// Index in `lines` of the closing `---`.
    var closingIndex = 0

    public init(bytes: [UInt8]) throws {
        let source: SourceText
        switch SourceText.decode(bytes) {
        case .success(let decoded): source = decoded
        case .failure(let failure): throw EditError.unreadable("\(failure)")
        }
        hasByteOrderMark = source.hasByteOrderMark
        lines = source.text.splitLinesKeepingEnds().map(String.init)
        newline = lines.first.map { $0.hasSuffix("\r\n") ? "\r\n" : "\n" } ?? "\n"
        _ = try parse()
    }

    public var bytes: [UInt8] {
        (hasByteOrderMark ? [0xEF, 0xBB, 0xBF] : []) + Array(lines.joined().utf8)
    }

    public var text: String { lines.joined() }

    // MARK: - Edits

    /// Sets a top-level scalar field (e.g. `severity`), adding it at the end of the front matter when absent.
    public mutating func setField(_ key: String, to value: String) throws {
        let pairs = try parse()
        if let pair = pairs.first(where: { $0.key == key }) {
            try replaceScalar(pair.value, keyNode: pair.keyNode, field: key, with: value)
        } else {
            lines.insert("\(key): \(YAMLScalar.render(value))\(newline)", at: closingIndex)
        }
    }

    /// Sets a top-level field to YAML written by the caller (e.g. a flow list `[a, b]`).
    public mutating func setField(_ key: String, rawYAML: String) throws {
        let pairs = try parse()
        if let index = pairs.firstIndex(where: { $0.key == key }) {
            let span = topLevelSpan(of: index, in: pairs)
            lines.replaceSubrange(span, with: ["\(key): \(rawYAML)\(newline)"])
        } else {
            lines.insert("\(key): \(rawYAML)\(newline)", at: closingIndex)
        }
    }

    /// Removes a top-level field and its lines (comments above the next field stay).
    public mutating func removeField(_ key: String) throws {
        let pairs = try parse()
        guard let index = pairs.firstIndex(where: { $0.key == key }) else { return }
        lines.removeSubrange(topLevelSpan(of: index, in: pairs))
    }

    /// Records a review in the `reviewed` block, editing `on` and `by` in place when the block exists.
    public mutating func setReviewed(on day: Day, by reviewer: String) throws {
        var pairs = try parse()
        if let reviewed = pairs.first(where: { $0.key == "reviewed" }), case .mapping(let mapping) = reviewed.value,
           mapping.style != .flow {
            for (child, value) in [("on", day.description), ("by", reviewer)] {
                try setChild(child, of: "reviewed", to: value)
            }
            return
        }
        let block = ["reviewed:", "  on: \(day)", "  by: \(YAMLScalar.render(reviewer))"].map { $0 + newline }
        if let existing = pairs.firstIndex(where: { $0.key == "reviewed" }) {
            // `reviewed:` is empty, a scalar or a flow mapping: replace it with a block.
            let span = topLevelSpan(of: existing, in: pairs)
            lines.replaceSubrange(span, with: block)
            return
        }
        pairs = try parse()
        let anchors = ["review_every", "owner", "status", "severity"]
        if let anchor = anchors.lazy.compactMap({ name in pairs.firstIndex { $0.key == name } }).first {
            lines.insert(contentsOf: block, at: topLevelSpan(of: anchor, in: pairs).upperBound)
        } else {
            lines.insert(contentsOf: block, at: closingIndex)
        }
    }

    /// The line before which a key added to a block list item goes: before the next item (and
    /// before its "- " when that sits alone on the line above its first key), or at the list's
    /// end, and above the item's trailing blank lines and comments.
    func insertionLine(itemStart: Int, listEnd: Int, nextItemKeyLine: Int?) -> Int {
        var end = listEnd
        if let nextItemKeyLine {
            end = nextItemKeyLine
            if lines[end - 1].trimmingCharacters(in: " \t\r\n") == "-" { end -= 1 }
        }
        return trimTrailingBlankAndComments(from: itemStart, to: end)
    }

    /// Sets a scalar field of one mitigation (e.g. `verified`), adding the key when absent.
    public mutating func setMitigation(_ mitigationID: String, field: String, to value: String) throws {
        let pairs = try parse()
        guard let index = pairs.firstIndex(where: { $0.key == "mitigations" }),
              case .sequence(let items) = pairs[index].value else { throw EditError.noSuchMitigation(mitigationID) }
        let span = topLevelSpan(of: index, in: pairs)
        for (position, item) in items.enumerated() {
            guard case .mapping(let mapping) = item,
                  let idValue = mapping.first(where: { $0.key.scalar?.string == "id" })?.value,
                  idValue.scalar?.string == mitigationID else { continue }
            let label = "mitigations[\(mitigationID)].\(field)"
            guard mapping.style != .flow, let firstKey = mapping.first?.key, let firstMark = firstKey.mark else {
                throw EditError.cannotEdit(field: label, reason: "the mitigation is written in flow style ({…}); write it as a block")
            }
            if let existing = mapping.first(where: { $0.key.scalar?.string == field }) {
                try replaceScalar(existing.value, keyNode: existing.key, field: label, with: value)
                return
            }
            // Insert after the item's last line, indented like its first key.
            let end = insertionLine(itemStart: firstMark.line, listEnd: span.upperBound,
                                    nextItemKeyLine: position + 1 < items.count ? items[position + 1].mapping?.first?.key.mark?.line : nil)
            let indent = String(repeating: " ", count: firstMark.column - 1)
            lines.insert("\(indent)\(field): \(YAMLScalar.render(value))\(newline)", at: end)
            return
        }
        throw EditError.noSuchMitigation(mitigationID)
    }

    // MARK: - Locating

    /// Parses the front matter and returns the top-level pairs; YAML line n is `lines[n]`.
    mutating func parse() throws -> [(key: String, keyNode: Node, value: Node)] {
        guard let first = lines.first, FrontMatterSplit.isDelimiter(Substring(first), allowDots: false) else {
            throw EditError.unreadable("no front matter")
        }
        guard let closing = lines.indices.dropFirst().first(where: { FrontMatterSplit.isDelimiter(Substring(lines[$0]), allowDots: true) }) else {
            throw EditError.unreadable("front matter is not closed")
        }
        closingIndex = closing
        let yaml = lines[1..<closing].joined()
        if let refusal = YAMLLimits.check(yaml) {
            throw EditError.unreadable("line \(refusal.line + 1): \(refusal.message)")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch {
            throw EditError.unreadable("YAML syntax error: \(error)")
        }
        guard let node, let pairs = node.orderedPairs else {
            throw EditError.unreadable("front matter is not a mapping")
        }
        if case .mapping(let mapping) = node, mapping.style == .flow {
            throw EditError.unreadable("front matter is written in flow style ({…})")
        }
        return pairs
    }

    /// Lines of a top-level entry: from its key to the next key, less trailing blank and comment lines.
    func topLevelSpan(of index: Int, in pairs: [(key: String, keyNode: Node, value: Node)]) -> Range<Int> {
        let start = pairs[index].keyNode.mark!.line
        let next = index + 1 < pairs.count ? pairs[index + 1].keyNode.mark!.line : closingIndex
        return start..<trimTrailingBlankAndComments(from: start, to: next)
    }

    func trimTrailingBlankAndComments(from start: Int, to end: Int) -> Int {
        var end = end
        while end - 1 > start {
            let trimmed = lines[end - 1].trimmingCharacters(in: " \t\r\n")
            guard trimmed.isEmpty || trimmed.hasPrefix("#") else { break }
            end -= 1
        }
        return end
    }

    private mutating func setChild(_ child: String, of parent: String, to value: String) throws {
        let pairs = try parse()
        guard let index = pairs.firstIndex(where: { $0.key == parent }), case .mapping(let mapping) = pairs[index].value,
              let firstMark = mapping.first?.key.mark else {
            throw EditError.cannotEdit(field: "\(parent).\(child)", reason: "'\(parent)' is not a block mapping")
        }
        if let existing = mapping.first(where: { $0.key.scalar?.string == child }) {
            try replaceScalar(existing.value, keyNode: existing.key, field: "\(parent).\(child)", with: value)
        } else {
            let span = topLevelSpan(of: index, in: pairs)
            let indent = String(repeating: " ", count: firstMark.column - 1)
            lines.insert("\(indent)\(child): \(YAMLScalar.render(value))\(newline)", at: span.upperBound)
        }
    }

    /// Replaces a one-line scalar value where it stands, keeping what follows it (e.g. a comment).
    mutating func replaceScalar(_ value: Node, keyNode: Node, field: String, with newValue: String) throws {
        guard case .scalar(let scalar) = value, let keyMark = keyNode.mark else {
            throw EditError.cannotEdit(field: field, reason: "it is \(value.kindName), not a single value")
        }
        // Same value: leave the bytes (and the author's quoting) alone.
        if scalar.string == newValue && !(value.isNullScalar && scalar.string.isEmpty) { return }
        let rendered = YAMLScalar.render(newValue, like: scalar.style)
        let lineIndex = keyMark.line
        var characters = Array(lines[lineIndex].unicodeScalars)
        let terminatorLength = lines[lineIndex].hasSuffix("\r\n") ? 2 : (lines[lineIndex].hasSuffix("\n") ? 1 : 0)
        let contentEnd = characters.count - terminatorLength

        if value.isNullScalar && scalar.string.isEmpty {
            // `key:` with nothing after it: put the value right after the colon.
            guard let colon = characters[(keyMark.column - 1)..<contentEnd].firstIndex(of: ":") else {
                throw EditError.cannotEdit(field: field, reason: "the key's colon was not found")
            }
            let rest = Array(characters[(colon + 1)..<contentEnd])
            let comment = rest.drop { $0 == " " || $0 == "\t" }
            let suffix = comment.isEmpty ? "" : " " + String(String.UnicodeScalarView(comment))
            characters.replaceSubrange((colon + 1)..<contentEnd, with: Array((" " + rendered + suffix).unicodeScalars))
            lines[lineIndex] = String(String.UnicodeScalarView(characters))
            return
        }
        guard let mark = value.mark, mark.line == keyMark.line else {
            throw EditError.cannotEdit(field: field, reason: "its value is not on the same line as its key")
        }
        let start = mark.column - 1
        let end: Int
        switch scalar.style {
        case .singleQuoted, .doubleQuoted:
            let quote: Unicode.Scalar = scalar.style == .singleQuoted ? "'" : "\""
            var index = start + 1
            var found: Int?
            while index < contentEnd {
                if characters[index] == "\\" && quote == "\"" { index += 2; continue }
                if characters[index] == quote {
                    if quote == "'" && index + 1 < contentEnd && characters[index + 1] == "'" { index += 2; continue }
                    found = index + 1
                    break
                }
                index += 1
            }
            guard let found else { throw EditError.cannotEdit(field: field, reason: "its quoted value spans several lines") }
            end = found
        case .plain:
            let length = scalar.string.unicodeScalars.count
            guard start + length <= contentEnd,
                  String(String.UnicodeScalarView(characters[start..<(start + length)])) == scalar.string else {
                throw EditError.cannotEdit(field: field, reason: "its value spans several lines")
            }
            end = start + length
        default:
            throw EditError.cannotEdit(field: field, reason: "it is a block scalar (| or >)")
        }
        characters.replaceSubrange(start..<end, with: Array(rendered.unicodeScalars))
        lines[lineIndex] = String(String.UnicodeScalarView(characters))
    }
}

/// Writes a string as a YAML scalar: plain when that reads back as the same string, else double-quoted.
public enum YAMLScalar {
    private static let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"]

    public static func render(_ value: String) -> String {
        isPlainSafe(value) ? value : quoted(value)
    }

    /// Renders in the style the value had before, where that style can hold the new value.
    static func render(_ value: String, like style: Node.Scalar.Style) -> String {
        switch style {
        case .singleQuoted where !value.unicodeScalars.contains(where: { $0.value < 0x20 }):
            return "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
        case .doubleQuoted:
            return quoted(value)
        default:
            return render(value)
        }
    }

    public static func isPlainSafe(_ value: String) -> Bool {
        guard let first = value.unicodeScalars.first, let last = value.unicodeScalars.last else { return false }
        if " \t".unicodeScalars.contains(last) || " \t".unicodeScalars.contains(first) { return false }
        if "-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) {
            // "-x" is fine as plain, but a lone indicator or "- " is not; keep it simple and quote.
            return false
        }
        if value.contains(": ") || value.contains(" #") || value.hasSuffix(":") { return false }
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return false }
        if reserved.contains(value.lowercased()) { return false }
        if Double(value) != nil || value.hasPrefix("0x") || value.hasPrefix("0o") || value == ".inf" || value == ".nan" { return false }
        return true
    }

    public static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension String {
    public func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

private extension Node {
    /// The mapping's entries in document order, keyed by their scalar text.
    var orderedPairs: [(key: String, keyNode: Node, value: Node)]? {
        guard case let .mapping(mapping) = self else { return nil }
        return mapping.map { (key: $0.key.scalar?.string ?? "", keyNode: $0.key, value: $0.value) }
    }

    var isNullScalar: Bool {
        guard case let .scalar(scalar) = self else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    var kindName: String {
        switch self {
        case .scalar: "a single value"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}
