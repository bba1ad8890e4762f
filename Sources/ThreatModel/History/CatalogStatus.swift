/// What git history tells about one catalog item (found by the app layer, judged here).
public struct CatalogItemFacts: Hashable, Sendable {
    /// The commit that added the item's file (at its current path).
    public var created: CommitRef?
    /// Reviews: `Reviewed-assumption:` / `Reviewed-mitigation:` trailers and changes of the `reviewed` block.
    public var reviews: [Review]
    /// The last commit that set `verified` to the value it has now.
    public var verifiedSetBy: CommitRef?
    /// The last commit that set the status to implemented or verified.
    public var implementedSetBy: CommitRef?

    public init(created: CommitRef? = nil, reviews: [Review] = [], verifiedSetBy: CommitRef? = nil, implementedSetBy: CommitRef? = nil) {
        self.created = created
        self.reviews = reviews
        self.verifiedSetBy = verifiedSetBy
        self.implementedSetBy = implementedSetBy
    }

    public mutating func addReview(ref: CommitRef, byTrailer: Bool, reviewer: String) {
        reviews.append(Review(ref: ref, via: byTrailer ? .trailer : .reviewedBlock, reviewer: reviewer))
    }

    /// The latest review at or before `moment` (commit time counts, as for threats).
    public func lastReview(asOf moment: Int64) -> Review? {
        Review.latest(of: reviews, asOf: moment)
    }
}

/// History facts of the catalog, by `ThreatID.key` of each item's id.
public struct CatalogFacts: Sendable {
    public var items: [String: CatalogItemFacts]

    public init(items: [String: CatalogItemFacts] = [:]) {
        self.items = items
    }

    public subscript(id: String) -> CatalogItemFacts? { items[ThreatID.key(id)] }
}

/// The review state of one assumption: due one cadence after its last review (or, never
/// reviewed, after the commit that added it); overdue the day after.
public struct AssumptionStatusEntry: Sendable {
    public let assumption: Assumption
    public let created: CommitRef?
    public let lastReview: Review?
    public let reviewDue: Day?
    public let overdue: Bool
    public let daysOverdue: Int
    public let dueSoon: Bool

    public static func entries(model: Model, facts: CatalogFacts, asOf: Int64) -> [AssumptionStatusEntry] {
        let today = Day(unixTime: asOf)
        let config = model.config
        let entries = model.assumptions.map { assumption -> AssumptionStatusEntry in
            let known = facts[assumption.id]
            let lastReview = known?.lastReview(asOf: asOf)
            let schedule = ReviewSchedule(lastReview: lastReview, created: known?.created, cadence: config.cadence(for: assumption),
                                          today: today, dueSoonWindow: config.dueSoon)
            return AssumptionStatusEntry(assumption: assumption, created: known?.created, lastReview: lastReview, reviewDue: schedule.due,
                                         overdue: schedule.overdue, daysOverdue: schedule.daysOverdue, dueSoon: schedule.dueSoon)
        }
        // Most overdue first, then by id.
        return entries.sorted { ($0.overdue ? 0 : 1, -$0.daysOverdue) != ($1.overdue ? 0 : 1, -$1.daysOverdue)
            ? ($0.overdue ? 0 : 1, -$0.daysOverdue) < ($1.overdue ? 0 : 1, -$1.daysOverdue) : Model.idOrder($0.assumption.id, $1.assumption.id) }
    }
}
