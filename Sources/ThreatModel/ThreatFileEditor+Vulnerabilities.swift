import Yams

extension ThreatFileEditor {
    /// Writes one `vulnerabilities:` entry: updates the entry naming the same finding (rule,
    /// resource, template) in place — only the keys given change, every other byte stays — or
    /// appends a new entry (adding the list at the end of the front matter when there is none).
    /// `reason`/`until` nil leave what the entry has. Entries written in flow style are refused.
    public mutating func setVulnerability(_ link: VulnerabilityLink) throws {
        let label = "vulnerabilities[\(link.displayName)]"
        var fields: [(String, String)] = []
        if let status = link.status { fields.append(("status", status.rawValue)) }
        if let reason = link.reason { fields.append(("reason", reason)) }
        if let until = link.until { fields.append(("until", until.description)) }
        let pairs = try parse()
        guard let index = pairs.firstIndex(where: { $0.key == "vulnerabilities" }), !Self.isNull(pairs[index].value) else {
            var block = ["vulnerabilities:"] + newEntry(link, fields: fields, dashIndent: "  ")
            block = block.map { $0 + newline }
            if let existing = pairs.firstIndex(where: { $0.key == "vulnerabilities" }) {
                lines.replaceSubrange(topLevelSpan(of: existing, in: pairs), with: block)
            } else {
                lines.insert(contentsOf: block, at: closingIndex)
            }
            return
        }
        guard case .sequence(let sequence) = pairs[index].value else {
            throw EditError.cannotEdit(field: "vulnerabilities", reason: "it is not a list")
        }
        guard sequence.style != .flow, !opensFlow(at: pairs[index].value.mark) else {
            throw EditError.cannotEdit(field: "vulnerabilities", reason: "the list is written in flow style ([…]); write it as a block")
        }
        let items = Array(sequence)
        let span = topLevelSpan(of: index, in: pairs)
        for (position, item) in items.enumerated() {
            guard case .mapping(let mapping) = item, Self.names(mapping, link) else { continue }
            guard mapping.style != .flow, let firstMark = mapping.first?.key.mark, !opensFlow(before: firstMark) else {
                throw EditError.cannotEdit(field: label, reason: "the entry is written in flow style ({…}); write it as a block")
            }
            // Existing keys are replaced where they stand (bottom-up, so earlier lines keep their place);
            // missing ones are inserted after the entry's last line.
            var missing: [(String, String)] = []
            for (key, value) in fields {
                if let existing = mapping.first(where: { $0.key.scalar?.string == key }) {
                    try replaceScalar(existing.value, keyNode: existing.key, field: "\(label).\(key)", with: value)
                } else {
                    missing.append((key, value))
                }
            }
            guard !missing.isEmpty else { return }
            let end = insertionLine(itemStart: firstMark.line, listEnd: span.upperBound,
                                    nextItemKeyLine: position + 1 < items.count ? items[position + 1].mapping?.first?.key.mark?.line : nil)
            let indent = String(repeating: " ", count: firstMark.column - 1)
            lines.insert(contentsOf: missing.map { "\(indent)\($0.0): \(YAMLScalar.render($0.1))\(newline)" }, at: end)
            return
        }
        // A new entry after the last one, with the dash where the first entry has it.
        var dashIndent = "  "
        if let firstKey = items.first?.mapping?.first?.key ?? items.first, let mark = firstKey.mark {
            var line = lines[mark.line]
            if !line.trimmingCharacters(in: " \t").hasPrefix("-"), mark.line > 1 { line = lines[mark.line - 1] }
            dashIndent = String(line.prefix { $0 == " " })
        }
        lines.insert(contentsOf: newEntry(link, fields: fields, dashIndent: dashIndent).map { $0 + newline }, at: span.upperBound)
    }

    /// Whether the text at `mark` opens a flow collection (`[` or `{`).
    private func opensFlow(at mark: Mark?) -> Bool {
        guard let mark, mark.line < lines.count else { return false }
        let characters = Array(lines[mark.line])
        let index = mark.column - 1
        return index >= 0 && index < characters.count && (characters[index] == "[" || characters[index] == "{")
    }

    /// Whether a key at `mark` sits inside a flow mapping (`{` before it on its line, past spaces).
    private func opensFlow(before mark: Mark) -> Bool {
        guard mark.line < lines.count else { return false }
        let characters = Array(lines[mark.line])
        var index = min(mark.column - 2, characters.count - 1)
        while index >= 0, characters[index] == " " || characters[index] == "\t" { index -= 1 }
        return index >= 0 && characters[index] == "{"
    }

    private static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    private func newEntry(_ link: VulnerabilityLink, fields: [(String, String)], dashIndent: String) -> [String] {
        var keys: [(String, String)] = [("rule", link.rule), ("resource", link.resource)]
        if let template = link.template { keys.append(("template", template)) }
        keys += fields
        return keys.enumerated().map { offset, pair in
            (offset == 0 ? dashIndent + "- " : dashIndent + "  ") + pair.0 + ": " + YAMLScalar.render(pair.1)
        }
    }

    /// Whether a parsed entry names the same finding as `link` (as the parser reads it).
    private static func names(_ mapping: Node.Mapping, _ link: VulnerabilityLink) -> Bool {
        func value(_ key: String) -> String? {
            mapping.first { $0.key.scalar?.string == key }?.value.scalar?.string.trimmingCharacters(in: " \t")
        }
        guard value("rule") == link.rule, var resource = value("resource") else { return false }
        var template = value("template")
        if let hash = resource.lastIndex(of: "#"), hash != resource.startIndex {
            template = String(resource[..<hash])
            resource = String(resource[resource.index(after: hash)...])
        }
        return resource == link.resource && template == link.template
    }
}
