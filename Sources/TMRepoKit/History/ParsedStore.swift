import Foundation
import TMGit
import ThreatModel

/// Parse results by blob id: those read from the cache are decoded on first use; those
/// computed in this run are kept apart so that only they are appended to the cache.
/// Thread-safe: the model read and a history fold may use it at the same time.
final class ParsedStore: @unchecked Sendable {
    /// A parse kept by reference: a `ParsedThreatFile` is several hundred bytes, and tables of
    /// tens of thousands of them held inline (with a dictionary's spare capacity) cost tens of MB.
    private final class Entry {
        let file: ParsedThreatFile
        init(_ file: ParsedThreatFile) { self.file = file }
    }

    private var decoded: [ObjectID: Entry] = [:]
    private var lazy: [ObjectID: BinaryReader] = [:]
    private var addedEntries: [(ObjectID, Entry)] = []
    private let lock = NSLock()

    var added: [(ObjectID, ParsedThreatFile)] { lock.withLock { addedEntries.map { ($0.0, $0.1.file) } } }

    /// Room for `count` more cached entries, so that remembering them does not rehash as it grows.
    func reserve(_ count: Int) {
        lock.withLock { lazy.reserveCapacity(lazy.count + count) }
    }

    func remember(_ blob: ObjectID, reader: BinaryReader) {
        lock.withLock {
            if lazy[blob] == nil && decoded[blob] == nil { lazy[blob] = reader }
        }
    }

    /// The parse of `blob`, with whatever path it was made or first read for.
    subscript(blob: ObjectID) -> ParsedThreatFile? { file(blob, at: nil) }

    /// The parse of `blob` as the file at `path`. One read from the cache is decoded on first use,
    /// with that path (so the usual caller, the HEAD model, gets it without a second copy to move
    /// it), and kept.
    func file(_ blob: ObjectID, at path: String?) -> ParsedThreatFile? {
        let (known, pending): (ParsedThreatFile?, BinaryReader?) = lock.withLock {
            if let entry = decoded[blob] { return (entry.file, nil) }
            return (nil, lazy[blob])
        }
        if let known { return path.map { known.moved(to: $0) } ?? known }
        guard var reader = pending else { return nil }
        // Decoded outside the lock; two threads decoding the same entry get equal results. An
        // entry not read exactly whole is damaged: the blob is parsed again from git instead.
        guard let file = try? ParsedFileCodec.readParsed(&reader, path: path ?? ""), reader.isAtEnd else { return nil }
        lock.withLock {
            decoded[blob] = Entry(file)
            lazy[blob] = nil
        }
        return file
    }

    func contains(_ blob: ObjectID) -> Bool { lock.withLock { decoded[blob] != nil || lazy[blob] != nil } }

    /// Only the facts history needs, read without decoding the whole parse; nil when the blob is
    /// unknown here or holds no readable threat.
    func facts(_ blob: ObjectID) -> ThreatVersion? {
        let (file, pending): (ParsedThreatFile?, BinaryReader?) = lock.withLock { (decoded[blob]?.file, lazy[blob]) }
        if let file {
            guard let threat = file.threat, !threat.id.isEmpty else { return nil }
            return ThreatVersion(threat, materialDigest: file.materialDigest)
        }
        guard var reader = pending else { return nil }
        return try? ParsedFileCodec.readFacts(&reader)
    }

    func add(_ blob: ObjectID, _ file: ParsedThreatFile) {
        lock.withLock {
            guard decoded[blob] == nil && lazy[blob] == nil else { return }
            let entry = Entry(file)
            decoded[blob] = entry
            addedEntries.append((blob, entry))
        }
    }

    var count: Int { lock.withLock { decoded.count + lazy.count } }

    /// Every result, decoding what is still lazy (for a full rewrite).
    func all() -> [(ObjectID, ParsedThreatFile)] {
        for blob in lock.withLock({ Array(lazy.keys) }) { _ = self[blob] }
        return lock.withLock { decoded.sorted { $0.key < $1.key }.map { ($0.key, $0.value.file) } }
    }
}

/// Notes for whoever debugs performance or the cache: printed only when TMREPO_TRACE is set.
enum Trace {
    static let enabled = ProcessInfo.processInfo.environment["TMREPO_TRACE"] != nil

    static func note(_ message: @autoclosure () -> String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("tmrepo: \(message())\n".utf8))
    }

    /// Whole milliseconds since `start`, for the notes that time a step.
    static func milliseconds(since start: DispatchTime) -> UInt64 {
        (DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000
    }
}
