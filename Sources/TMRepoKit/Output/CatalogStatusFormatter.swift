import ThreatModel

/// `status` for the catalog: assumptions and their reviews (text and the JSON `assumptions` key).
extension StatusFormatter {
    static func assumptionJSON(_ entry: AssumptionStatusEntry) -> JSON {
        let item = entry.assumption
        return .object([
            ("id", .string(item.id)), ("path", .string(item.path)), ("statement", .string(item.statement)), ("owner", .optional(item.owner)),
            ("links", .object([("threats", .strings(item.threats)), ("mitigations", .strings(item.mitigations))])),
            ("last_review", entry.lastReview.map { .string(ISOTime.format($0.ref.time)) } ?? .null),
            ("last_review_commit", entry.lastReview.map { .string($0.ref.commit) } ?? .null),
            ("last_review_via", entry.lastReview.map { .string($0.via.rawValue) } ?? .null),
            ("review_due", entry.reviewDue.map { .string($0.description) } ?? .null),
            ("overdue", .bool(entry.overdue)), ("days_overdue", .int(entry.daysOverdue)), ("due_soon", .bool(entry.dueSoon)),
        ])
    }

    /// The keys the catalog adds to the status document.
    static func catalogPairs(_ report: StatusReport) -> [(String, JSON)] {
        [("assumptions", .array(report.assumptions.map(assumptionJSON))),
         ("assumptions_overdue", .int(report.assumptions.filter(\.overdue).count))]
    }

    /// The text section: overdue assumptions, and those due soon.
    static func assumptionLines(_ report: StatusReport, style: Style) -> [String] {
        guard !report.assumptions.isEmpty else { return [] }
        let overdue = report.assumptions.filter(\.overdue)
        var out = ["", style.bold("Overdue assumptions (\(overdue.count) of \(report.assumptions.count))")]
        if overdue.isEmpty { out.append("  none") }
        for entry in overdue + report.assumptions.filter(\.dueSoon) {
            let when = entry.overdue ? style.red("\(entry.daysOverdue)d overdue") : "due \(entry.reviewDue!)"
            let last = entry.lastReview.map { "last \(Day(unixTime: $0.ref.time)) by \($0.reviewer)" } ?? "never reviewed"
            out.append("  \(entry.assumption.id)  \(when)  \(entry.assumption.owner ?? "-")  \(last)  \(TextEscaping.field(String(entry.assumption.statement.prefix(120))))")
        }
        return out
    }
}
