/// What a `HistoryReducer` without timelines carries from one revision to the next: enough to
/// persist a fold and continue it later, with the very result folding everything again gives.
/// (Timelines are not part of it: a reducer that records events has no state to persist.)
public struct ReducerState: Sendable, Equatable {
    public var histories: [String: ThreatHistory]
    public var problems: [HistoryProblem]
    /// The last commit time per email as written (see `HistoryReducer.lastActivity`).
    public var activity: [String: Int64]
    /// `ThreatID.key` → id as first seen.
    public var canonicalID: [String: String]

    public init(histories: [String: ThreatHistory], problems: [HistoryProblem], activity: [String: Int64],
                canonicalID: [String: String]) {
        self.histories = histories
        self.problems = problems
        self.activity = activity
        self.canonicalID = canonicalID
    }
}

extension HistoryReducer {
    /// The state to persist; nil for a reducer that records events (they are not persisted).
    public var state: ReducerState? {
        recordEvents ? nil : ReducerState(histories: histories, problems: problems, activity: activity, canonicalID: canonicalID)
    }

    /// A reducer (without timelines) that continues from `state`.
    public init(restoring state: ReducerState) {
        self.init(recordEvents: false)
        histories = state.histories
        problems = state.problems
        activity = state.activity
        canonicalID = state.canonicalID
    }
}

extension ThreatHistory {
    /// A history as persisted: everything but the timeline.
    public init(id: String, created: CommitRef?, retired: CommitRef?, path: String?, reviews: [Review],
                lastMaterialChange: CommitRef?, verifiedSetBy: [String: [Day: CommitRef]], implementedSetBy: [String: CommitRef]) {
        self.init(id: id)
        self.created = created
        self.retired = retired
        self.path = path
        self.reviews = reviews
        self.lastMaterialChange = lastMaterialChange
        self.verifiedSetBy = verifiedSetBy
        self.implementedSetBy = implementedSetBy
    }
}

extension Review {
    public init(persisted ref: CommitRef, via: Via, reviewer: String) {
        self.init(ref: ref, via: via, reviewer: reviewer)
    }
}

extension HistoryProblem {
    public init(persisted commit: String, path: String, message: String, rule: String) {
        self.init(commit: commit, path: path, message: message, rule: rule)
    }
}
