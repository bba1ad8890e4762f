import Yams

/// Appends elements to `elements.yml` and keeps every byte a person wrote: comments, order,
/// quoting and line endings. New entries go after the last entry of the `elements:` list, in its
/// indentation; nothing is re-emitted.
public enum ElementsFileEditor {
    public enum EditError: Error, Equatable, CustomStringConvertible {
        case unreadable(String)
        case cannotAppend(line: Int, reason: String)

        public var description: String {
            switch self {
            case .unreadable(let why): "\(InventoryParser.elementsFile) cannot be edited: \(why)"
            case let .cannotAppend(line, reason): "\(InventoryParser.elementsFile):\(line): cannot add elements without rewriting it: \(reason)"
            }
        }
    }

    /// The file with `elements` appended; `bytes` nil (no file yet) starts a new one.
    public static func append(_ elements: [Element], to bytes: [UInt8]?) throws -> [UInt8] {
        guard !elements.isEmpty else { return bytes ?? [] }
        guard let bytes, !bytes.allSatisfy({ [0x20, 0x0A, 0x0D, 0x09].contains($0) }) else {
            return Array(("elements:\n" + elements.map { render($0, dashIndent: 2, contentIndent: 4, newline: "\n") }.joined()).utf8)
        }
        let source: SourceText
        switch SourceText.decode(bytes) {
        case .success(let decoded): source = decoded
        case .failure(let failure): throw EditError.unreadable("\(failure)")
        }
        var lines = source.text.splitLinesKeepingEnds().map(String.init)
        let newline = lines.first.map { $0.hasSuffix("\r\n") ? "\r\n" : "\n" } ?? "\n"
        let root: Node
        do {
            if let refusal = YAMLLimits.check(source.text) {
                throw EditError.unreadable("line \(refusal.line): \(refusal.message)")
            }
            guard let node = try Yams.compose(yaml: source.text) else { throw EditError.unreadable("the file is empty") }
            root = node
        } catch let error as EditError {
            throw error
        } catch {
            throw EditError.unreadable("\(error)")
        }

        // The list and the line (0-based) after which new entries go.
        let list: Node, endLine: Int
        switch root {
        case .sequence:
            list = root
            endLine = lines.count
        case .mapping(let mapping):
            let pairs = Array(mapping)
            guard let index = pairs.firstIndex(where: { $0.key.scalar?.string == "elements" }) else {
                throw EditError.cannotAppend(line: root.mark?.line ?? 1, reason: "there is no top-level 'elements:' list")
            }
            list = pairs[index].value
            endLine = index + 1 < pairs.count ? (pairs[index + 1].key.mark?.line ?? 1) - 1 : lines.count
            if case .scalar(let scalar) = list, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" {
                // `elements:` with nothing yet: the first entries go right after the key.
                let keyLine = (pairs[index].key.mark?.line ?? 1) - 1
                guard scalar.string.isEmpty, keyLine < lines.count else {
                    throw EditError.cannotAppend(line: keyLine + 1, reason: "'elements:' holds '\(scalar.string)'; leave it empty or write a list")
                }
                let insertAt = lastContentLine(lines, from: keyLine, before: endLine) + 1
                ensureNewline(&lines, before: insertAt, newline: newline)
                let entries = elements.map { render($0, dashIndent: 2, contentIndent: 4, newline: newline) }
                lines.insert(contentsOf: entries, at: insertAt)
                return (source.hasByteOrderMark ? [0xEF, 0xBB, 0xBF] : []) + Array(lines.joined().utf8)
            }
        default:
            throw EditError.cannotAppend(line: root.mark?.line ?? 1, reason: "the file is neither an 'elements:' mapping nor a list")
        }
        guard case .sequence(let sequence) = list else {
            throw EditError.cannotAppend(line: list.mark?.line ?? 1, reason: "'elements' is not a list")
        }
        // Yams does not keep the collection style: a flow list starts with '[' where libyaml marks it.
        let isFlow = sequence.mark.map { mark in
            lines.indices.contains(mark.line - 1) && lines[mark.line - 1].unicodeScalars.dropFirst(mark.column - 1).first == "["
        } ?? true
        guard !isFlow, let first = sequence.first, let listMark = sequence.mark, let itemMark = first.mark else {
            throw EditError.cannotAppend(line: list.mark?.line ?? 1, reason: "the list is written in flow style ([…]); write it as a block list (one '- id:' per entry)")
        }
        let dashIndent = listMark.column - 1
        let contentIndent = max(itemMark.column - 1, dashIndent + 2)
        let lastItemLine = (sequence.last?.mark?.line ?? listMark.line) - 1
        let insertAt = lastContentLine(lines, from: lastItemLine, before: endLine) + 1
        ensureNewline(&lines, before: insertAt, newline: newline)
        let entries = elements.map { render($0, dashIndent: dashIndent, contentIndent: contentIndent, newline: newline) }
        lines.insert(contentsOf: entries, at: insertAt)
        return (source.hasByteOrderMark ? [0xEF, 0xBB, 0xBF] : []) + Array(lines.joined().utf8)
    }

    /// The last line in `from..<before` that is part of the list (not blank, not a comment at
    /// column 0, which belongs to what follows).
    private static func lastContentLine(_ lines: [String], from start: Int, before end: Int) -> Int {
        var last = start
        var index = start + 1
        while index < min(end, lines.count) {
            let line = lines[index]
            let trimmed = line.trimmingCharacters(in: " \t\r\n")
            let isIndented = line.first == " " || line.first == "\t" || line.first == "-"
            if !trimmed.isEmpty, !(trimmed.hasPrefix("#") && !isIndented) { last = index }
            index += 1
        }
        return last
    }

    private static func ensureNewline(_ lines: inout [String], before index: Int, newline: String) {
        guard index > 0, index - 1 < lines.count else { return }
        if !lines[index - 1].hasSuffix("\n") { lines[index - 1] += newline }
    }

    static func render(_ element: Element, dashIndent: Int, contentIndent: Int, newline: String) -> String {
        var fields: [(String, String)] = [("id", element.id), ("kind", element.kind.rawValue), ("name", element.name)]
        if let description = element.description { fields.append(("description", description)) }
        if let from = element.from { fields.append(("from", from)) }
        if let to = element.to { fields.append(("to", to)) }
        if let boundary = element.trustBoundary { fields.append(("trust_boundary", boundary)) }
        if let resource = element.resource { fields.append(("resource", resource.description)) }
        let dash = String(repeating: " ", count: dashIndent) + "-" + String(repeating: " ", count: contentIndent - dashIndent - 1)
        let indent = String(repeating: " ", count: contentIndent)
        return fields.enumerated().map { index, field in
            // Every field but the description is one line in elements.yml.
            let value = field.0 == "description" ? field.1 : String(field.1.map { $0.isNewline ? " " : $0 })
            return (index == 0 ? dash : indent) + field.0 + ": " + YAMLScalar.render(value) + newline
        }.joined()
    }
}
