/// Month-by-month series replayed from history, for the report's charts.
public enum Timelines {
    public struct Month: Sendable {
        public let label: String      // "2026-03"
        public let end: Int64         // the moment the month ends (exclusive), seconds since 1970
    }

    /// The months from the first event's month to the month of `until`, inclusive.
    public static func months(from first: Int64, until: Int64) -> [Month] {
        var start = Day(unixTime: first)
        start = Day(year: start.year, month: start.month, day: 1)!
        let last = Day(unixTime: until)
        var out: [Month] = []
        var month = start
        while month <= last {
            let next = month.adding(months: 1)
            out.append(Month(label: String(month.description.prefix(7)), end: min(next.unixTime, until)))
            month = next
        }
        return out
    }

    /// How many threats were overdue for review at the end of each month: live, not closed,
    /// and past (last review before then, or creation) + cadence for their severity at that time.
    public static func overduePerMonth(histories: [String: ThreatHistory], model: Model, months: [Month]) -> [Int] {
        struct Replay {
            var created: Int64
            var retired: Int64?
            var severities: [(Int64, Severity?)]
            var statuses: [(Int64, ThreatStatus?)]
            var reviews: [Int64]
            var every: Cadence?
        }
        let everyByID = Dictionary(model.threats.map { ($0.id, $0.reviewEvery) }, uniquingKeysWith: { first, _ in first })
        var replays: [Replay] = []
        for history in histories.values {
            guard let created = history.created else { continue }
            var replay = Replay(created: created.time, retired: history.retired?.time, severities: [], statuses: [],
                                reviews: history.reviews.map(\.ref.time).sorted(), every: everyByID[history.id] ?? nil)
            for event in history.events {
                switch event.kind {
                case let .created(severity, status):
                    replay.severities.append((event.ref.time, severity))
                    replay.statuses.append((event.ref.time, status))
                case let .severity(_, to): replay.severities.append((event.ref.time, to))
                case let .status(_, to): replay.statuses.append((event.ref.time, to))
                default: break
                }
            }
            replays.append(replay)
        }
        return months.map { month in
            let at = month.end
            let today = Day(unixTime: at - 1)
            var count = 0
            for replay in replays where replay.created < at && (replay.retired.map { $0 >= at } ?? true) {
                guard let status = replay.statuses.last(where: { $0.0 < at })?.1, status != .closed else { continue }
                guard let severity = replay.severities.last(where: { $0.0 < at })?.1 else { continue }
                let cadence = replay.every ?? model.config.cadence(for: severity)
                let since = replay.reviews.last(where: { $0 < at }) ?? replay.created
                if cadence.after(Day(unixTime: since)) < today { count += 1 }
            }
            return count
        }
    }
}
