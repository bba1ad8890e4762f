import Foundation
import TMGit
import ThreatModel

/// Folds the cached history that most likely applies (the newest segment chain leading to
/// HEAD) on another thread while the caller reads the HEAD model. The fold is used only if the
/// model read next confirms the same watched paths (`holds(tip:key:)`); otherwise it is dropped.
///
/// The chain's records are published as soon as they are decoded, so the calling thread can
/// index them for staleness (`index()`) while this one folds them.
final class SpeculativeFold: @unchecked Sendable {
    /// The tip the folded chain reaches and the key it was recorded under.
    let tip: ObjectID
    let key: HistoryCache.Key
    private let group = DispatchGroup()
    private let recordsReady = DispatchSemaphore(value: 0)
    private var decoded: [CommitRecord]?
    private var outcome: Result<(folder: HistoryFolder, records: [CommitRecord]), Error>?
    private var indexed: EvidenceIndex??

    private init(tip: ObjectID, key: HistoryCache.Key) {
        self.tip = tip
        self.key = key
    }

    /// Starts folding the newest chain of `cache` that ends at `head` or an ancestor of it on a
    /// second repository handle; nil when there is no such chain.
    static func start(cache: HistoryCache, head: ObjectID, repository: Repository, parsed: ParsedStore, idPrefix: String,
                      timelines: Bool, collecting: Set<ObjectID>) throws -> SpeculativeFold? {
        guard let newest = cache.segments.last?.key,
              let likely = try cache.chain(for: head, key: newest, isAncestor: { try repository.isDescendant(head, of: $0) }) else {
            return nil
        }
        let second = try repository.reopen()
        nonisolated(unsafe) let handle = second
        let fold = SpeculativeFold(tip: likely.tip, key: newest)
        DispatchQueue.global().async(group: fold.group) {
            fold.outcome = Result {
                var folder = HistoryFolder(parsed: parsed, idPrefix: idPrefix, recordEvents: timelines, collect: collecting) { blob, path in
                    ThreatParser.parse(path: path, bytes: try handle.blob(blob), idPrefix: idPrefix)
                }
                let started = DispatchTime.now()
                let records: [CommitRecord]
                do {
                    records = try HistoryCache.records(of: likely.segments)
                } catch {
                    fold.recordsReady.signal()
                    throw error
                }
                fold.decoded = records
                fold.recordsReady.signal()
                Trace.note("speculative fold: \(records.count) cached records decoded after \(Trace.milliseconds(since: started)) ms")
                try folder.fold(records)
                Trace.note("speculative fold: folded after \(Trace.milliseconds(since: started)) ms")
                return (folder, records)
            }
        }
        return fold
    }

    /// The staleness index of the chain's records, built on the calling thread as soon as they
    /// are decoded; nil when they could not be.
    func index() -> EvidenceIndex? {
        if let indexed { return indexed }
        recordsReady.wait()
        let started = DispatchTime.now()
        let index = decoded.map { EvidenceIndex(records: $0) }
        Trace.note("speculative index: built in \(Trace.milliseconds(since: started)) ms")
        indexed = .some(index)
        return index
    }

    /// Waits for the fold; rethrows what stopped it (a missing object, say).
    func result() throws -> (folder: HistoryFolder, records: [CommitRecord]) {
        group.wait()
        return try outcome!.get()
    }

    /// Whether the fold applies to a run whose usable chain reaches `tip` under `key`.
    func holds(tip: ObjectID, key: HistoryCache.Key) -> Bool {
        self.tip == tip && self.key == key
    }
}

/// Lists the commits reachable from HEAD on a second handle while the caller does other work
/// (used when the whole history will likely be walked).
final class BackgroundListing: @unchecked Sendable {
    private let group = DispatchGroup()
    private var listed: Result<[CommitInfo], Error>?

    init(repository: Repository, head: ObjectID) throws {
        let second = try repository.reopen()
        nonisolated(unsafe) let handle = second
        DispatchQueue.global().async(group: group) {
            let started = DispatchTime.now()
            self.listed = Result { try HistoryWalker.commits(in: handle, head: head, hiding: []) }
            Trace.note("commit listing: \(Trace.milliseconds(since: started)) ms")
        }
    }

    /// Waits for the listing and hands it over (it is not kept here); rethrows what stopped it.
    func commits() throws -> [CommitInfo] {
        group.wait()
        defer { listed = .success([]) }
        return try listed!.get()
    }
}

/// A value computed on another thread; `value()` waits for it.
final class BackgroundValue<Value>: @unchecked Sendable {
    private let group = DispatchGroup()
    private var result: Value?

    init(_ compute: @escaping @Sendable () -> Value) {
        DispatchQueue.global().async(group: group) { self.result = compute() }
    }

    func value() -> Value {
        group.wait()
        return result!
    }

    /// The value, given up by this holder: the caller's copy is the only one, so changing it copies nothing.
    func take() -> Value {
        group.wait()
        defer { result = nil }
        return result!
    }
}
