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
        let start = lastReview.map { Day(unixTime: $0.ref.time) } ?? created.map { Day(unixTime: $0.time) }
        due = cadence.flatMap { cadence in start.map { cadence.after($0) } }
        daysOverdue = due.map { max(0, today.daysSinceEpoch - $0.daysSinceEpoch) } ?? 0
        dueSoon = due.map { [daysOverdue] due in daysOverdue == 0 && dueSoonWindow.before(due) <= today } ?? false
    }
}
