import Foundation
import ThreatModel

public enum StatusFormat: String, CaseIterable, Sendable {
    case text, json
}

/// Renders `tmrepo status`. JSON follows the v1 contract (keys are only ever added).
public enum StatusFormatter {
    public static func json(_ report: StatusReport, entries: [ThreatStatusEntry], includeThreats: Bool = true,
                            assessment: AssessmentReport? = nil) -> JSON {
        .object([
            ("version", .int(1)),
            ("as_of", .string(ISOTime.format(report.asOf))),
            ("head", .string(report.head)),
            ("summary", .object([
                ("threats", .int(entries.count)),
                ("overdue", .int(count(entries) { $0.overdue })),
                ("due_soon", .int(count(entries) { $0.dueSoon })),
                ("never_reviewed", .int(count(entries) { $0.lastReview == nil && $0.reviewDue != nil })),
                ("stale_mitigations", .int(entries.reduce(0) { $0 + ($1.staleMitigations.isEmpty ? 0 : Set($1.staleMitigations.map(\.id)).count) })),
                ("ownership_gaps", .int(count(entries) { $0.ownershipProblem != nil })),
                ("unreadable", .int(report.unreadable.count)),
                ("element_changed", .int(count(entries) { $0.elementChanged != nil })),
                ("unmodeled_resources", .int(report.system?.unmodeled.count ?? 0)),
            ])),
            ("counts", .object([
                ("severity", .object(Severity.allCases.map { severity in (severity.rawValue, .int(count(entries) { $0.threat.severity == severity })) })),
                ("status", .object(ThreatStatus.allCases.map { status in (status.rawValue, .int(count(entries) { $0.threat.status == status })) })),
            ])),
            ("threats", .array(includeThreats ? entries.map(entryJSON) : [])),
            ("owners_inactive", .array(report.inactiveOwners.map { owner in
                .object([("team", .string(owner.team)), ("email", .string(owner.email)),
                         ("last_commit", owner.lastCommit.map { .string(ISOTime.format($0)) } ?? .null)])
            })),
            ("problems", .array(report.problems.map { diagnosticJSON($0) })),
            ("system", report.system.map(systemJSON) ?? .null),
            ("unreadable", .array(report.unreadable.map { item in
                .object([("path", .string(item.file.path)), ("id", .optional(item.threatID)),
                         ("since", item.since.map { .string($0.commit) } ?? .null),
                         ("since_time", item.since.map { .string(ISOTime.format($0.time)) } ?? .null),
                         ("rule", .string(item.file.problem.rule)), ("message", .string(item.file.problem.message))])
            })),
            ("assessment", assessment.map(AssessmentFormatter.json) ?? .null),
        ] + catalogPairs(report))
    }

    /// The same document as `json(_:entries:)`, written without building the tree (large models).
    public static func jsonBytes(_ report: StatusReport, entries: [ThreatStatusEntry], assessment: AssessmentReport? = nil) -> [UInt8] {
        // Everything but the threats' list as a tree (the summary and counts need the entries).
        let document = json(report, entries: entries, includeThreats: false, assessment: assessment)
        guard case .object(let pairs) = document else { return document.bytes() }
        var writer = JSONStreamWriter(capacity: entries.count * 900 + 4096)
        writer.objectStart()
        for (name, value) in pairs {
            writer.key(name)
            if name == "threats" {
                writer.arrayStart()
                // Entries are independent: written in chunks on the machine's cores, then joined.
                let chunks = min(max(1, ProcessInfo.processInfo.activeProcessorCount), 4, max(1, entries.count / 1_000))
                let size = (entries.count + chunks - 1) / chunks
                let slots = Slots<JSONStreamWriter>(count: chunks)
                let start = writer
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    var part = start.elementWriter(afterOthers: chunk > 0, capacity: size * 900)
                    for entry in entries[min(entries.count, chunk * size)..<min(entries.count, (chunk + 1) * size)] {
                        part.element()
                        write(entry, into: &part)
                    }
                    slots[chunk] = part
                }
                for part in slots.values { writer.append(elementsOf: part!) }
                writer.arrayEnd()
            } else {
                writer.value(value)
            }
        }
        writer.objectEnd()
        return writer.bytes
    }

    static func write(_ entry: ThreatStatusEntry, into writer: inout JSONStreamWriter) {
        let threat = entry.threat
        writer.objectStart()
        writer.key("id"); writer.string(threat.id)
        writer.key("path"); writer.string(threat.path)
        writer.key("title"); writer.string(threat.title)
        writer.key("severity"); writer.optional(threat.severity?.rawValue)
        writer.key("status"); writer.optional(threat.status?.rawValue)
        writer.key("owner"); writer.optional(threat.owner)
        writer.key("created"); writer.optional(entry.created.map { ISOTime.format($0.time) })
        writer.key("last_review"); writer.optional(entry.lastReview.map { ISOTime.format($0.ref.time) })
        writer.key("last_reviewer"); writer.optional(entry.lastReview?.reviewer)
        writer.key("last_review_commit"); writer.optional(entry.lastReview?.ref.commit)
        writer.key("review_due"); writer.optional(entry.reviewDue?.description)
        writer.key("overdue"); writer.bool(entry.overdue)
        writer.key("days_overdue"); writer.int(entry.daysOverdue)
        writer.key("due_soon"); writer.bool(entry.dueSoon)
        writer.key("stale_mitigations")
        writer.arrayStart()
        for stale in entry.staleMitigations {
            writer.element()
            writer.objectStart()
            writer.key("id"); writer.string(stale.id)
            writer.key("reason"); writer.string(stale.reason.rawValue)
            if let commit = stale.commit { writer.key("commit"); writer.string(commit) }
            if let verifiedIn = stale.verifiedIn { writer.key("verified_in"); writer.string(verifiedIn) }
            writer.objectEnd()
        }
        writer.arrayEnd()
        writer.key("ownership_problem"); writer.optional(entry.ownershipProblem)
        writer.key("element_changed")
        if let change = entry.elementChanged { writer.value(elementChangeJSON(change)) } else { writer.null() }
        writer.objectEnd()
    }

    static func count(_ entries: [ThreatStatusEntry], where matches: (ThreatStatusEntry) -> Bool) -> Int {
        entries.reduce(0) { $0 + (matches($1) ? 1 : 0) }
    }

    static func entryJSON(_ entry: ThreatStatusEntry) -> JSON {
        let threat = entry.threat
        return .object([
            ("id", .string(threat.id)), ("path", .string(threat.path)), ("title", .string(threat.title)),
            ("severity", .optional(threat.severity?.rawValue)), ("status", .optional(threat.status?.rawValue)),
            ("owner", .optional(threat.owner)),
            ("created", entry.created.map { .string(ISOTime.format($0.time)) } ?? .null),
            ("last_review", entry.lastReview.map { .string(ISOTime.format($0.ref.time)) } ?? .null),
            ("last_reviewer", .optional(entry.lastReview?.reviewer)),
            ("last_review_commit", .optional(entry.lastReview?.ref.commit)),
            ("review_due", .optional(entry.reviewDue?.description)),
            ("overdue", .bool(entry.overdue)),
            ("days_overdue", .int(entry.daysOverdue)),
            ("due_soon", .bool(entry.dueSoon)),
            ("stale_mitigations", .array(entry.staleMitigations.map { stale in
                var pairs: [(String, JSON)] = [("id", .string(stale.id)), ("reason", .string(stale.reason.rawValue))]
                if let commit = stale.commit { pairs.append(("commit", .string(commit))) }
                if let verifiedIn = stale.verifiedIn { pairs.append(("verified_in", .string(verifiedIn))) }
                return .object(pairs)
            })),
            ("ownership_problem", .optional(entry.ownershipProblem)),
            ("element_changed", entry.elementChanged.map(elementChangeJSON) ?? .null),
        ])
    }

    /// The drift between templates and elements.yml (status and check share it).
    public static func systemJSON(_ drift: SystemDrift) -> JSON {
        .object([
            ("templates", .array(drift.templatePaths.map { .string($0) })),
            ("unmodeled", .array(drift.unmodeled.map { item in
                let element = item.discovered
                return .object([("resource", .optional(element.resource?.description)), ("type", .optional(element.resourceType)),
                                ("kind", .string(element.kind.rawValue)), ("line", .int(element.line)), ("suggested_id", .string(element.id)),
                                ("added_in", .optional(item.addedIn?.commit)),
                                ("added_time", item.addedIn.map { .string(ISOTime.format($0.time)) } ?? .null)])
            })),
            ("missing_resources", .array(drift.missingResources.map { item in
                .object([("element", .string(item.element.id)), ("resource", .string(item.link.description)), ("reason", .string(item.reason))])
            })),
        ])
    }

    static func elementChangeJSON(_ change: ElementChange) -> JSON {
        .object([("element", .string(change.element)), ("commit", .string(change.commit)),
                 ("part", .string(change.part.rawValue)), ("path", .string(change.path))])
    }

    public static func text(_ report: StatusReport, entries: [ThreatStatusEntry], commitCount: Int, style: Style,
                            assessment: AssessmentReport? = nil) -> String {
        var out: [String] = []
        out.append(style.bold("Threat model status as of \(ISOTime.format(report.asOf))") + "  (HEAD \(report.head.prefix(12)), \(commitCount) commits)")
        var counts: [String] = []
        for severity in Severity.allCases {
            let n = entries.filter { $0.threat.severity == severity }.count
            if n > 0 { counts.append("\(n) \(severity.rawValue)") }
        }
        var statuses: [String] = []
        for status in ThreatStatus.allCases {
            let n = entries.filter { $0.threat.status == status }.count
            if n > 0 { statuses.append("\(n) \(status.rawValue)") }
        }
        out.append("\(entries.count) threats: \(counts.joined(separator: ", ")); \(statuses.joined(separator: ", "))"
            + (report.unreadable.isEmpty ? "" : "; " + style.red("\(report.unreadable.count) unreadable")))
        if !report.unreadable.isEmpty {
            out.append("")
            out.append(style.bold("Unreadable threat files (\(report.unreadable.count))"))
            out += table(report.unreadable.map { item in
                [item.threatID ?? "?", item.file.path,
                 item.since.map { "since \($0.commit.prefix(12)) (\(Day(unixTime: $0.time)))" } ?? "",
                 style.red(item.file.problem.message)]
            })
        }

        if let drift = report.system, !drift.isEmpty {
            out.append("")
            out.append(style.bold("Unmodeled attack surface (\(drift.unmodeled.count)) and elements whose resource is gone (\(drift.missingResources.count))"))
            out += table(drift.unmodeled.map { item in
                let element = item.discovered
                let added = item.addedIn.map { "added in \($0.commit.prefix(12)) (\(Day(unixTime: $0.time)))" } ?? ""
                return [element.resource?.logicalId ?? element.id, element.resourceType ?? element.kind.rawValue, added,
                        "is not in elements.yml (\(element.resource?.path ?? ""):\(element.line))"]
            }, columnStyles: [3: style.yellow])
            out += table(drift.missingResources.map { [$0.element.id, $0.link.description, $0.reason] }, columnStyles: [2: style.yellow])
        }

        let overdue = entries.filter(\.overdue)
        out.append("")
        out.append(style.bold("Overdue reviews (\(overdue.count))"))
        if overdue.isEmpty { out.append("  none") }
        out += table(overdue.map { entry in
            [entry.threat.id, entry.threat.severity?.rawValue ?? "?", "\(entry.daysOverdue)d overdue", entry.threat.owner ?? "-",
             entry.lastReview.map { "last \(Day(unixTime: $0.ref.time)) by \($0.reviewer)" } ?? "never reviewed", entry.threat.title]
        }, columnStyles: [2: style.red])
        let changed = entries.filter { $0.elementChanged != nil }
        if !changed.isEmpty {
            out.append("")
            out.append(style.bold("Due: element changed after the last review (\(changed.count))"))
            out += table(changed.map { entry in
                [entry.threat.id, entry.threat.severity?.rawValue ?? "?", entry.elementChanged!.summary, entry.threat.owner ?? "-", entry.threat.title]
            }, columnStyles: [2: style.yellow])
        }
        let soon = entries.filter(\.dueSoon)
        if !soon.isEmpty {
            out.append("")
            out.append(style.bold("Due soon (\(soon.count))"))
            out += table(soon.map { entry in
                [entry.threat.id, entry.threat.severity?.rawValue ?? "?", "due \(entry.reviewDue!)", entry.threat.owner ?? "-", entry.threat.title]
            })
        }
        let stale = entries.filter { !$0.staleMitigations.isEmpty }
        out.append("")
        out.append(style.bold("Stale mitigations (\(stale.reduce(0) { $0 + Set($1.staleMitigations.map(\.id)).count }))"))
        if stale.isEmpty { out.append("  none") }
        var staleRows: [[String]] = []
        for entry in stale {
            for mitigation in entry.staleMitigations {
                let why = mitigation.reason == .evidenceChanged
                    ? "evidence changed in \(mitigation.commit?.prefix(12) ?? "?") after verification"
                    : "verification older than the review cadence"
                let title = entry.threat.mitigations.first { $0.id == mitigation.id }?.title ?? ""
                staleRows.append([entry.threat.id + "/" + mitigation.id, why, title])
            }
        }
        out += table(staleRows, columnStyles: [1: style.yellow])
        let unowned = entries.filter { $0.ownershipProblem != nil }
        if !unowned.isEmpty {
            out.append("")
            out.append(style.bold("Ownership gaps (\(unowned.count))"))
            out += table(unowned.map { [$0.threat.id, $0.ownershipProblem!, $0.threat.title] })
        }
        if !report.inactiveOwners.isEmpty {
            out.append("")
            out.append(style.bold("Owners with no commit for \(StatusReport.inactiveAfterDays) days (\(report.inactiveOwners.count))"))
            out += table(report.inactiveOwners.map { [$0.team, $0.email, $0.lastCommit.map { "last commit \(Day(unixTime: $0))" } ?? "no commit in this repository"] })
        }
        out += assumptionLines(report, style: style)
        if let assessment, !assessment.findings.isEmpty || assessment.assessedCount > 0 || !assessment.isClean {
            out += AssessmentFormatter.textLines(assessment, style: style)
        }
        if !report.problems.isEmpty {
            let errors = report.problems.filter { $0.severity == .error }.count
            out.append("")
            out.append(style.bold("Problems (\(errors) errors, \(report.problems.count - errors) warnings)"))
            for problem in report.problems.prefix(10) { out.append("  " + problem.formatted) }
            if report.problems.count > 10 { out.append("  … \(report.problems.count - 10) more: run 'tmrepo lint'") }
        }
        return out.joined(separator: "\n") + "\n"
    }

    private static func table(_ rows: [[String]], columnStyles: [Int: (String) -> String] = [:]) -> [String] {
        TextTable.indentedRows(rows, columnStyles: columnStyles)
    }
}
