/// A reader for the plain block-style YAML that threat files, configs and inventories are
/// written in: block mappings and sequences, one-line plain or quoted scalars, one-line flow
/// lists of plain items, comments. It builds the same tree, with the same positions, as libyaml
/// would, about ten times faster. Anything outside that subset (anchors, tags, block or
/// multi-line scalars, flow mappings, escapes, empty values, duplicate keys, tabs…) makes it
/// return nil and the caller uses libyaml, so the subset only ever decides speed, never meaning.
enum FastYAML {
    private struct Line {
        let number: Int
        let indent: Int
        let text: [Unicode.Scalar]
    }

    /// The document's root (`.some(nil)` for a document with no content), or nil to fall back.
    static func compose(_ yaml: String) -> YNode?? {
        var lines: [Line] = []
        var number = 0
        for raw in yaml.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            var text = Array(raw)
            if text.last == "\r" { text.removeLast() }
            var indent = 0
            while indent < text.count && text[indent] == " " { indent += 1 }
            if indent < text.count && text[indent] == "\t" { return nil }
            // libyaml refuses non-printable characters (comments included) and breaks lines at NEL, LS and PS (found by fuzzing).
            if text.contains(where: { !isPrintableOnOneLine($0) }) { return nil }
            if indent == text.count || text[indent] == "#" { continue }
            if text.contains("\t") || text.contains("\r") { return nil }
            if indent == 0 && (text.starts(with: "---".unicodeScalars) || text.starts(with: "...".unicodeScalars) || text[0] == "%") {
                return nil
            }
            lines.append(Line(number: number, indent: indent, text: text))
        }
        guard let first = lines.first else { return .some(nil) }
        guard first.indent == 0 else { return nil }
        var reader = FastYAMLReader(lines: lines)
        guard let root = reader.block(at: 0, indent: 0), reader.position == lines.count else { return nil }
        // Past the limits, libyaml's path reports the refusal (so both readers refuse alike).
        var nodes = 0
        guard count(root, into: &nodes) else { return nil }
        return .some(root)
    }

    private static func count(_ node: YNode, into total: inout Int) -> Bool {
        total += 1
        switch node {
        case .scalar: break
        case .sequence(let items, _):
            for item in items where !count(item, into: &total) { return false }
        case .mapping(let pairs, _):
            for pair in pairs where !count(pair.key, into: &total) || !count(pair.value, into: &total) { return false }
        }
        return total <= YAMLLimits.maximumNodes
    }

    /// YAML's printable set less its extra line breaks (U+0085, U+2028, U+2029) and the BOM.
    private static func isPrintableOnOneLine(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x20...0x7E, 0xA0...0x2027, 0x202A...0xD7FF, 0xE000...0xFEFE, 0xFF00...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    /// The text of some scalars; written as UTF-8 directly (appending to a scalar view is slow).
    static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var ascii = true
        for scalar in scalars where scalar.value >= 0x80 {
            ascii = false
            break
        }
        if ascii {
            return String(unsafeUninitializedCapacity: scalars.count) { buffer in
                for (offset, scalar) in scalars.enumerated() { buffer[offset] = UInt8(truncatingIfNeeded: scalar.value) }
                return scalars.count
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.count * 4)
        for scalar in scalars { bytes.append(contentsOf: UTF8.encode(scalar)!) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private struct FastYAMLReader {
        let lines: [Line]
        var position = 0
        /// Containers open around the current one; past the limit this reader gives up rather than recurse on.
        var depth = 0

        init(lines: [Line]) {
            self.lines = lines
        }

        mutating func block(at index: Int, indent: Int) -> YNode? {
            position = index
            let line = lines[index]
            if isSequenceEntry(line.text, at: indent) { return sequence(indent: indent) }
            return mapping(indent: indent, firstColumn: indent)
        }

        private func isSequenceEntry(_ text: [Unicode.Scalar], at column: Int) -> Bool {
            column < text.count && text[column] == "-" && (column + 1 == text.count || text[column + 1] == " ")
        }

        /// A block mapping whose keys start at `indent`; its first key may start later on its
        /// line (`firstColumn`), as in a sequence entry `- id: M-1`.
        mutating func mapping(indent: Int, firstColumn: Int) -> YNode? {
            depth += 1
            defer { depth -= 1 }
            guard depth <= YAMLLimits.maximumDepth else { return nil }
            var pairs: [YPair] = []
            // Duplicate keys make libyaml's path decide.
            var keys = SmallStringSet()
            let start = lines[position]
            let mark = YMark(line: start.number, column: firstColumn + 1)
            var column = firstColumn
            while position < lines.count {
                let line = lines[position]
                if line.number != start.number || pairs.count > 0 {
                    guard line.indent == indent, !isSequenceEntry(line.text, at: indent) else { break }
                    column = indent
                }
                guard let (key, valueColumn) = keyAt(line.text, column), keys.insert(key) else { return nil }
                let keyNode = YNode.scalar(key, .plain, YMark(line: line.number, column: column + 1))
                let value: YNode
                if valueColumn >= line.text.count || line.text[valueColumn] == "#" {
                    // The value is the block on the following lines.
                    let next = position + 1
                    guard next < lines.count else { return nil }
                    let nested = lines[next]
                    if nested.indent > indent {
                        guard let node = block(at: next, indent: nested.indent) else { return nil }
                        value = node
                    } else if nested.indent == indent && isSequenceEntry(nested.text, at: indent) {
                        guard let node = sequence(at: next, indent: indent) else { return nil }
                        value = node
                    } else {
                        return nil   // an empty value: leave its exact position to libyaml
                    }
                } else {
                    guard let node = inline(line, from: valueColumn) else { return nil }
                    value = node
                    position += 1
                    if position < lines.count && lines[position].indent > indent && lines[position].number != line.number {
                        return nil   // a scalar continued on the next line
                    }
                }
                pairs.append(YPair(key: keyNode, value: value))
            }
            if position < lines.count && lines[position].indent > indent { return nil }
            return .mapping(pairs, mark)
        }

        mutating func sequence(at index: Int, indent: Int) -> YNode? {
            position = index
            return sequence(indent: indent)
        }

        mutating func sequence(indent: Int) -> YNode? {
            depth += 1
            defer { depth -= 1 }
            guard depth <= YAMLLimits.maximumDepth else { return nil }
            var items: [YNode] = []
            let mark = YMark(line: lines[position].number, column: indent + 1)
            while position < lines.count {
                let line = lines[position]
                guard line.indent == indent, isSequenceEntry(line.text, at: indent) else { break }
                var column = indent + 1
                while column < line.text.count && line.text[column] == " " { column += 1 }
                guard column < line.text.count, line.text[column] != "#", !isSequenceEntry(line.text, at: column) else { return nil }
                if keyAt(line.text, column) != nil {
                    guard let node = mapping(indent: column, firstColumn: column) else { return nil }
                    items.append(node)
                } else {
                    guard let node = inline(line, from: column) else { return nil }
                    items.append(node)
                    position += 1
                    if position < lines.count && lines[position].indent > indent { return nil }
                }
            }
            if position < lines.count && lines[position].indent > indent { return nil }
            return .sequence(items, mark)
        }

        /// `key:` at `column`, followed by a space or the end of the line; returns the key and
        /// where its value starts. Keys are restricted to plain identifiers.
        private func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String { FastYAML.string(scalars) }

        private func keyAt(_ text: [Unicode.Scalar], _ column: Int) -> (String, Int)? {
            var end = column
            while end < text.count, isKeyCharacter(text[end]) { end += 1 }
            guard end > column, end < text.count, text[end] == ":", end + 1 == text.count || text[end + 1] == " " else { return nil }
            let first = text[column]
            guard first != "-" && first != "." else { return nil }
            var value = end + 1
            while value < text.count && text[value] == " " { value += 1 }
            return (string(text[column..<end]), value)
        }

        private func isKeyCharacter(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "_" || scalar == "-" || scalar == "."
        }

        /// A value on the rest of a line: a plain or quoted scalar, or a flow list of plain items.
        private func inline(_ line: Line, from column: Int) -> YNode? {
            let text = line.text
            let mark = YMark(line: line.number, column: column + 1)
            switch text[column] {
            case "[":
                guard depth < YAMLLimits.maximumDepth else { return nil }
                return flowList(line, from: column)
            case "\"":
                var end = column + 1
                while end < text.count && text[end] != "\"" {
                    if text[end] == "\\" { return nil }
                    end += 1
                }
                guard end < text.count, onlyCommentAfter(text, end + 1) else { return nil }
                return .scalar(string(text[(column + 1)..<end]), .doubleQuoted, mark)
            case "'":
                var value = String.UnicodeScalarView()
                var end = column + 1
                while end < text.count {
                    if text[end] == "'" {
                        if end + 1 < text.count && text[end + 1] == "'" {
                            value.append("'")
                            end += 2
                            continue
                        }
                        break
                    }
                    value.append(text[end])
                    end += 1
                }
                guard end < text.count, onlyCommentAfter(text, end + 1) else { return nil }
                return .scalar(String(value), .singleQuoted, mark)
            default:
                guard let value = plain(text, from: column, until: text.count, inFlow: false) else { return nil }
                return .scalar(value, .plain, mark)
            }
        }

        private func onlyCommentAfter(_ text: [Unicode.Scalar], _ index: Int) -> Bool {
            var cursor = index
            while cursor < text.count && text[cursor] == " " { cursor += 1 }
            return cursor == text.count || (text[cursor] == "#" && cursor > index)
        }

        /// A plain scalar from `start`, ended by " #" or `end`; nil for anything libyaml might read differently.
        private func plain(_ text: [Unicode.Scalar], from start: Int, until end: Int, inFlow: Bool) -> String? {
            let first = text[start]
            if "&*!|>'\"%@`{}[],#?:".unicodeScalars.contains(first) { return nil }
            if first == "-" && (start + 1 == end || text[start + 1] == " ") { return nil }
            var stop = end
            var index = start
            while index < end {
                let scalar = text[index]
                if scalar == "#" && text[index - 1] == " " { stop = index; break }
                if scalar == ":" && (index + 1 == end || text[index + 1] == " " || (inFlow && ",[]{}".unicodeScalars.contains(text[index + 1]))) {
                    return nil
                }
                if inFlow && ",[]{}".unicodeScalars.contains(scalar) { return nil }
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0xFEFF { return nil }
                index += 1
            }
            while stop > start && text[stop - 1] == " " { stop -= 1 }
            guard stop > start else { return nil }
            return string(text[start..<stop])
        }

        /// `[a, b, c]` on one line, items plain.
        private func flowList(_ line: Line, from column: Int) -> YNode? {
            let text = line.text
            guard let close = text[column...].firstIndex(of: "]"), onlyCommentAfter(text, close + 1) else { return nil }
            var items: [YNode] = []
            var cursor = column + 1
            while cursor < close && text[cursor] == " " { cursor += 1 }
            if cursor == close { return .sequence([], YMark(line: line.number, column: column + 1)) }
            while cursor < close {
                var end = cursor
                while end < close && text[end] != "," { end += 1 }
                var itemEnd = end
                while itemEnd > cursor && text[itemEnd - 1] == " " { itemEnd -= 1 }
                guard itemEnd > cursor, let value = plain(text, from: cursor, until: itemEnd, inFlow: true) else { return nil }
                if text[cursor..<itemEnd].contains("#") { return nil }
                items.append(.scalar(value, .plain, YMark(line: line.number, column: cursor + 1)))
                guard end < close else { break }
                cursor = end + 1
                while cursor < close && text[cursor] == " " { cursor += 1 }
                if cursor == close { return nil }   // a trailing comma
            }
            return .sequence(items, YMark(line: line.number, column: column + 1))
        }
    }
}

/// A set of strings that is a list while small (the keys of one mapping, usually a handful: no
/// hashing) and a hash set past that (so a hostile mapping with thousands of keys stays linear).
struct SmallStringSet {
    private var list: [String] = []
    private var hashed: Set<String>?

    /// Adds `text`; false when it was already there.
    mutating func insert(_ text: String) -> Bool {
        if hashed != nil { return hashed!.insert(text).inserted }
        if list.contains(text) { return false }
        list.append(text)
        if list.count > 16 {
            hashed = Set(list)
            list = []
        }
        return true
    }

    func contains(_ text: String) -> Bool {
        hashed?.contains(text) ?? list.contains(text)
    }
}
