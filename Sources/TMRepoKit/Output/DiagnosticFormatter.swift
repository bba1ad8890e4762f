import ThreatModel

/// One output format for problems found by `lint` (and listed by `status`).
public enum DiagnosticFormat: String, CaseIterable, Sendable {
    case text, json, github
}

public struct DiagnosticFormatter {
    public let format: DiagnosticFormat
    /// Prepended to every path so it reads from where the user stands (e.g. "services/orders/").
    public let pathPrefix: String
    public let style: Style

    public init(format: DiagnosticFormat, pathPrefix: String = "", style: Style = .plain) {
        self.format = format
        self.pathPrefix = pathPrefix
        self.style = style
    }

    public func render(_ diagnostics: [Diagnostic], filesChecked: Int) -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.count - errors
        switch format {
        case .text:
            var lines = diagnostics.map { diagnostic -> String in
                let level = diagnostic.severity == .error ? style.red("error") : style.yellow("warning")
                return "\(style.bold(TextEscaping.field(pathPrefix + diagnostic.path))):\(diagnostic.line):\(diagnostic.column): \(level): \(TextEscaping.field(diagnostic.message)) [\(diagnostic.rule)]"
            }
            let summary = "\(filesChecked) file\(filesChecked == 1 ? "" : "s") checked: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
            lines.append(errors > 0 ? style.red(summary) : (warnings > 0 ? style.yellow(summary) : style.green(summary)))
            return lines.joined(separator: "\n") + "\n"
        case .json:
            return JSON.object([
                ("version", .int(1)),
                ("summary", .object([("files", .int(filesChecked)), ("errors", .int(errors)), ("warnings", .int(warnings))])),
                ("problems", .array(diagnostics.map { diagnosticJSON($0, pathPrefix: pathPrefix) })),
            ]).render() + "\n"
        case .github:
            return diagnostics.map { GitHubAnnotation.line(for: $0, pathPrefix: pathPrefix) }.joined(separator: "\n")
                + (diagnostics.isEmpty ? "" : "\n")
        }
    }
}

public func diagnosticJSON(_ diagnostic: Diagnostic, pathPrefix: String = "") -> JSON {
    .object([
        ("path", .string(pathPrefix + diagnostic.path)), ("line", .int(diagnostic.line)), ("column", .int(diagnostic.column)),
        ("severity", .string(diagnostic.severity.rawValue)), ("rule", .string(diagnostic.rule)), ("message", .string(diagnostic.message)),
    ])
}

/// GitHub Actions workflow commands (`::error file=…,line=…::message`).
public enum GitHubAnnotation {
    public static func line(for diagnostic: Diagnostic, pathPrefix: String = "") -> String {
        var properties = ["file=\(property(pathPrefix + diagnostic.path))"]
        if diagnostic.line > 0 { properties.append("line=\(diagnostic.line)") }
        if diagnostic.column > 0 { properties.append("col=\(diagnostic.column)") }
        properties.append("title=\(property("tmrepo " + diagnostic.rule))")
        return "::\(diagnostic.severity == .error ? "error" : "warning") \(properties.joined(separator: ","))::\(message(diagnostic.message))"
    }

    /// GitHub's escaping for workflow command data (`%`, CR, LF), then every other control
    /// character made visible, so a message can neither end the command nor drive the log viewer.
    static func message(_ text: String) -> String {
        let encoded = text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
        return TextEscaping.field(encoded)
    }

    static func property(_ text: String) -> String {
        message(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
