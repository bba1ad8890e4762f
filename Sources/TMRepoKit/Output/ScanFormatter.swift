import ThreatModel

public enum ScanFormat: String, CaseIterable, Sendable {
    case text, json, sarif
}

/// Renders `tmrepo scan`: a table for people, JSON for scripts, SARIF 2.1.0 for code scanning.
public enum ScanFormatter {
    public static func render(_ result: ScanResult, format: ScanFormat, pathPrefix: String = "", style: Style = .plain) -> String {
        switch format {
        case .text: text(result, style: style)
        case .json: json(result).render() + "\n"
        case .sarif: sarif(result, pathPrefix: pathPrefix).render() + "\n"
        }
    }

    static func counts(_ findings: [VulnerabilityFinding]) -> String {
        let parts = Severity.allCases.compactMap { severity -> String? in
            let count = findings.filter { $0.severity == severity }.count
            return count == 0 ? nil : "\(count) \(severity.rawValue)"
        }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
    }

    public static func text(_ result: ScanResult, style: Style) -> String {
        var out: [String] = []
        let templates = result.templatePaths.count
        out.append("\(templates) template\(templates == 1 ? "" : "s"), \(result.findings.count) finding\(result.findings.count == 1 ? "" : "s")\(counts(result.findings))")
        for problem in result.problems { out.append("  " + problem.formatted) }
        for group in [result.builtIn, result.imported] where !group.isEmpty {
            out.append("")
            for finding in group {
                let severity = finding.severity.rawValue.uppercased()
                let colored = finding.severity <= .high ? style.red(severity) : finding.severity == .medium ? style.yellow(severity) : style.dim(severity)
                let location = TextEscaping.field(finding.path) + (finding.line > 0 ? ":\(finding.line)" : "")
                var subject = finding.logicalId.map(TextEscaping.field) ?? "(template)"
                if let element = finding.element { subject += " → " + TextEscaping.field(element) }
                let stride = finding.strideMapped ? finding.stride.map(\.letter).joined() : "not mapped"
                let tool = finding.tool == "tmrepo" ? "" : " [\(TextEscaping.field(finding.tool))]"
                out.append("\(colored) \(style.bold(TextEscaping.field(finding.rule)))\(tool) \(location) \(subject) [\(stride)]")
                out.append("  " + TextEscaping.field(finding.message))
            }
        }
        for item in result.imports {
            out.append("read \(TextEscaping.field(item.path)): \(item.tools.map(TextEscaping.field).joined(separator: ", ")), \(item.results) result\(item.results == 1 ? "" : "s")")
        }
        return out.joined(separator: "\n") + "\n"
    }

    public static func findingJSON(_ finding: VulnerabilityFinding) -> JSON {
        .object([
            ("key", .string(finding.key.description)),
            ("tool", .string(finding.tool)), ("rule", .string(finding.rule)), ("severity", .string(finding.severity.rawValue)),
            ("stride", finding.strideMapped ? .strings(finding.stride.map(\.rawValue)) : .string("not mapped")),
            ("path", .string(finding.path)), ("line", .int(finding.line)),
            ("resource", .optional(finding.key.resource?.description)), ("logical_id", .optional(finding.logicalId)),
            ("resource_type", .optional(finding.resourceType)), ("property", .optional(finding.property)),
            ("element", .optional(finding.element)), ("message", .string(finding.message)),
        ])
    }

    public static func json(_ result: ScanResult) -> JSON {
        var bySeverity: [(String, JSON)] = []
        for severity in Severity.allCases { bySeverity.append((severity.rawValue, .int(result.findings.filter { $0.severity == severity }.count))) }
        return .object([
            ("version", .int(1)), ("as_of", .string(result.today.description)),
            ("templates", .strings(result.templatePaths)),
            ("summary", .object([("findings", .int(result.findings.count)), ("by_severity", .object(bySeverity))])),
            ("findings", .array(result.findings.map(findingJSON))),
            ("problems", .array(result.problems.map { problem in
                .object([("path", .string(problem.path)), ("line", .int(problem.line)), ("rule", .string(problem.rule)), ("message", .string(problem.message))])
            })),
            ("imports", .array(result.imports.map { item in
                .object([("path", .string(item.path)), ("tools", .strings(item.tools)), ("results", .int(item.results))])
            })),
        ])
    }

    /// The rule of every built-in check, then one per scanner rule an imported result names.
    static func rules(_ result: ScanResult) -> [SARIFWriter.Rule] {
        var rules = Check.allCases.map { check -> SARIFWriter.Rule in
            var equivalents: [(String, JSON)] = []
            if !check.equivalents.checkov.isEmpty { equivalents.append(("checkov", .strings(check.equivalents.checkov))) }
            if !check.equivalents.cfnNag.isEmpty { equivalents.append(("cfn_nag", .strings(check.equivalents.cfnNag))) }
            if !check.equivalents.cdkNag.isEmpty { equivalents.append(("cdk-nag", .strings(check.equivalents.cdkNag))) }
            return SARIFWriter.Rule(
                id: check.rawValue, name: check.rawValue, shortDescription: check.title, fullDescription: check.why,
                help: (text: check.why + " Fix: " + check.fix, markdown: "**Why.** \(check.why)\n\n**Fix.** \(check.fix)"),
                helpUri: "https://github.com/tmrepo/tmrepo/blob/main/" + check.documentation, level: SARIFWriter.level(check.defaultSeverity),
                properties: [("tags", .strings(["security"] + check.stride.map(\.rawValue))), ("stride", .strings(check.stride.map(\.rawValue))),
                             ("security-severity", .string(SARIFWriter.securitySeverity(check.defaultSeverity))),
                             ("equivalents", .object(equivalents))])
        }
        var seen = Set(rules.map(\.id))
        for finding in result.imported where seen.insert(finding.rule).inserted {
            let stride: JSON = finding.strideMapped ? .strings(finding.stride.map(\.rawValue)) : .string("not mapped")
            rules.append(SARIFWriter.Rule(id: finding.rule, name: finding.rule, shortDescription: "\(finding.tool) rule \(finding.rule)",
                                          level: SARIFWriter.level(finding.severity),
                                          properties: [("tool", .string(finding.tool)), ("stride", stride)]))
        }
        return rules
    }

    /// SARIF 2.1.0 with `partialFingerprints` built from the finding key (rule, template, logical
    /// id, property): stable across commits that move lines.
    public static func sarif(_ result: ScanResult, pathPrefix: String = "") -> JSON {
        let rules = rules(result)
        var index: [String: Int] = [:]
        for (offset, rule) in rules.enumerated() { index[rule.id] = offset }
        let results = result.findings.map { finding -> SARIFWriter.Result in
            var properties: [(String, JSON)] = [("severity", .string(finding.severity.rawValue)),
                                                ("stride", finding.strideMapped ? .strings(finding.stride.map(\.rawValue)) : .string("not mapped"))]
            if let id = finding.logicalId { properties.append(("logicalId", .string(id))) }
            if let element = finding.element { properties.append(("element", .string(element))) }
            if finding.tool != "tmrepo" { properties.append(("tool", .string(finding.tool))) }
            return SARIFWriter.Result(
                ruleId: finding.rule, ruleIndex: index[finding.rule] ?? 0, level: SARIFWriter.level(finding.severity),
                message: finding.message, path: pathPrefix + finding.path, line: finding.line,
                partialFingerprints: [("tmrepoFinding/v1", finding.key.description)], properties: properties)
        }
        return SARIFWriter.log(rules: rules, results: results, automationId: nil)
    }
}
