/// One problem found in the model: where, how bad, what, and a stable rule id scripts can key on.
public struct Diagnostic: Hashable, Sendable, Codable, Error {
    public enum Level: String, Sendable, Codable, Comparable {
        case error, warning

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs == .error && rhs == .warning }
    }

    /// Path relative to the model root (or the repository, for history problems).
    public var path: String
    /// 1-based; 0 when the problem concerns the whole file.
    public var line: Int
    /// 1-based, counted in Unicode scalars; 0 when unknown.
    public var column: Int
    public var severity: Level
    /// A stable, kebab-case identifier, e.g. `invalid-value` (documented in docs/lint-rules.md).
    public var rule: String
    public var message: String

    public init(path: String, line: Int, column: Int, severity: Level, rule: String, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.severity = severity
        self.rule = rule
        self.message = message
    }

    /// `path:line:column: error: message`, the format compilers and editors understand; the path
    /// and message (which quote file contents) are escaped, so one diagnostic is always one safe line.
    public var formatted: String {
        "\(TextEscaping.field(path)):\(line):\(column): \(severity.rawValue): \(TextEscaping.field(message))"
    }

    /// Orders by path, then position, then text, so output is stable run to run.
    public static func sortKey(_ lhs: Diagnostic, _ rhs: Diagnostic) -> Bool {
        (lhs.path, lhs.line, lhs.column, lhs.message) < (rhs.path, rhs.line, rhs.column, rhs.message)
    }
}

/// A position in a file, 1-based.
public struct SourceLocation: Hashable, Sendable, Codable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static let wholeFile = SourceLocation(line: 0, column: 0)
}
