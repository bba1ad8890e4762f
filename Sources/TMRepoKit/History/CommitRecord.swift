import TMGit
import ThreatModel

/// A threat file a commit added, changed or removed (paths relative to the model root).
struct FileDelta: Sendable, Equatable {
    let path: String
    let old: ObjectID?
    let new: ObjectID?
}

/// What one commit contributes to the history, computed once and cached by commit id
/// (commits never change, so a record never goes stale).
struct CommitRecord: Sendable {
    let id: ObjectID
    let parents: [ObjectID]
    let rootTree: ObjectID
    let time: Int64
    let offsetMinutes: Int32
    let author: Identity
    let committer: Identity
    /// Ids named by `Reviewed-threat:` trailers.
    let reviewedIDs: [String]
    /// Threat files changed, compared with the first parent; for a merge, only files that
    /// differ from every parent (a change the merge itself made).
    let threatFiles: [FileDelta]
    /// Every path (repository-relative) changed by the same rule: evidence staleness reads these.
    let changedPaths: [String]
}
