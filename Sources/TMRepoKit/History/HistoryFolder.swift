import Foundation
import TMGit
import ThreatModel

/// Folds commit records, oldest first, into per-threat histories: turns each record into a
/// `Revision` (threat facts from the parse store, renames paired by id) and applies it.
struct HistoryFolder: @unchecked Sendable {
    private(set) var reducer: HistoryReducer
    private let parsed: ParsedStore
    private let idPrefix: String
    /// Parses a blob the store does not have (rare: the store is filled before folding).
    private let load: (ObjectID, String) throws -> ParsedThreatFile
    /// Per blob: the threat id and the facts history needs, derived once.
    private var versions: [ObjectID: (id: String?, version: ThreatVersion?)] = [:]
    /// The last readable version of each threat, standing in for unreadable ones.
    private var lastKnown: [String: ThreatVersion] = [:]
    /// Per path of a threat file that cannot be read now: the commit since which it cannot.
    private(set) var unreadableSince: [String: CommitRef] = [:]
    /// Commits whose revisions are kept (the merge gate's range), and those revisions in order.
    let collect: Set<ObjectID>
    private(set) var collected: [Revision] = []

    init(parsed: ParsedStore, idPrefix: String, recordEvents: Bool, collect: Set<ObjectID> = [],
         load: @escaping (ObjectID, String) throws -> ParsedThreatFile) {
        reducer = HistoryReducer(recordEvents: recordEvents)
        self.collect = collect
        self.parsed = parsed
        self.idPrefix = idPrefix
        self.load = load
    }

    /// What the folder carries from one commit to the next, to persist a fold and continue it later.
    struct State: Equatable {
        let reducer: ReducerState
        let lastKnown: [String: ThreatVersion]
        let unreadableSince: [String: CommitRef]
    }

    /// nil when the fold keeps timelines or collects revisions (neither is persisted).
    var state: State? {
        guard collect.isEmpty, let reducer = reducer.state else { return nil }
        return State(reducer: reducer, lastKnown: lastKnown, unreadableSince: unreadableSince)
    }

    /// A folder (without timelines) that continues from `state`.
    init(restoring state: State, parsed: ParsedStore, idPrefix: String, load: @escaping (ObjectID, String) throws -> ParsedThreatFile) {
        self.init(parsed: parsed, idPrefix: idPrefix, recordEvents: false, load: load)
        reducer = HistoryReducer(restoring: state.reducer)
        lastKnown = state.lastKnown
        unreadableSince = state.unreadableSince
    }

    mutating func fold(_ records: [CommitRecord]) throws {
        for record in records {
            if record.threatFiles.isEmpty && record.reviewedIDs.isEmpty {
                reducer.noteActivity(author: record.author, committer: record.committer, time: record.time)
            } else {
                let revision = try revision(for: record)
                if collect.contains(record.id) { collected.append(revision) }
                reducer.apply(revision)
            }
        }
    }

    private func parse(_ blob: ObjectID, _ path: String) throws -> ParsedThreatFile {
        if let known = parsed[blob] { return known }
        let file = try load(blob, path)
        parsed.add(blob, file)
        return file
    }

    private func fileNameID(_ path: String) -> String? {
        ThreatParser.idInFileName(String(path.split(separator: "/").last ?? ""), prefix: idPrefix)
    }

    /// Turns a record into a revision: parses changed files and pairs renames by threat id.
    private mutating func revision(for record: CommitRecord) throws -> Revision {
        var removed: [String: (path: String, version: ThreatVersion?)] = [:]
        var added: [String: (path: String, version: ThreatVersion?)] = [:]
        var changes: [ThreatChange] = []
        var unreadable: [(path: String, message: String)] = []
        func read(_ blob: ObjectID, _ path: String) throws -> (id: String?, version: ThreatVersion?) {
            if let known = versions[blob] {
                return known.id != nil ? (known.id, known.version) : (fileNameID(path), nil)
            }
            // The facts history needs are stored apart in the cache, so the whole parse is not decoded.
            var entry: (id: String?, version: ThreatVersion?) = (nil, nil)
            if let facts = parsed.facts(blob) {
                entry = (facts.id, facts)
            } else if !parsed.contains(blob) {
                let file = try parse(blob, path)
                if let threat = file.threat, !threat.id.isEmpty {
                    entry = (threat.id, ThreatVersion(threat, materialDigest: file.materialDigest))
                }
            }
            versions[blob] = entry
            return entry.id != nil ? entry : (fileNameID(path), nil)
        }
        // The common case: one regular file edited in place, same id before and after.
        if record.threatFiles.count == 1, let delta = record.threatFiles.first, let oldBlob = delta.old, let newBlob = delta.new,
           delta.oldKind == .regular, delta.newKind == .regular, unreadableSince[delta.path] == nil {
            let before = try read(oldBlob, delta.path), after = try read(newBlob, delta.path)
            if let id = after.id, id == before.id, let new = after.version {
                let old = before.version ?? lastKnown[id]
                lastKnown[id] = new
                return Revision(id: record.id.hex, time: record.time, offsetMinutes: record.offsetMinutes, author: record.author,
                                committer: record.committer, reviewedIDs: record.reviewedIDs,
                                threatChanges: [ThreatChange(id: id, oldPath: delta.path, newPath: delta.path, old: old, new: new)])
            }
        }
        let ref = CommitRef(commit: record.id.hex, time: record.time, author: record.author)
        for delta in record.threatFiles {
            // A link or a submodule is never read: its "content" is a path or a commit id.
            let before = try delta.old.map { delta.oldKind == .regular ? try read($0, delta.path) : (id: fileNameID(delta.path), version: nil) }
            let after = try delta.new.map { delta.newKind == .regular ? try read($0, delta.path) : (id: fileNameID(delta.path), version: nil) }
            if let after, after.version == nil, let blob = delta.new {
                let message: String
                switch delta.newKind {
                case .symlink: message = "is a symbolic link; a threat file must be a regular file"
                case .submodule: message = "is a submodule (gitlink); a threat file must be a regular file"
                case .regular: message = try parse(blob, delta.path).diagnostics.first { $0.severity == .error }?.message ?? "cannot be read"
                }
                unreadable.append((delta.path, message))
                if unreadableSince[delta.path] == nil { unreadableSince[delta.path] = ref }
            } else {
                unreadableSince[delta.path] = nil
            }
            switch (before?.id, after?.id) {
            case let (old?, new?) where old == new:
                changes.append(ThreatChange(id: new, oldPath: delta.path, newPath: delta.path, old: before?.version, new: after?.version))
            default:
                if let old = before?.id { removed[old] = (delta.path, before?.version) }
                if let new = after?.id { added[new] = (delta.path, after?.version) }
            }
        }
        for (id, new) in added {
            let old = removed.removeValue(forKey: id)
            changes.append(ThreatChange(id: id, oldPath: old?.path, newPath: new.path, old: old?.version, new: new.version))
        }
        for (id, old) in removed {
            changes.append(ThreatChange(id: id, oldPath: old.path, newPath: nil, old: old.version, new: nil))
        }
        // A file that cannot be read carries no facts: keep the last version known for its id,
        // so that breaking and then fixing a file is not seen as retiring and re-creating a threat.
        var resolved: [ThreatChange] = []
        for change in changes.sorted(by: { $0.id < $1.id }) {
            let old = change.old ?? (change.oldPath != nil ? lastKnown[change.id] : nil)
            if change.newPath != nil && change.new == nil {
                continue   // unreadable now: no facts from this version
            }
            if change.newPath == nil && change.old == nil && change.oldPath != nil && lastKnown[change.id] == nil {
                continue   // an unreadable file went away
            }
            let fixed = ThreatChange(id: change.id, oldPath: change.oldPath, newPath: change.newPath, old: old, new: change.new)
            if let new = change.new { lastKnown[change.id] = new } else { lastKnown[change.id] = nil }
            resolved.append(fixed)
        }
        return Revision(id: record.id.hex, time: record.time, offsetMinutes: record.offsetMinutes,
                        author: record.author, committer: record.committer, reviewedIDs: record.reviewedIDs,
                        threatChanges: resolved, unreadableFiles: unreadable)
    }
}
