/// One entry of `tmrepo changelog`: a threat created or retired, or its severity or status changed.
public struct ChangelogEvent: Hashable, Sendable {
    public enum Field: String, Sendable {
        case created, retired, severity, status
        /// An element's template resource or deployed code changed (`id` is the element's, `to` the
        /// part, `title` the path): the threats on it are due for review.
        case elementChanged = "element-changed"
        /// A built-in check's finding appeared in a template version (`id` names the finding as
        /// `tmrepo assess` takes it, `to` its severity, `title` its message).
        case findingIntroduced = "finding-introduced"
        /// A finding of the previous template version is gone.
        case findingFixed = "finding-fixed"
    }

    public let id: String
    public let field: Field
    public let from: String?
    public let to: String?
    public let time: Int64
    public let commit: String
    public let author: String
    public let title: String?
    /// For `created`: the status the threat started with.
    public let initialStatus: String?

    public init(id: String, field: Field, from: String?, to: String?, time: Int64, commit: String, author: String, title: String?,
                initialStatus: String? = nil) {
        self.id = id
        self.field = field
        self.from = from
        self.to = to
        self.time = time
        self.commit = commit
        self.author = author
        self.title = title
        self.initialStatus = initialStatus
    }
}

extension ChangelogEvent {
    /// "severity high → critical", "created as medium", "retired"; the new value emphasised with `**` when `markdown`.
    public func change(markdown: Bool = false) -> String {
        let strong = { (value: String?) in markdown ? "**\(value ?? "?")**" : (value ?? "?") }
        switch field {
        case .created: return "created as \(strong(to))"
        case .retired: return "retired"
        case .severity: return "severity \(from ?? "?") → \(strong(to))"
        case .status: return "status \(from ?? "?") → \(strong(to))"
        case .elementChanged: return "element's \(to == ElementChange.Part.code.rawValue ? "code" : "resource definition") changed"
        case .findingIntroduced: return "\(strong(to)) finding introduced"
        case .findingFixed: return "\(from ?? "?") finding fixed"
        }
    }
}

public enum Changelog {
    /// Every severity and status change, creation and retirement, oldest first.
    /// `since`/`until` bound the commit time (inclusive); `threat` limits to one id.
    public static func events(histories: [String: ThreatHistory], titles: [String: String] = [:], since: Int64? = nil,
                              until: Int64? = nil, threat: String? = nil) -> [ChangelogEvent] {
        var out: [ChangelogEvent] = []
        for (id, history) in histories {
            if let threat, !ThreatID.same(id, threat) { continue }
            for event in history.events {
                let field: ChangelogEvent.Field, from: String?, to: String?
                var initial: String?
                switch event.kind {
                case let .created(severity, status):
                    (field, from, to) = (.created, nil, severity?.rawValue)
                    initial = status?.rawValue
                case .retired: (field, from, to) = (.retired, nil, nil)
                case let .severity(old, new): (field, from, to) = (.severity, old?.rawValue, new?.rawValue)
                case let .status(old, new): (field, from, to) = (.status, old?.rawValue, new?.rawValue)
                default: continue
                }
                if let since, event.ref.time < since { continue }
                if let until, event.ref.time > until { continue }
                out.append(ChangelogEvent(id: id, field: field, from: from, to: to, time: event.ref.time, commit: event.ref.commit,
                                          author: event.ref.author.email, title: titles[id], initialStatus: initial))
            }
        }
        return out.sorted { lhs, rhs in
            if lhs.time != rhs.time { return lhs.time < rhs.time }
            if lhs.id != rhs.id { return Model.idOrder(lhs.id, rhs.id) }
            return lhs.field.rawValue < rhs.field.rawValue
        }
    }

    /// Open threats per severity at the end of each month from the first event to `until`,
    /// replayed from the events: the series behind the report's stacked chart.
    public static func openBySeverityPerMonth(_ events: [ChangelogEvent], until: Int64) -> [(month: String, counts: [Severity: Int])] {
        guard let first = events.first else { return [] }
        var severity: [String: Severity] = [:]
        var status: [String: String] = [:]
        var live = Set<String>()
        var result: [(String, [Severity: Int])] = []
        var index = 0
        var month = Day(unixTime: first.time)
        month = Day(year: month.year, month: month.month, day: 1)!
        let last = Day(unixTime: until)
        while month <= last {
            let next = month.adding(months: 1)
            while index < events.count && events[index].time < next.unixTime {
                let event = events[index]
                switch event.field {
                case .created:
                    live.insert(event.id)
                    severity[event.id] = event.to.flatMap(Severity.init(rawValue:))
                    status[event.id] = event.initialStatus ?? "open"
                case .retired: live.remove(event.id)
                case .severity: severity[event.id] = event.to.flatMap(Severity.init(rawValue:))
                case .status: status[event.id] = event.to
                case .elementChanged: break   // an element's event, not a threat's
                case .findingIntroduced, .findingFixed: break   // a template finding, not a threat
                }
                index += 1
            }
            var counts: [Severity: Int] = [:]
            for id in live where status[id] == "open" || status[id] == "mitigated" {
                if let level = severity[id] { counts[level, default: 0] += 1 }
            }
            result.append((String(month.description.prefix(7)), counts))
            month = next
        }
        return result
    }
}
