/// When a reviewed item (a threat, an assumption) is next due, judged on one day: one cadence after
/// its last review or, never reviewed, after the commit that added it; overdue the day after, and
/// "due soon" within the configured window before.
public struct ReviewSchedule: Sendable, Equatable {
    /// nil when the item is never due (no cadence, or nothing to count from).
    public let due: Day?
    public let daysOverdue: Int
    public let dueSoon: Bool
    public var overdue: Bool { daysOverdue > 0 }

    public init(lastReview: Review?, created: CommitRef?, cadence: Cadence?, today: Day, dueSoonWindow: Cadence) {
        due = Self.due(lastReview: lastReview, created: created, cadence: cadence)
        daysOverdue = due.map { max(0, today.daysSinceEpoch - $0.daysSinceEpoch) } ?? 0
        dueSoon = due.map { [daysOverdue] due in daysOverdue == 0 && dueSoonWindow.before(due) <= today } ?? false
    }

    /// The due day alone: one `cadence` after the last review, else after the creation.
    public static func due(lastReview: Review?, created: CommitRef?, cadence: Cadence?) -> Day? {
        let start = lastReview.map { Day(unixTime: $0.ref.time) } ?? created.map { Day(unixTime: $0.time) }
        return cadence.flatMap { cadence in start.map { cadence.after($0) } }
    }
}
