import ThreatModel

public enum ChangelogFormat: String, CaseIterable, Sendable {
    case md, json, csv, text
}

/// `tmrepo changelog`: severity and status movements, grouped by month for people.
public enum ChangelogFormatter {
    public static func render(_ events: [ChangelogEvent], format: ChangelogFormat) -> String {
        switch format {
        case .json:
            return JSON.object([("version", .int(1)), ("events", .array(events.map(json)))]).render() + "\n"
        case .csv:
            return CSV.render(header: ["id", "field", "from", "to", "time", "commit", "author"],
                              rows: events.map { [$0.id, $0.field.rawValue, $0.from ?? "", $0.to ?? "", ISOTime.format($0.time), $0.commit, $0.author] })
        case .md, .text:
            return markdown(events)
        }
    }

    static func json(_ event: ChangelogEvent) -> JSON {
        var pairs: [(String, JSON)] = [
            ("id", .string(event.id)), ("field", .string(event.field.rawValue)), ("from", .optional(event.from)),
            ("to", .optional(event.to)), ("time", .string(ISOTime.format(event.time))), ("commit", .string(event.commit)),
            ("author", .string(event.author)),
        ]
        if let status = event.initialStatus { pairs.append(("status", .string(status))) }
        if event.field == .elementChanged { pairs.append(("path", .optional(event.title))) }
        if event.field == .findingIntroduced || event.field == .findingFixed { pairs.append(("message", .optional(event.title))) }
        return .object(pairs)
    }

    static func markdown(_ events: [ChangelogEvent]) -> String {
        guard !events.isEmpty else { return "No severity or status changes in this range.\n" }
        var lines = ["# Threat model changelog", ""]
        var month = ""
        for event in events {
            let thisMonth = String(Day(unixTime: event.time).description.prefix(7))
            if thisMonth != month {
                month = thisMonth
                let inMonth = events.filter { String(Day(unixTime: $0.time).description.prefix(7)) == month }
                let raised = inMonth.filter { $0.field == .severity && rank($0.to) < rank($0.from) }.count
                let lowered = inMonth.filter { $0.field == .severity && rank($0.to) > rank($0.from) }.count
                let created = inMonth.filter { $0.field == .created }.count
                let retired = inMonth.filter { $0.field == .retired }.count
                let elements = Set(inMonth.filter { $0.field == .elementChanged }.map(\.id)).count
                let introduced = inMonth.filter { $0.field == .findingIntroduced }.count
                let fixed = inMonth.filter { $0.field == .findingFixed }.count
                lines += ["", "## \(month)", "",
                          "\(created) created, \(retired) retired, severity raised \(raised)×, lowered \(lowered)×"
                            + (elements > 0 ? "; \(elements) element\(elements == 1 ? "" : "s") changed" : "")
                            + (introduced + fixed > 0 ? "; \(introduced) finding\(introduced == 1 ? "" : "s") introduced, \(fixed) fixed." : "."), ""]
            }
            let what = event.change(markdown: true)
            let title = event.title.map { " " + MarkdownText.inline($0) + (event.field == .elementChanged ? " (element)" : "") } ?? ""
            lines.append("- \(Day(unixTime: event.time)) **\(MarkdownText.inline(event.id))**\(title): \(what) — \(MarkdownText.inline(event.author)), `\(event.commit.prefix(10))`")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func rank(_ value: String?) -> Int { value.flatMap(Severity.init(rawValue:))?.rank ?? 99 }
}

/// `tmrepo log ID`: one threat's timeline.
public enum TimelineFormatter {
    public static func text(_ history: ThreatHistory, title: String?, style: Style) -> String {
        let safe = TextEscaping.field
        var lines = [style.bold("\(safe(history.id))\(title.map { "  " + safe($0) } ?? "")")]
        if let path = history.path { lines.append("path: \(safe(path))\(history.retired != nil ? " (retired)" : "")") }
        lines.append("")
        for event in history.events {
            lines.append("\(ISOTime.format(event.ref.time))  \(event.ref.commit.prefix(10))  \(safe(event.ref.author.email))  \(safe(describe(event.kind)))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ history: ThreatHistory) -> JSON {
        .object([
            ("version", .int(1)), ("id", .string(history.id)), ("path", .optional(history.path)),
            ("created", history.created.map { .string(ISOTime.format($0.time)) } ?? .null),
            ("retired", history.retired.map { .string(ISOTime.format($0.time)) } ?? .null),
            ("events", .array(history.events.map { event in
                .object([("time", .string(ISOTime.format(event.ref.time))), ("commit", .string(event.ref.commit)),
                         ("author", .string(event.ref.author.email)), ("path", .optional(event.path)),
                         ("event", .string(describe(event.kind)))] + fields(event.kind))
            })),
        ])
    }

    static func fields(_ kind: HistoryEvent.Kind) -> [(String, JSON)] {
        switch kind {
        case let .created(severity, status): [("kind", .string("created")), ("severity", .optional(severity?.rawValue)), ("status", .optional(status?.rawValue))]
        case .retired: [("kind", .string("retired"))]
        case let .renamed(from, to): [("kind", .string("renamed")), ("from", .string(from)), ("to", .string(to))]
        case let .severity(from, to): [("kind", .string("severity")), ("from", .optional(from?.rawValue)), ("to", .optional(to?.rawValue))]
        case let .status(from, to): [("kind", .string("status")), ("from", .optional(from?.rawValue)), ("to", .optional(to?.rawValue))]
        case let .owner(from, to): [("kind", .string("owner")), ("from", .optional(from)), ("to", .optional(to))]
        case .mitigationAdded(let id): [("kind", .string("mitigation-added")), ("mitigation", .string(id))]
        case .mitigationRemoved(let id): [("kind", .string("mitigation-removed")), ("mitigation", .string(id))]
        case let .mitigationStatus(id, from, to):
            [("kind", .string("mitigation-status")), ("mitigation", .string(id)), ("from", .optional(from?.rawValue)), ("to", .optional(to?.rawValue))]
        case let .mitigationVerified(id, day): [("kind", .string("mitigation-verified")), ("mitigation", .string(id)), ("on", .optional(day?.description))]
        case .edited: [("kind", .string("edited"))]
        case let .reviewed(via, by): [("kind", .string("reviewed")), ("via", .string(via.rawValue)), ("by", .string(by))]
        }
    }

    static func describe(_ kind: HistoryEvent.Kind) -> String {
        switch kind {
        case let .created(severity, status): "created (\(severity?.rawValue ?? "?"), \(status?.rawValue ?? "?"))"
        case .retired: "retired (file deleted)"
        case let .renamed(from, to): "renamed \(from) → \(to)"
        case let .severity(from, to): "severity \(from?.rawValue ?? "?") → \(to?.rawValue ?? "?")"
        case let .status(from, to): "status \(from?.rawValue ?? "?") → \(to?.rawValue ?? "?")"
        case let .owner(from, to): "owner \(from ?? "none") → \(to ?? "none")"
        case .mitigationAdded(let id): "mitigation \(id) added"
        case .mitigationRemoved(let id): "mitigation \(id) removed"
        case let .mitigationStatus(id, from, to): "mitigation \(id) \(from?.rawValue ?? "?") → \(to?.rawValue ?? "?")"
        case let .mitigationVerified(id, day): "mitigation \(id) verified \(day?.description ?? "")"
        case .edited: "edited"
        case let .reviewed(via, by): "reviewed by \(by) (\(via == .trailer ? "Reviewed-threat trailer" : "reviewed block"))"
        }
    }
}
