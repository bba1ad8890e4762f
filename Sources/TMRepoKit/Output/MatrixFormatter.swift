import ThreatModel

public enum MatrixFormat: String, CaseIterable, Sendable {
    case text, json, md
}

/// Renders the STRIDE-per-element matrix. In text and Markdown a cell shows its threat count,
/// "GAP" where the category applies but has no threat, and "·" where it does not apply.
public enum MatrixFormatter {
    public static func render(_ matrix: CoverageMatrix, format: MatrixFormat, style: Style = .plain) -> String {
        switch format {
        case .json: return json(matrix).render() + "\n"
        case .md: return markdown(matrix)
        case .text: return text(matrix, style: style)
        }
    }

    static func cellText(_ cell: CoverageMatrix.Cell) -> String {
        if cell.isGap { return "GAP" }
        if cell.count > 0 { return cell.applicable ? String(cell.count) : "\(cell.count)*" }
        return "·"
    }

    static func text(_ matrix: CoverageMatrix, style: Style) -> String {
        let header = ["element", "kind"] + StrideCategory.allCases.map(\.letter)
        let rows = matrix.rows.map { row in [row.elementID + (row.isUnmodeled ? " (new)" : ""), row.kind?.rawValue ?? "?"] + row.cells.map(cellText) }
        var out = TextTable.render(header: header, rows: rows)
        if style.enabled { out = out.replacingOccurrences(of: "GAP", with: style.red("GAP")) }
        out += "\n\n\(matrix.gapCount) gap\(matrix.gapCount == 1 ? "" : "s") in \(matrix.applicableCellCount) applicable cells"
        out += " (S T R I D E = \(StrideCategory.allCases.map(\.title).joined(separator: ", ")); · not applicable; n* threats on a category the kind does not usually have)"
        if !matrix.unassigned.isEmpty { out += "\nthreats with no known element: \(matrix.unassigned.map(TextEscaping.field).joined(separator: ", "))" }
        if matrix.rows.contains(where: \.isUnmodeled) { out += "\n(new): declared in a template, not in elements.yml yet (tmrepo discover adds it)" }
        return out + "\n"
    }

    static func markdown(_ matrix: CoverageMatrix) -> String {
        var lines = ["| element | kind | " + StrideCategory.allCases.map(\.letter).joined(separator: " | ") + " |",
                     "| --- | --- |" + String(repeating: " --- |", count: 6)]
        for row in matrix.rows {
            let cells = row.cells.map { $0.isGap ? "**GAP**" : cellText($0) }
            lines.append("| \(MarkdownText.inline(row.elementID))\(row.isUnmodeled ? " (new)" : "") | \(row.kind?.rawValue ?? "?") | " + cells.joined(separator: " | ") + " |")
        }
        lines.append("")
        lines.append("\(matrix.gapCount) gaps in \(matrix.applicableCellCount) applicable cells.")
        if !matrix.unassigned.isEmpty { lines.append("Threats with no known element: \(matrix.unassigned.map(MarkdownText.inline).joined(separator: ", ")).") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func json(_ matrix: CoverageMatrix) -> JSON {
        .object([
            ("version", .int(1)),
            ("categories", .strings(StrideCategory.allCases.map(\.rawValue))),
            ("summary", .object([("elements", .int(matrix.rows.count)), ("applicable_cells", .int(matrix.applicableCellCount)),
                                 ("gaps", .int(matrix.gapCount))])),
            ("elements", .array(matrix.rows.map { row in
                .object([
                    ("id", .string(row.elementID)), ("name", .string(row.name)), ("kind", .optional(row.kind?.rawValue)),
                    ("cells", .object(row.cells.map { cell in
                        (cell.category.rawValue, .object([("applicable", .bool(cell.applicable)), ("count", .int(cell.count)),
                                                          ("gap", .bool(cell.isGap)), ("threats", .strings(cell.threatIDs))]))
                    })),
                    ("gaps", .strings(row.gaps.map(\.rawValue))),
                    ("unmodeled", .bool(row.isUnmodeled)),
                ])
            })),
            ("unassigned", .strings(matrix.unassigned)),
        ])
    }

}
