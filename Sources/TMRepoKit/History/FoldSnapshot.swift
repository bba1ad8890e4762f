import Foundation
import TMGit
import ThreatModel

/// The folded history at one tip, persisted so that the next run folds only the commits made
/// since (O(new commits)) instead of decoding and re-folding every cached record. Kept beside the
/// history cache (`<git common dir>/tmrepo/fold.snapshot`), one file, replaced whole once
/// `refreshAfterCommits` commits have gathered after its tip or the cache was compacted; a
/// snapshot that is torn, damaged, of another format or made under another key is ignored and
/// replaced, never trusted.
///
/// It holds what the fold carries from commit to commit and nothing derived elsewhere: the
/// reducer's histories (without timelines), problems, activity and id spellings; the folder's last
/// known versions and unreadable paths; the staleness index's commits, parents and changed paths.
struct FoldSnapshot {
    /// Everything besides the commits that decides what a fold gives.
    struct Key: Equatable {
        /// Where the model is, its id prefix and the watched paths (the evidence globs' filter).
        let cache: HistoryCache.Key
        /// The tool and cache versions: what a parse yields and how the fold reads it.
        let tool: String

        init(cache: HistoryCache.Key, tool: String = Self.currentTool) {
            self.cache = cache
            self.tool = tool
        }

        static let currentTool = "tmrepo \(TMRepoVersion.current), cache \(HistoryCache.formatVersion), snapshot \(FoldSnapshotCodec.formatVersion)"
    }

    struct Header: Equatable {
        let key: Key
        /// The commit the fold reached: it holds every commit reachable from it, and no other.
        let tip: ObjectID
        let commitCount: Int
    }

    let header: Header
    let folder: HistoryFolder.State
    let index: EvidenceIndex.State

    /// Commits folded onto a restored snapshot before it is written again: writing it costs far
    /// more than folding a few records, so runs after each commit rewrite it only now and then.
    static let refreshAfterCommits = 128

    /// A snapshot larger than this is not written (a history that big is read from the cache).
    static let maximumBytes = 256 << 20

    static func location(for repository: Repository) -> String {
        repository.commonDirectory + "tmrepo/fold.snapshot"
    }

    /// Writes the snapshot in place of the one at `path` (atomically: a reader sees the old or the new).
    func save(to path: String) {
        let bytes = FoldSnapshotCodec.encode(self)
        guard bytes.count <= Self.maximumBytes else {
            Trace.note("fold snapshot: \(bytes.count) bytes is over the limit; not written")
            try? FileManager.default.removeItem(atPath: path)
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileSystem.writeAtomically(bytes, to: path)
        } catch {
            Trace.note("could not write the fold snapshot at \(path): \(error)")
        }
    }
}

/// Decodes the snapshot at `path` on another thread while the caller reads the HEAD model, when
/// its frame is sound and its tip is HEAD or an ancestor of it. The caller uses it only if the key
/// this run computes (after reading the model) is the snapshot's.
final class RestoredFold: @unchecked Sendable {
    let header: FoldSnapshot.Header
    private let decoding: BackgroundValue<Result<(folder: HistoryFolder.State, index: EvidenceIndex), Error>>

    private init(header: FoldSnapshot.Header, decoding: BackgroundValue<Result<(folder: HistoryFolder.State, index: EvidenceIndex), Error>>) {
        self.header = header
        self.decoding = decoding
    }

    /// nil when there is no snapshot, it is damaged, or its tip is not HEAD or an ancestor of it.
    static func start(path: String, head: ObjectID, repository: Repository) throws -> RestoredFold? {
        guard let bytes = FileSystem.contents(path) else { return nil }
        guard let (header, body) = FoldSnapshotCodec.header(bytes) else {
            Trace.note("fold snapshot at \(path) is damaged or from another version; ignoring it")
            return nil
        }
        guard try header.tip == head || repository.isDescendant(head, of: header.tip) else { return nil }
        let bodyReader = body
        return RestoredFold(header: header, decoding: BackgroundValue {
            let started = DispatchTime.now()
            defer { Trace.note("fold snapshot: decoded in \(Trace.milliseconds(since: started)) ms") }
            return Result {
                var reader = bodyReader
                let snapshot = try FoldSnapshotCodec.body(&reader, header: header)
                return (snapshot.folder, EvidenceIndex(restoring: snapshot.index))
            }
        })
    }

    /// The folded state and the staleness index; nil (and a trace note) when the body is malformed.
    func result() -> (folder: HistoryFolder.State, index: EvidenceIndex)? {
        switch decoding.value() {
        case .success(let state): return state
        case .failure:
            Trace.note("fold snapshot body is malformed; ignoring it")
            return nil
        }
    }
}
