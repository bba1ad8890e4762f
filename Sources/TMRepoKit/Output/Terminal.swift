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
        return render(header: rows[0].map { _ in "" }, rows: rows, columnStyles: columnStyles).split(separator: "\n", omittingEmptySubsequences: false)
            .dropFirst().map { "  " + $0 }
    }

    /// Every cell is escaped (`TextEscaping.field`), so no cell can start another row or drive the
    /// terminal. Color goes on after padding, per column of the body rows, through `columnStyles`.
    public static func render(header: [String], rows: [[String]], columnStyles: [Int: (String) -> String] = [:]) -> String {
        let all = ([header] + rows).map { $0.map(TextEscaping.field) }
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.enumerated().map { rowIndex, row in
            row.enumerated().map { index, cell in
                let padded = index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                guard rowIndex > 0, let style = columnStyles[index] else { return padded }
                return style(padded)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
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
