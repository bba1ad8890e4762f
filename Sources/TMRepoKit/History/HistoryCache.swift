import Foundation
import TMGit
import ThreatModel

/// The persistent history cache, kept in the repository's git directory
/// (`<git common dir>/tmrepo/history.cache`). It holds one record per commit and one parse
/// result per threat-file blob, both keyed by object id, which never change meaning; so a
/// record, once computed, never goes wrong.
///
/// The file is a sequence of self-checking segments, appended to, never edited: a full segment
/// (every commit reachable from a tip) and then increments (the commits from one tip to the
/// next). An increment is appended under an exclusive lock; a reader needs no lock because it
/// checks every segment and ignores a torn last one. A segment chain is used only when it leads
/// to an ancestor of HEAD; anything else (rebase, force-push, another filter, damage) means a
/// fresh walk that still reuses every record whose commit is still there, and a rewritten file.
struct HistoryCache {
    /// Bump when the record format or what a parse produces changes. 15: earlier files may hold
    /// a commit twice, appended by a walk that dates going backwards let leak (`Repository.walk`).
    /// 17: a watched root (evidence `./`) is recorded as the path "", which earlier records lack.
    static let formatVersion: UInt64 = 17
    static let magic: [UInt8] = Array("TMRS".utf8)
    /// After this many segments the file is rewritten as one (increments and other branches' chains add up).
    static let compactAfterSegments = 32

    /// What the records depend on besides commit ids: where the model is and which paths are watched.
    struct Key: Equatable {
        let threatsFolder: String
        let modelPrefix: String
        let idPrefix: String
        let filter: String
    }

    /// One segment; its commit records are decoded on first use (often on another thread,
    /// while the HEAD model is read), so loading the cache costs little more than reading it.
    final class Segment: @unchecked Sendable {
        let key: Key
        /// The tip this segment continues from; nil for a full segment.
        let base: ObjectID?
        let tip: ObjectID
        private let recordsAt: BinaryReader
        private var decoded: [CommitRecord]?
        private let lock = NSLock()

        init(key: Key, base: ObjectID?, tip: ObjectID, recordsAt: BinaryReader) {
            self.key = key
            self.base = base
            self.tip = tip
            self.recordsAt = recordsAt
        }

        /// The records; a segment whose records cannot be decoded gives none (and the caller's
        /// chain then falls short of HEAD's ancestry check, so nothing wrong is used).
        func records() throws -> [CommitRecord] {
            try lock.withLock {
                if let decoded { return decoded }
                var reader = recordsAt
                let count = try reader.count()
                var records: [CommitRecord] = []
                records.reserveCapacity(count)
                for _ in 0..<count { records.append(try HistoryCacheCodec.readRecord(&reader)) }
                decoded = records
                return records
            }
        }
    }

    let path: String
    private(set) var segments: [Segment] = []
    let parsed: ParsedStore

    static func location(for repository: Repository) -> String {
        repository.commonDirectory + "tmrepo/history.cache"
    }

    /// Reads every valid segment of the model layout `layout` (its filter is not compared here).
    /// Not `trusted`: none (the file is then rewritten from a fresh walk).
    static func load(from path: String, layout: Key, trusted: Bool = true) -> HistoryCache {
        var cache = HistoryCache(path: path, parsed: ParsedStore())
        guard trusted, let bytes = FileSystem.contents(path) else { return cache }
        var offset = 0
        while offset < bytes.count {
            guard let (segment, end) = HistoryCacheCodec.readSegment(bytes, at: offset, into: cache.parsed) else {
                if offset == 0 || !cache.segments.isEmpty {
                    Trace.note("history cache: segment at byte \(offset) of \(path) is damaged or from another version; ignoring it and what follows")
                }
                break
            }
            let sameLayout = segment.key.threatsFolder == layout.threatsFolder && segment.key.modelPrefix == layout.modelPrefix
                && segment.key.idPrefix == layout.idPrefix
            if sameLayout { cache.segments.append(segment) }
            offset = end
        }
        return cache
    }

    /// The records from the newest segment chain that ends at `head` or at one of its ancestors,
    /// oldest first, with the tip they reach; nil when no usable chain exists.
    func chain(for head: ObjectID, key: Key, isAncestor: (ObjectID) throws -> Bool) rethrows -> (segments: [Segment], tip: ObjectID)? {
        for index in segments.indices.reversed() where segments[index].key == key {
            let last = segments[index]
            guard try last.tip == head || isAncestor(last.tip) else { continue }
            var parts = [last]
            var current = last
            var position = index
            while let base = current.base {
                guard let previous = segments[..<position].lastIndex(where: { $0.tip == base && $0.key == key }) else {
                    parts = []
                    break
                }
                position = previous
                current = segments[previous]
                parts.append(current)
            }
            if parts.isEmpty { continue }
            return (parts.reversed(), last.tip)
        }
        return nil
    }

    /// Every record made under `key`, by commit id (for reuse after a history rewrite). Records
    /// of another key watched other paths (a narrower evidence filter, say) and are never reused.
    func records(matching key: Key) -> [ObjectID: CommitRecord] {
        var out: [ObjectID: CommitRecord] = [:]
        for segment in segments where segment.key == key {
            for record in (try? segment.records()) ?? [] where out[record.id] == nil { out[record.id] = record }
        }
        return out
    }

    /// The records of a chain of segments, oldest first.
    static func records(of segments: [Segment]) throws -> [CommitRecord] {
        try segments.flatMap { try $0.records() }
    }

    /// Persists a run: an increment from the chain's tip to `head` when a chain was used (and
    /// anything is new), else one fresh full segment (also after too many increments).
    /// `allRecords` is asked for only then (a run that restored a fold snapshot has not decoded them).
    /// Returns whether the file was rewritten as one segment.
    @discardableResult
    func save(key: Key, chainTip: ObjectID?, head: ObjectID, newRecords: [CommitRecord], allRecords: () throws -> [CommitRecord]) -> Bool {
        if let chainTip, segments.count < Self.compactAfterSegments {
            if chainTip != head || !parsed.added.isEmpty {
                append(key: key, base: chainTip, tip: head, records: newRecords)
            }
            return false
        } else {
            // No usable chain, or too many increments: one fresh full segment.
            do {
                rewrite(key: key, tip: head, records: try allRecords())
            } catch {
                Trace.note("history cache: could not decode the records to compact (\(error)); not rewritten")
            }
            return true
        }
    }

    /// Appends an increment (`base` → `tip`) with the parse results added since loading.
    func append(key: Key, base: ObjectID, tip: ObjectID, records: [CommitRecord]) {
        let bytes = HistoryCacheCodec.encodeSegment(key: key, base: base, tip: tip, records: records, parsed: parsed.added)
        write { handle in
            handle.seekToEndOfFile()
            handle.write(Data(bytes))
        }
    }

    /// Replaces the file with one full segment holding every record and parse result.
    func rewrite(key: Key, tip: ObjectID, records: [CommitRecord]) {
        let bytes = HistoryCacheCodec.encodeSegment(key: key, base: nil, tip: tip, records: records, parsed: parsed.all())
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try FileSystem.writeAtomically(bytes, to: path)
        } catch {
            Trace.note("could not write the history cache at \(path): \(error)")
        }
    }

    /// Runs `body` on the cache file under an exclusive lock, so concurrent appends never interleave.
    private func write(_ body: (FileHandle) -> Void) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard descriptor >= 0 else {
            Trace.note("could not open the history cache at \(path) to append")
            return
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        guard flock(descriptor, LOCK_EX) == 0 else { return }
        body(handle)
        flock(descriptor, LOCK_UN)
    }
}
