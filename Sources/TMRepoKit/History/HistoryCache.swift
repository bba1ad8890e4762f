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
    /// Bump when the record format or what a parse produces changes.
    static let formatVersion: UInt64 = 11
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
                for _ in 0..<count { records.append(try HistoryCache.readRecord(&reader)) }
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
        guard trusted, let data = FileManager.default.contents(atPath: path) else { return cache }
        let bytes = [UInt8](data)
        var offset = 0
        while offset < bytes.count {
            guard let (segment, end) = readSegment(bytes, at: offset, into: cache.parsed) else {
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

    /// Appends an increment (`base` → `tip`) with the parse results added since loading.
    func append(key: Key, base: ObjectID, tip: ObjectID, records: [CommitRecord]) {
        let bytes = Self.encodeSegment(key: key, base: base, tip: tip, records: records, parsed: parsed.added)
        write { handle in
            handle.seekToEndOfFile()
            handle.write(Data(bytes))
        }
    }

    /// Replaces the file with one full segment holding every record and parse result.
    func rewrite(key: Key, tip: ObjectID, records: [CommitRecord]) {
        let bytes = Self.encodeSegment(key: key, base: nil, tip: tip, records: records, parsed: parsed.all())
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

    // MARK: - Segments

    static func encodeSegment(key: Key, base: ObjectID?, tip: ObjectID, records: [CommitRecord],
                              parsed: [(ObjectID, ParsedThreatFile)]) -> [UInt8] {
        var writer = BinaryWriter()
        for part in [key.threatsFolder, key.modelPrefix, key.idPrefix, key.filter] { writer.string(part) }
        if let base {
            writer.byte(1)
            writer.raw(base.bytes)
        } else {
            writer.byte(0)
        }
        writer.raw(tip.bytes)
        let recordsMark = writer.reserveLength()
        writer.varint(UInt64(records.count))
        for record in records { write(record, into: &writer) }
        writer.patchLength(at: recordsMark)
        writer.varint(UInt64(parsed.count))
        for (blob, file) in parsed {
            writer.raw(blob.bytes)
            let mark = writer.reserveLength()
            write(file, into: &writer)
            writer.patchLength(at: mark)
        }
        var table = BinaryWriter()
        table.varint(UInt64(writer.table.count))
        for string in writer.table {
            let utf8 = Array(string.utf8)
            table.varint(UInt64(utf8.count))
            table.raw(utf8)
        }
        let payload = table.bytes + writer.bytes
        var header = BinaryWriter()
        header.raw(magic)
        header.uint64(formatVersion)
        header.uint64(UInt64(payload.count))
        header.uint64(fnv1a(payload[...]))
        return header.bytes + payload
    }

    /// One segment starting at `offset`, and where it ends; nil when it is torn, damaged or foreign.
    private static func readSegment(_ bytes: [UInt8], at offset: Int, into parsed: ParsedStore) -> (Segment, Int)? {
        do {
            var header = BinaryReader(bytes, from: offset)
            guard try Array(header.raw(4)) == magic, try header.uint64() == formatVersion else { return nil }
            let length = Int(try header.uint64())
            let checksum = try header.uint64()
            let start = offset + 28
            guard length >= 0, start + length <= bytes.count, fnv1a(bytes[start..<(start + length)]) == checksum else { return nil }
            var reader = BinaryReader(bytes, from: start)
            try reader.readTable()
            let key = Key(threatsFolder: try reader.string(), modelPrefix: try reader.string(), idPrefix: try reader.string(),
                          filter: try reader.string())
            let base: ObjectID? = try reader.byte() == 1 ? try id(&reader) : nil
            let tip = try id(&reader)
            let recordsLength = Int(try reader.uint32())
            let recordsAt = reader
            try reader.skip(recordsLength)
            let parsedCount = try reader.count()
            for _ in 0..<parsedCount {
                let blob = try id(&reader)
                let entryLength = Int(try reader.uint32())
                parsed.remember(blob, reader: reader)
                try reader.skip(entryLength)
            }
            guard reader.position == start + length else { return nil }
            return (Segment(key: key, base: base, tip: tip, recordsAt: recordsAt), start + length)
        } catch {
            return nil
        }
    }

    private static func id(_ reader: inout BinaryReader) throws -> ObjectID {
        ObjectID(bytes: Array(try reader.raw(20)))
    }

    private static func write(_ record: CommitRecord, into writer: inout BinaryWriter) {
        writer.raw(record.id.bytes)
        writer.varint(UInt64(record.parents.count))
        for parent in record.parents { writer.raw(parent.bytes) }
        writer.raw(record.rootTree.bytes)
        writer.int64(record.time)
        writer.int(Int(record.offsetMinutes))
        writer.string(record.author.name)
        writer.string(record.author.email)
        writer.string(record.committer.name)
        writer.string(record.committer.email)
        writer.strings(record.reviewedIDs)
        writer.varint(UInt64(record.threatFiles.count))
        for delta in record.threatFiles {
            writer.string(delta.path)
            writer.byte((delta.old == nil ? 0 : 1) | (delta.new == nil ? 0 : 2) | delta.oldKind.rawValue << 2 | delta.newKind.rawValue << 4)
            if let old = delta.old { writer.raw(old.bytes) }
            if let new = delta.new { writer.raw(new.bytes) }
        }
        writer.strings(record.changedPaths)
    }

    static func readRecord(_ reader: inout BinaryReader) throws -> CommitRecord {
        let commit = try id(&reader)
        let parentCount = try reader.count(limit: 10_000)
        var parents: [ObjectID] = []
        for _ in 0..<parentCount { parents.append(try id(&reader)) }
        let root = try id(&reader)
        let time = try reader.int64()
        let offset = Int32(truncatingIfNeeded: try reader.int())
        let author = Identity(name: try reader.string(), email: try reader.string())
        let committer = Identity(name: try reader.string(), email: try reader.string())
        let reviewed = try reader.strings()
        let deltaCount = try reader.count()
        var deltas: [FileDelta] = []
        for _ in 0..<deltaCount {
            let path = try reader.string()
            let flags = try reader.byte()
            let old = flags & 1 != 0 ? try id(&reader) : nil
            let new = flags & 2 != 0 ? try id(&reader) : nil
            guard let oldKind = FileDelta.Kind(rawValue: flags >> 2 & 3), let newKind = FileDelta.Kind(rawValue: flags >> 4 & 3) else {
                throw BinaryReader.Malformed()
            }
            deltas.append(FileDelta(path: path, old: old, new: new, oldKind: oldKind, newKind: newKind))
        }
        return CommitRecord(id: commit, parents: parents, rootTree: root, time: time, offsetMinutes: offset, author: author,
                            committer: committer, reviewedIDs: reviewed, threatFiles: deltas, changedPaths: try reader.strings())
    }

    // MARK: Parse results

    /// Small values as single bytes (0 = absent, n = index + 1), dates as day numbers: decoding
    /// then creates no strings for them.
    static func writeCase<E: CaseIterable & Equatable>(_ value: E?, into writer: inout BinaryWriter) {
        writer.byte(value.map { UInt8(Array(E.allCases).firstIndex(of: $0)! + 1) } ?? 0)
    }

    static func readCase<E: CaseIterable>(_ reader: inout BinaryReader, _: E.Type) throws -> E? {
        let raw = Int(try reader.byte())
        if raw == 0 { return nil }
        let all = Array(E.allCases)
        guard raw <= all.count else { throw BinaryReader.Malformed() }
        return all[raw - 1]
    }

    static func writeDay(_ day: Day?, into writer: inout BinaryWriter) {
        if let day {
            writer.byte(1)
            writer.int(day.daysSinceEpoch)
        } else {
            writer.byte(0)
        }
    }

    static func writeReviewed(_ claim: ReviewClaim?, into writer: inout BinaryWriter) {
        guard let claim else {
            writer.byte(0)
            return
        }
        writer.byte(1)
        writeDay(claim.on, into: &writer)
        writer.optionalString(claim.by)
    }

    static func readReviewed(_ reader: inout BinaryReader) throws -> ReviewClaim? {
        try reader.byte() == 1 ? ReviewClaim(on: try readDay(&reader), by: try reader.optionalString()) : nil
    }

    static func readDay(_ reader: inout BinaryReader) throws -> Day? {
        try reader.byte() == 1 ? Day(daysSinceEpoch: try reader.int()) : nil
    }

    static func write(_ file: ParsedThreatFile, into writer: inout BinaryWriter) {
        // First what history needs (read alone by `readFacts`), then the whole parse.
        if let threat = file.threat, !threat.id.isEmpty {
            writer.byte(1)
            writer.string(threat.id)
            writeCase(threat.severity, into: &writer)
            writeCase(threat.status, into: &writer)
            writer.optionalString(threat.owner)
            writeReviewed(threat.reviewed, into: &writer)
            writer.varint(UInt64(threat.mitigations.count))
            for mitigation in threat.mitigations {
                writer.string(mitigation.id)
                writeCase(mitigation.status, into: &writer)
                writeDay(mitigation.verified, into: &writer)
            }
        } else {
            writer.byte(0)
        }
        writer.uint64(file.materialDigest.high)
        writer.uint64(file.materialDigest.low)
        writer.varint(UInt64(file.diagnostics.count))
        for diagnostic in file.diagnostics {
            writer.int(diagnostic.line)
            writer.int(diagnostic.column)
            writer.byte(diagnostic.severity == .error ? 0 : 1)
            writer.string(diagnostic.rule)
            writer.string(diagnostic.message)
        }
        guard let threat = file.threat else {
            writer.byte(0)
            return
        }
        writer.byte(1)
        writer.string(threat.id)
        writer.string(threat.title)
        writer.varint(UInt64(threat.stride.count))
        for category in threat.stride { writeCase(category, into: &writer) }
        writer.optionalString(threat.element)
        writer.strings(threat.assets)
        writeCase(threat.severity, into: &writer)
        writeCase(threat.status, into: &writer)
        writer.optionalString(threat.owner)
        writer.optionalString(threat.reviewEvery?.description)
        writeReviewed(threat.reviewed, into: &writer)
        writer.varint(UInt64(threat.mitigations.count))
        for mitigation in threat.mitigations {
            writer.string(mitigation.id)
            writer.string(mitigation.title)
            writeCase(mitigation.status, into: &writer)
            writer.optionalString(mitigation.owner)
            writer.strings(mitigation.evidence)
            writeDay(mitigation.verified, into: &writer)
        }
        if let statement = threat.statement {
            writer.byte(1)
            for part in [statement.source, statement.prerequisites, statement.action, statement.impact] { writer.optionalString(part) }
            writer.strings(statement.impactedGoal)
            writer.strings(statement.impactedAssets)
        } else {
            writer.byte(0)
        }
        writer.strings(threat.tags)
        if let link = threat.threatComposer {
            writer.byte(1)
            writer.string(link.id)
            writer.int(link.numericID ?? -1)
            writer.varint(UInt64(link.custom.count))
            for (key, values) in link.custom.sorted(by: { $0.key < $1.key }) {
                writer.string(key)
                writer.strings(values)
            }
        } else {
            writer.byte(0)
        }
        writer.strings(threat.extraKeys)
        writer.string(threat.body)
        writer.varint(UInt64(threat.locations.count))
        for (field, location) in threat.locations.sorted(by: { $0.key < $1.key }) {
            writer.string(field)
            writer.int(location.line)
            writer.int(location.column)
        }
    }

    /// The history facts at the start of a parse entry; nil when the file had no readable threat.
    static func readFacts(_ reader: inout BinaryReader) throws -> ThreatVersion? {
        try readFactsAndDigest(&reader).facts
    }

    /// The facts block and the digest that follows it.
    private static func readFactsAndDigest(_ reader: inout BinaryReader) throws -> (facts: ThreatVersion?, digest: MaterialDigest) {
        guard try reader.byte() == 1 else { return (nil, try readDigest(&reader)) }
        let id = try reader.string()
        let severity = try readCase(&reader, Severity.self)
        let status = try readCase(&reader, ThreatStatus.self)
        let owner = try reader.optionalString()
        let reviewed = try readReviewed(&reader)
        let count = try reader.count()
        var mitigations: [ThreatVersion.MitigationVersion] = []
        mitigations.reserveCapacity(count)
        for _ in 0..<count {
            mitigations.append(ThreatVersion.MitigationVersion(id: try reader.string(), status: try readCase(&reader, MitigationStatus.self),
                                                               verified: try readDay(&reader)))
        }
        let digest = try readDigest(&reader)
        return (ThreatVersion(id: id, severity: severity, status: status, owner: owner, reviewed: reviewed,
                              mitigations: mitigations, materialDigest: digest), digest)
    }

    static func readDigest(_ reader: inout BinaryReader) throws -> MaterialDigest {
        MaterialDigest(high: try reader.uint64(), low: try reader.uint64())
    }

    static func readParsed(_ reader: inout BinaryReader) throws -> ParsedThreatFile {
        let digest = try readFactsAndDigest(&reader).digest
        let diagnosticCount = try reader.count()
        var diagnostics: [Diagnostic] = []
        for _ in 0..<diagnosticCount {
            let line = try reader.int(), column = try reader.int()
            let level: Diagnostic.Level = try reader.byte() == 0 ? .error : .warning
            diagnostics.append(Diagnostic(path: "", line: line, column: column, severity: level, rule: try reader.string(),
                                          message: try reader.string()))
        }
        guard try reader.byte() == 1 else {
            return ParsedThreatFile(path: "", threat: nil, diagnostics: diagnostics, materialDigest: digest)
        }
        var threat = Threat(id: try reader.string(), path: "")
        threat.title = try reader.string()
        let strideCount = try reader.count(limit: 6)
        for _ in 0..<strideCount {
            guard let category = try readCase(&reader, StrideCategory.self) else { throw BinaryReader.Malformed() }
            threat.stride.append(category)
        }
        threat.element = try reader.optionalString()
        threat.assets = try reader.strings()
        threat.severity = try readCase(&reader, Severity.self)
        threat.status = try readCase(&reader, ThreatStatus.self)
        threat.owner = try reader.optionalString()
        threat.reviewEvery = try reader.optionalString().flatMap(Cadence.init)
        threat.reviewed = try readReviewed(&reader)
        let mitigationCount = try reader.count()
        for _ in 0..<mitigationCount {
            threat.mitigations.append(Mitigation(
                id: try reader.string(), title: try reader.string(), status: try readCase(&reader, MitigationStatus.self),
                owner: try reader.optionalString(), evidence: try reader.strings(), verified: try readDay(&reader)))
        }
        if try reader.byte() == 1 {
            threat.statement = ThreatStatement(source: try reader.optionalString(), prerequisites: try reader.optionalString(),
                                               action: try reader.optionalString(), impact: try reader.optionalString(),
                                               impactedGoal: try reader.strings(), impactedAssets: try reader.strings())
        }
        threat.tags = try reader.strings()
        if try reader.byte() == 1 {
            var link = ThreatComposerLink(id: try reader.string())
            let numeric = try reader.int()
            link.numericID = numeric < 0 ? nil : numeric
            let count = try reader.count()
            for _ in 0..<count { link.custom[try reader.string()] = try reader.strings() }
            threat.threatComposer = link
        }
        threat.extraKeys = try reader.strings()
        threat.body = try reader.string()
        let locationCount = try reader.count()
        for _ in 0..<locationCount {
            let field = try reader.string()
            threat.locations[field] = SourceLocation(line: try reader.int(), column: try reader.int())
        }
        return ParsedThreatFile(path: "", threat: threat, diagnostics: diagnostics, materialDigest: digest)
    }
}

/// Parse results by blob id: those read from the cache are decoded on first use; those
/// computed in this run are kept apart so that only they are appended to the cache.
/// Thread-safe: the model read and a history fold may use it at the same time.
final class ParsedStore: @unchecked Sendable {
    private var decoded: [ObjectID: ParsedThreatFile] = [:]
    private var lazy: [ObjectID: BinaryReader] = [:]
    private var addedEntries: [(ObjectID, ParsedThreatFile)] = []
    private let lock = NSLock()

    var added: [(ObjectID, ParsedThreatFile)] { lock.withLock { addedEntries } }

    func remember(_ blob: ObjectID, reader: BinaryReader) {
        lock.withLock {
            if lazy[blob] == nil && decoded[blob] == nil { lazy[blob] = reader }
        }
    }

    subscript(blob: ObjectID) -> ParsedThreatFile? {
        let pending: BinaryReader? = lock.withLock {
            if decoded[blob] != nil { return nil }
            return lazy[blob]
        }
        if var reader = pending {
            // Decoded outside the lock; two threads decoding the same entry get equal results.
            guard let file = try? HistoryCache.readParsed(&reader) else { return nil }
            lock.withLock {
                decoded[blob] = file
                lazy[blob] = nil
            }
            return file
        }
        return lock.withLock { decoded[blob] }
    }

    func contains(_ blob: ObjectID) -> Bool { lock.withLock { decoded[blob] != nil || lazy[blob] != nil } }

    /// Only the facts history needs, read without decoding the whole parse; nil when the blob is
    /// unknown here or holds no readable threat.
    func facts(_ blob: ObjectID) -> ThreatVersion? {
        let (file, pending): (ParsedThreatFile?, BinaryReader?) = lock.withLock { (decoded[blob], lazy[blob]) }
        if let file {
            guard let threat = file.threat, !threat.id.isEmpty else { return nil }
            return ThreatVersion(threat, materialDigest: file.materialDigest)
        }
        guard var reader = pending else { return nil }
        return try? HistoryCache.readFacts(&reader)
    }

    func add(_ blob: ObjectID, _ file: ParsedThreatFile) {
        lock.withLock {
            guard decoded[blob] == nil && lazy[blob] == nil else { return }
            decoded[blob] = file
            addedEntries.append((blob, file))
        }
    }

    var count: Int { lock.withLock { decoded.count + lazy.count } }

    /// Every result, decoding what is still lazy (for a full rewrite).
    func all() -> [(ObjectID, ParsedThreatFile)] {
        for blob in lock.withLock({ Array(lazy.keys) }) { _ = self[blob] }
        return lock.withLock { decoded.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
    }
}

/// Notes for whoever debugs performance or the cache: printed only when TMREPO_TRACE is set.
enum Trace {
    static let enabled = ProcessInfo.processInfo.environment["TMREPO_TRACE"] != nil

    static func note(_ message: @autoclosure () -> String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("tmrepo: \(message())\n".utf8))
    }
}
