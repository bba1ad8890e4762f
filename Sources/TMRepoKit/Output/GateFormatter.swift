import ThreatModel

public enum GateFormat: String, CaseIterable, Sendable {
    case text, json, github, sarif
}

/// Renders `tmrepo check` results: for people, scripts, GitHub annotations and code scanning (SARIF 2.1.0).
public enum GateFormatter {
    public static func render(_ result: CheckResult, format: GateFormat, style: Style = .plain) -> String {
        switch format {
        case .text: return text(result, style: style)
        case .json: return json(result).render() + "\n"
        case .github: return github(result)
        case .sarif: return sarif(result).render() + "\n"
        }
    }

    static func range(_ result: CheckResult) -> String {
        "\(result.base.map { String($0.prefix(12)) } ?? "(root)")..\(result.head.prefix(12)) (\(result.commits) commit\(result.commits == 1 ? "" : "s"))"
    }

    static func text(_ result: CheckResult, style: Style) -> String {
        guard !result.passed else {
            return style.green("tmrepo check passed") + " for \(range(result))\n"
        }
        var lines = [style.red("tmrepo check: blocked") + " — \(result.findings.count) problem\(result.findings.count == 1 ? "" : "s") in \(range(result))", ""]
        for finding in result.findings {
            // Paths and messages quote commits and files: escaped, one line each.
            let location = finding.path.map { " " + TextEscaping.field(result.modelPrefix + $0) + (finding.line > 0 ? ":\(finding.line)" : "") } ?? ""
            lines.append("\(style.bold(finding.rule.rawValue))\(location)")
            lines.append("  \(TextEscaping.field(finding.message))")
            lines.append("  fix: \(TextEscaping.field(finding.fix))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func json(_ result: CheckResult) -> JSON {
        .object([
            ("version", .int(1)), ("passed", .bool(result.passed)), ("base", .optional(result.base)), ("head", .string(result.head)),
            ("commits", .int(result.commits)),
            ("findings", .array(result.findings.map { finding in
                .object([
                    ("rule", .string(finding.rule.rawValue)), ("threat", .optional(finding.threatID)),
                    ("path", .optional(finding.path.map { result.modelPrefix + $0 })), ("line", .int(finding.line)),
                    ("commit", .optional(finding.commit)), ("message", .string(finding.message)), ("fix", .string(finding.fix)),
                ])
            })),
        ])
    }

    static func github(_ result: CheckResult) -> String {
        guard !result.passed else { return "" }
        return result.findings.map { finding in
            var properties: [String] = []
            if let path = finding.path { properties.append("file=\(GitHubAnnotation.property(result.modelPrefix + path))") }
            if finding.line > 0 { properties.append("line=\(finding.line)") }
            properties.append("title=\(GitHubAnnotation.property("tmrepo check: " + finding.rule.rawValue))")
            return "::error \(properties.joined(separator: ","))::\(GitHubAnnotation.message(finding.message + "\nFix: " + finding.fix))"
        }.joined(separator: "\n") + "\n"
    }

    /// SARIF 2.1.0: one run, one rule per finding kind, one result per finding.
    static func sarif(_ result: CheckResult) -> JSON {
        let rules = GateFinding.Rule.allCases.map { rule in
            SARIFWriter.Rule(id: rule.rawValue, name: rule.rawValue, shortDescription: rule.summary, level: "error")
        }
        let results = result.findings.map { finding -> SARIFWriter.Result in
            let path = finding.path.map { result.modelPrefix + $0 } ?? result.modelPrefix + ModelConfig.fileName
            var fingerprint = finding.rule.rawValue + ":" + (finding.threatID ?? finding.path ?? "")
            if let commit = finding.commit { fingerprint += ":" + commit }
            return SARIFWriter.Result(
                ruleId: finding.rule.rawValue, ruleIndex: GateFinding.Rule.allCases.firstIndex(of: finding.rule)!, level: "error",
                message: finding.message + " Fix: " + finding.fix, path: path, line: finding.line,
                partialFingerprints: [("tmrepoFinding/v1", fingerprint)])
        }
        return SARIFWriter.log(rules: rules, results: results, automationId: "tmrepo-check/\(result.head)")
    }
}

public enum TMRepoVersion {
    public static let current = "0.1.0"
}
