import TMGit
import ThreatModel

/// A threat file a commit added, changed or removed (paths relative to the model root).
struct FileDelta: Sendable, Equatable {
    /// What a side of the change is: only a regular file is ever read as a threat.
    enum Kind: UInt8, Sendable { case regular = 0, symlink = 1, submodule = 2 }

    let path: String
    let old: ObjectID?
    let new: ObjectID?
    var oldKind: Kind = .regular
    var newKind: Kind = .regular

    init(path: String, old: ObjectID?, new: ObjectID?, oldKind: Kind = .regular, newKind: Kind = .regular) {
        self.path = path
        self.old = old
        self.new = new
        self.oldKind = oldKind
        self.newKind = newKind
    }

    /// The blobs to parse: those of regular files (a link's blob is a path, a gitlink's id a commit).
    var regularBlobs: [ObjectID] {
        [oldKind == .regular ? old : nil, newKind == .regular ? new : nil].compactMap { $0 }
    }

    init(path: String, old: ObjectID?, new: ObjectID?, oldKind: EntryKind?, newKind: EntryKind?) {
        func kind(_ entry: EntryKind?) -> Kind { entry == .symlink ? .symlink : entry == .submodule ? .submodule : .regular }
        self.init(path: path, old: old, new: new, oldKind: kind(oldKind), newKind: kind(newKind))
    }
}

/// What one commit contributes to the history, computed once and cached by commit id
/// (commits never change, so a record never goes stale).
struct CommitRecord: Sendable, Equatable {
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
