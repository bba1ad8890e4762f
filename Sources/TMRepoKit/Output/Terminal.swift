import Foundation
import ThreatModel

/// Styling for human output: color only when writing to a terminal and NO_COLOR is not set.
public struct Style: Sendable {
    public let enabled: Bool

    public init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Color when stdout is a TTY, `NO_COLOR` is unset (https://no-color.org) and TERM is not "dumb".
    public static func forStandardOutput(environment: [String: String] = ProcessInfo.processInfo.environment) -> Style {
        let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        return Style(enabled: isatty(STDOUT_FILENO) == 1 && !noColor && environment["TERM"] != "dumb")
    }

    public static let plain = Style(enabled: false)

    /// The same rule for standard error (hook and error messages).
    public static func forStandardError(environment: [String: String] = ProcessInfo.processInfo.environment) -> Style {
        let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        return Style(enabled: isatty(STDERR_FILENO) == 1 && !noColor && environment["TERM"] != "dumb")
    }

    private func wrap(_ text: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    public func bold(_ text: String) -> String { wrap(text, "1") }
    public func red(_ text: String) -> String { wrap(text, "31") }
    public func yellow(_ text: String) -> String { wrap(text, "33") }
    public func green(_ text: String) -> String { wrap(text, "32") }
    public func dim(_ text: String) -> String { wrap(text, "2") }
}

/// Left-aligned text columns for terminal tables.
public enum TextTable {
    /// Rows without a header, each indented two spaces: the lists under a report's headings.
    public static func indentedRows(_ rows: [[String]], columnStyles: [Int: (String) -> String] = [:]) -> [String] {
        guard !rows.isEmpty else { return [] }
        return lines(rows.map { $0.map(TextEscaping.field) }, styledFrom: 0, columnStyles: columnStyles).map { "  " + $0 }
    }

    /// Every cell is escaped (`TextEscaping.field`), so no cell can start another row or drive the
    /// terminal. Color goes on after padding, per column of the body rows, through `columnStyles`.
    public static func render(header: [String], rows: [[String]], columnStyles: [Int: (String) -> String] = [:]) -> String {
        lines(([header] + rows).map { $0.map(TextEscaping.field) }, styledFrom: 1, columnStyles: columnStyles).joined(separator: "\n")
    }

    /// The rows as lines, each cell but the last padded to its column's width in characters.
    private static func lines(_ rows: [[String]], styledFrom firstStyled: Int, columnStyles: [Int: (String) -> String]) -> [String] {
        let widths = rows.map { $0.map(width) }
        let columns = rows.map(\.count).max() ?? 0
        let columnWidths = (0..<columns).map { column in widths.map { column < $0.count ? $0[column] : 0 }.max() ?? 0 }
        return rows.indices.map { rowIndex in
            var line = ""
            for (index, cell) in rows[rowIndex].enumerated() {
                if index > 0 { line += "  " }
                var padded = cell
                if index < rows[rowIndex].count - 1 {
                    padded += String(repeating: " ", count: columnWidths[index] - widths[rowIndex][index])
                }
                if rowIndex >= firstStyled, let style = columnStyles[index] { padded = style(padded) }
                line += padded
            }
            return line
        }
    }

    /// A cell's width in characters; ASCII text (nearly every cell) is counted by its bytes.
    private static func width(_ cell: String) -> Int {
        cell.utf8.allSatisfy { $0 < 0x80 } ? cell.utf8.count : cell.count
    }
}

/// RFC 4180 CSV, safe to open in a spreadsheet.
public enum CSV {
    public static func render(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// Characters a spreadsheet may read as the start of a formula (OWASP "CSV injection").
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r", "\n",
                                                     "\u{FF1D}", "\u{FF0B}", "\u{FF0D}", "\u{FF20}"]   // and their full-width forms

    /// A cell that could start a formula gets a leading `'` (shown as text, not evaluated) and is
    /// quoted; so is any cell holding a comma, quote or line break. A lone "-" (no value) is left as is.
    static func field(_ value: String) -> String {
        var value = value
        var quote = false
        if let first = value.unicodeScalars.first, formulaStarts.contains(first), value != "-" {
            value = "'" + value
            quote = true
        }
        guard quote || value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
