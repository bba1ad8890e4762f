import ThreatModel

/// The assessment part of `tmrepo status` (and the report): findings no threat links,
/// contradictions, expired and unreviewed acceptances, fixed findings that are back.
public enum AssessmentFormatter {
    /// The FINDING argument `tmrepo assess` takes for a finding: `RULE:template#LogicalId`
    /// (`RULE:template` for one about a whole template).
    public static func name(_ key: FindingKey) -> String {
        key.rule + ":" + (key.resource?.description ?? key.template)
    }

    static func linkJSON(_ item: LinkedFinding) -> JSON {
        .object([
            ("threat", .string(item.threat)), ("path", .string(item.path)),
            ("threat_status", .optional(item.threatStatus?.rawValue)),
            ("rule", .string(item.link.rule)), ("resource", .string(item.link.resource)), ("template", .optional(item.link.template)),
            ("status", .optional(item.link.status?.rawValue)), ("line", .int(item.link.location.line)),
            ("finding", item.finding.map(ScanFormatter.findingJSON) ?? .null),
        ])
    }

    static func acceptanceJSON(_ item: AcceptanceState) -> JSON {
        .object([
            ("threat", .string(item.threat)), ("path", .string(item.path)),
            ("rule", .string(item.link.rule)), ("resource", .string(item.link.resource)), ("template", .optional(item.link.template)),
            ("line", .int(item.link.location.line)),
            ("reason", .optional(item.link.reason)), ("until", .optional(item.link.until?.description)),
            ("expires", .optional(item.lastDay?.description)),
            ("written_in", .optional(item.written?.commit)),
            ("written_time", item.written.map { .string(ISOTime.format($0.time)) } ?? .null),
            ("last_review", .optional(item.lastReview?.commit)),
            ("last_review_time", item.lastReview.map { .string(ISOTime.format($0.time)) } ?? .null),
        ])
    }

    public static func json(_ report: AssessmentReport) -> JSON {
        .object([
            ("summary", .object([
                ("findings", .int(report.findings.count)), ("assessed", .int(report.assessedCount)),
                ("unassessed", .int(report.unassessed.count)), ("contradictions", .int(report.contradictions.count)),
                ("expired", .int(report.expired.count)), ("unreviewed_acceptances", .int(report.unreviewed.count)),
                ("fixed_but_reported", .int(report.back.count)), ("ambiguous", .int(report.ambiguous.count)),
            ])),
            ("unassessed", .array(report.unassessed.map { finding in
                guard case .object(var pairs) = ScanFormatter.findingJSON(finding) else { return .null }
                pairs.append(("finding", .string(name(finding.key))))
                return .object(pairs)
            })),
            ("contradictions", .array(report.contradictions.map(linkJSON))),
            ("expired", .array(report.expired.map(acceptanceJSON))),
            ("unreviewed_acceptances", .array(report.unreviewed.map(acceptanceJSON))),
            ("fixed_but_reported", .array(report.back.map(linkJSON))),
            ("ambiguous", .array(report.ambiguous.map(linkJSON))),
        ])
    }

    /// Why an acceptance no longer holds: its last day passed, or the commit that wrote it is
    /// dated after the moment judged (a duration cannot be stretched by a future-dated commit).
    private static func expiry(of item: AcceptanceState, asOf: Int64) -> String {
        if let written = item.written, written.time > asOf, item.lastDay.map({ $0 >= Day(unixTime: asOf) }) != false {
            return "written \(Day(unixTime: written.time)), after the moment judged"
        }
        return "expired \(item.lastDay?.description ?? "?")"
    }

    /// Text lines (a status section); empty when there are no findings and no links.
    public static func textLines(_ report: AssessmentReport, style: Style) -> [String] {
        var out: [String] = []
        out.append("")
        out.append(style.bold("Vulnerability assessment: \(report.findings.count) findings, \(report.assessedCount) linked to threats"))
        out.append("")
        out.append(style.bold("Unassessed findings (\(report.unassessed.count))") + (report.unassessed.isEmpty ? "" : "  (tmrepo assess FINDING --threat T-… or tmrepo new --from-finding FINDING)"))
        if report.unassessed.isEmpty { out.append("  none") }
        out += table(report.unassessed.map { finding in
            [name(finding.key), finding.severity.rawValue, "\(finding.path):\(finding.line)", finding.message]
        }, styles: [1: style.red])
        /// A titled list, left out when it has no rows.
        func section(_ title: String, _ rows: [[String]], styles: [Int: (String) -> String]) {
            guard !rows.isEmpty else { return }
            out.append("")
            out.append(style.bold("\(title) (\(rows.count))"))
            out += table(rows, styles: styles)
        }
        section("Contradictions: threat mitigated or closed while its finding is reported", report.contradictions.map { item in
            [item.threat, item.threatStatus?.rawValue ?? "?", item.link.displayName, "recorded \(item.link.status?.rawValue ?? "?")",
             item.finding.map { "\($0.path):\($0.line)" } ?? ""]
        }, styles: [1: style.red])
        section("Expired acceptances", report.expired.map { item in
            [item.threat, item.link.displayName, expiry(of: item, asOf: report.asOf), item.link.reason ?? ""]
        }, styles: [2: style.red])
        section("Acceptances not reviewed since written", report.unreviewed.map { item in
            [item.threat, item.link.displayName,
             item.written.map { "written in \($0.commit.prefix(12)) (\(Day(unixTime: $0.time)))" } ?? "not committed",
             item.lastReview.map { "last review \(Day(unixTime: $0.time))" } ?? "never reviewed"]
        }, styles: [3: style.yellow])
        section("Recorded fixed but reported again", report.back.map { item in
            [item.threat, item.link.displayName, item.finding.map { "\($0.path):\($0.line)" } ?? ""]
        }, styles: [2: style.yellow])
        section("Entries without a template whose resource is in several templates; they cover none", report.ambiguous.map { item in
            [item.threat, item.link.displayName, item.finding.map { "add template: \($0.path)  (\($0.path):\($0.line))" } ?? ""]
        }, styles: [2: style.yellow])
        return out
    }

    private static func table(_ rows: [[String]], styles: [Int: (String) -> String] = [:]) -> [String] {
        TextTable.indentedRows(rows, columnStyles: styles)
    }
}
