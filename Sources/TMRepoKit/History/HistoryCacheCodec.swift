import Foundation
import TMGit
import ThreatModel

/// The history cache's binary format: a segment (header, key, tips, commit records, parse
/// results) and one commit record. Pure byte work: no files, no git.
///
/// A segment is a `BinaryFrame` (magic `TMRS`) whose payload holds the key, base tip (optional),
/// tip, the records (length-prefixed so that they can be decoded later) and the parse results
/// (each length-prefixed, decoded lazily).
enum HistoryCacheCodec {
    static func encodeSegment(key: HistoryCache.Key, base: ObjectID?, tip: ObjectID, records: [CommitRecord],
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
            ParsedFileCodec.write(file, into: &writer)
            writer.patchLength(at: mark)
        }
        return BinaryFrame.encode(magic: HistoryCache.magic, version: HistoryCache.formatVersion, writer)
    }

    /// One segment starting at `offset`, and where it ends; nil when it is torn, damaged or foreign.
    static func readSegment(_ bytes: [UInt8], at offset: Int, into parsed: ParsedStore) -> (HistoryCache.Segment, Int)? {
        guard let (opened, end) = BinaryFrame.open(bytes, at: offset, magic: HistoryCache.magic, version: HistoryCache.formatVersion) else {
            return nil
        }
        var reader = opened
        do {
            let key = HistoryCache.Key(threatsFolder: try reader.string(), modelPrefix: try reader.string(), idPrefix: try reader.string(),
                          filter: try reader.string())
            let base: ObjectID? = try reader.byte() == 1 ? try id(&reader) : nil
            let tip = try id(&reader)
            let recordsLength = Int(try reader.uint32())
            let recordsAt = reader
            try reader.skip(recordsLength)
            let parsedCount = try reader.count()
            // Each entry takes at least 24 bytes (id and length): a count the rest cannot hold is not reserved for.
            parsed.reserve(min(parsedCount, (end - reader.position) / 24))
            for _ in 0..<parsedCount {
                let blob = try id(&reader)
                let entryLength = Int(try reader.uint32())
                parsed.remember(blob, reader: try reader.limited(to: entryLength))
                try reader.skip(entryLength)
            }
            guard reader.position == end else { return nil }
            return (HistoryCache.Segment(key: key, base: base, tip: tip, recordsAt: recordsAt), end)
        } catch {
            return nil
        }
    }

    static func id(_ reader: inout BinaryReader) throws -> ObjectID {
        ObjectID(bytes: try reader.raw(20))
    }

    static func write(_ record: CommitRecord, into writer: inout BinaryWriter) {
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
}
