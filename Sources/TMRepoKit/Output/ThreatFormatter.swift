import ThreatModel

/// JSON and tabular views of threats for `list` and `show`.
public enum ThreatFormatter {
    public static func json(_ threat: Threat, includeBody: Bool = false) -> JSON {
        var pairs: [(String, JSON)] = [
            ("id", .string(threat.id)), ("path", .string(threat.path)), ("title", .string(threat.title)),
            ("stride", .strings(threat.stride.map(\.rawValue))), ("element", .optional(threat.element)),
            ("assets", .strings(threat.assets)), ("severity", .optional(threat.severity?.rawValue)),
            ("status", .optional(threat.status?.rawValue)), ("owner", .optional(threat.owner)),
            ("review_every", .optional(threat.reviewEvery?.description)),
            ("reviewed", threat.reviewed.map { .object([("on", .optional($0.on?.description)), ("by", .optional($0.by))]) } ?? .null),
            ("mitigations", .array(threat.mitigations.map(mitigationJSON))),
            ("tags", .strings(threat.tags)),
        ]
        if includeBody {
            pairs.append(("threat", threat.statement.map(statementJSON) ?? .null))
            pairs.append(("body", .string(threat.body)))
            pairs.append(("vulnerabilities", .array(threat.vulnerabilities.map { link in
                .object([("rule", .string(link.rule)), ("resource", .string(link.resource)), ("template", .optional(link.template)),
                         ("status", .optional(link.status?.rawValue)), ("reason", .optional(link.reason)), ("until", .optional(link.until?.description))])
            })))
        }
        return .object(pairs)
    }

    static func mitigationJSON(_ mitigation: Mitigation) -> JSON {
        .object([
            ("id", .string(mitigation.id)), ("title", .string(mitigation.title)), ("status", .optional(mitigation.status?.rawValue)),
            ("owner", .optional(mitigation.owner)), ("evidence", .strings(mitigation.evidence)),
            ("verified", .optional(mitigation.verified?.description)), ("ref", .optional(mitigation.ref)),
        ])
    }

    static func statementJSON(_ statement: ThreatStatement) -> JSON {
        .object([
            ("source", .optional(statement.source)), ("prerequisites", .optional(statement.prerequisites)),
            ("action", .optional(statement.action)), ("impact", .optional(statement.impact)),
            ("impacted_goal", .strings(statement.impactedGoal)), ("impacted_assets", .strings(statement.impactedAssets)),
        ])
    }

    public static let listColumns = ["id", "severity", "status", "owner", "element", "stride", "title"]

    /// Raw values (CSV quotes and defuses them; TextTable escapes them for the terminal).
    public static func row(_ threat: Threat) -> [String] {
        [threat.id, threat.severity?.rawValue ?? "?", threat.status?.rawValue ?? "?", threat.owner ?? "-", threat.element ?? "-",
         threat.stride.map(\.letter).joined(), threat.title]
    }

    /// A human-readable page for one threat.
    public static func detail(_ threat: Threat, style: Style) -> String {
        // Every value from the file is escaped: it is shown on a terminal.
        let safe = TextEscaping.field
        var lines = [style.bold("\(safe(threat.id))  \(safe(threat.title))"), ""]
        func field(_ name: String, _ value: String?) {
            lines.append("\(name.padding(toLength: 13, withPad: " ", startingAt: 0))\(value.map(safe) ?? "-")")
        }
        field("path", threat.path)
        field("severity", threat.severity?.rawValue)
        field("status", threat.status?.rawValue)
        field("owner", threat.owner)
        field("stride", threat.stride.map(\.rawValue).joined(separator: ", "))
        field("element", threat.element)
        field("assets", threat.assets.isEmpty ? nil : threat.assets.joined(separator: ", "))
        field("review_every", threat.reviewEvery?.description)
        field("reviewed", threat.reviewed.map { "\($0.on?.description ?? "?") by \($0.by ?? "?")" })
        field("tags", threat.tags.isEmpty ? nil : threat.tags.joined(separator: ", "))
        if let statement = threat.statement {
            let parts = [statement.source, statement.prerequisites.map { $0 }, statement.action.map { "can " + $0 },
                         statement.impact.map { "which leads to " + $0 }].compactMap { $0 }
            if !parts.isEmpty { lines += ["", "Threat: " + safe(parts.joined(separator: ", "))] }
        }
        if !threat.mitigations.isEmpty {
            lines += ["", style.bold("Mitigations")]
            for mitigation in threat.mitigations {
                lines.append("  \(safe(mitigation.id))  [\(mitigation.status?.rawValue ?? "?")] \(safe(mitigation.title))")
                if let owner = mitigation.owner { lines.append("        owner: \(safe(owner))") }
                if !mitigation.evidence.isEmpty { lines.append("        evidence: \(safe(mitigation.evidence.joined(separator: ", ")))") }
                if let verified = mitigation.verified { lines.append("        verified: \(verified)") }
            }
        }
        if !threat.vulnerabilities.isEmpty {
            lines += ["", style.bold("Vulnerabilities")]
            for link in threat.vulnerabilities {
                lines.append("  \(safe(link.displayName))  [\(link.status?.rawValue ?? "?")]"
                    + (link.until.map { " until \(safe($0.description))" } ?? "") + (link.reason.map { ": " + safe($0) } ?? ""))
            }
        }
        let body = threat.body.trimmingCharacters(in: .whitespacesAndNewlines)
        if !body.isEmpty { lines += ["", TextEscaping.multiline(body)] }
        return lines.joined(separator: "\n") + "\n"
    }
}
