import ThreatModel

/// The report's vulnerability part: open built-in findings by severity over time (beside the
/// threat chart), and the assessment (unassessed findings, contradictions, expired and
/// unreviewed acceptances, fixed findings reported again).
extension Report {
    /// Computes the assessment and the findings' history for the report (`sarif`: other scanners' findings).
    public mutating func addAssessment(location: ModelLocation, asOf: Int64, sarif: [(path: String, log: SARIFLog)] = []) throws {
        let scan = analysis.scan(asOf: asOf, sarif: sarif)
        assessment = try analysis.assessment(findings: scan.findings, asOf: asOf, location: location)
        findingEvents = try analysis.findingEvents(location: location, asOf: asOf, since: nil, until: asOf)
    }

    func findingSeries() -> [(month: String, counts: [Severity: Int])] {
        FindingTimeline.openBySeverityPerMonth(findingEvents, from: events.first?.time, until: status.asOf)
    }

    func chartFindingsBySeverity() -> String {
        let series = findingSeries()
        guard !findingEvents.isEmpty, !series.isEmpty else { return "" }
        let bars = Severity.allCases.map { severity in
            SVGChart.Series(name: severity.rawValue, color: Self.severityColors[severity]!, values: series.map { $0.counts[severity] ?? 0 })
        }
        return "<figure id=\"chart-findings-by-severity\">"
            + SVGChart.stackedBars(title: "Open findings by severity, end of each month", labels: series.map(\.month), series: bars)
            + "<figcaption>Built-in check findings in the templates at the end of each month, each template version scanned from git history.</figcaption></figure>"
    }

    func assessmentSection() -> String {
        guard let assessment, !assessment.findings.isEmpty || !assessment.isClean else { return "" }
        func table(_ header: [String], _ rows: [[String]]) -> String {
            guard !rows.isEmpty else { return "<p>None.</p>" }
            return "<table><thead><tr>" + header.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
                + rows.map { row in "<tr>" + row.map { "<td>\(HTML.escape($0))</td>" }.joined() + "</tr>" }.joined() + "</tbody></table>"
        }
        var out = "<section id=\"assessment\"><h2>Vulnerability assessment</h2>"
        out += "<p>\(assessment.findings.count) findings, \(assessment.assessedCount) linked to threats.</p>"
        out += "<h3>Unassessed findings (\(assessment.unassessed.count))</h3>"
        out += table(["Finding", "Severity", "Where", "Message"], assessment.unassessed.map {
            [AssessmentFormatter.name($0.key), $0.severity.rawValue, "\($0.path):\($0.line)", $0.message]
        })
        out += "<h3>Contradictions (\(assessment.contradictions.count))</h3>"
        out += table(["Threat", "Threat status", "Finding", "Recorded"], assessment.contradictions.map {
            [$0.threat, $0.threatStatus?.rawValue ?? "?", $0.link.displayName, $0.link.status?.rawValue ?? "?"]
        })
        out += "<h3>Expired acceptances (\(assessment.expired.count))</h3>"
        out += table(["Threat", "Finding", "Expired", "Reason"], assessment.expired.map {
            [$0.threat, $0.link.displayName, $0.lastDay?.description ?? "?", $0.link.reason ?? ""]
        })
        out += "<h3>Acceptances not reviewed since written (\(assessment.unreviewed.count))</h3>"
        out += table(["Threat", "Finding", "Written", "Last review"], assessment.unreviewed.map {
            [$0.threat, $0.link.displayName, $0.written.map { "\($0.commit.prefix(12)) (\(Day(unixTime: $0.time)))" } ?? "not committed",
             $0.lastReview.map { Day(unixTime: $0.time).description } ?? "never"]
        })
        if !assessment.back.isEmpty {
            out += "<h3>Recorded fixed but reported again (\(assessment.back.count))</h3>"
            out += table(["Threat", "Finding", "Where"], assessment.back.map {
                [$0.threat, $0.link.displayName, $0.finding.map { "\($0.path):\($0.line)" } ?? ""]
            })
        }
        return out + "</section>"
    }

    func assessmentMarkdown() -> [String] {
        guard let assessment, !assessment.findings.isEmpty || !assessment.isClean else { return [] }
        let cell = MarkdownText.inline
        var lines = ["## Vulnerability assessment", "", "\(assessment.findings.count) findings, \(assessment.assessedCount) linked to threats.", ""]
        lines += ["### Unassessed findings (\(assessment.unassessed.count))", ""]
        lines += assessment.unassessed.isEmpty ? ["None.", ""]
            : assessment.unassessed.map { "- \(cell(AssessmentFormatter.name($0.key))) (\($0.severity.rawValue)): \(cell($0.message))" } + [""]
        lines += ["### Contradictions (\(assessment.contradictions.count))", ""]
        lines += assessment.contradictions.isEmpty ? ["None.", ""]
            : assessment.contradictions.map { "- \(cell($0.threat)) is \($0.threatStatus?.rawValue ?? "?") but \(cell($0.link.displayName)) is still reported" } + [""]
        lines += ["### Expired acceptances (\(assessment.expired.count))", ""]
        lines += assessment.expired.isEmpty ? ["None.", ""]
            : assessment.expired.map { "- \(cell($0.threat)): \(cell($0.link.displayName)) expired \($0.lastDay?.description ?? "?")" } + [""]
        lines += ["### Acceptances not reviewed since written (\(assessment.unreviewed.count))", ""]
        lines += assessment.unreviewed.isEmpty ? ["None.", ""]
            : assessment.unreviewed.map { "- \(cell($0.threat)): \(cell($0.link.displayName))" } + [""]
        let series = findingSeries()
        if !findingEvents.isEmpty, !series.isEmpty {
            lines += ["### Open findings over time", "", "| month | " + Severity.allCases.map(\.rawValue).joined(separator: " | ") + " |",
                      "| --- |" + String(repeating: " ---: |", count: Severity.allCases.count)]
            lines += series.map { month in "| \(month.month) | " + Severity.allCases.map { String(month.counts[$0] ?? 0) }.joined(separator: " | ") + " |" }
            lines.append("")
        }
        return lines
    }
}
