import TMGit
import ThreatModel

/// The binary format of a `FoldSnapshot`: a `BinaryFrame` (magic `TMFS`) whose payload holds
/// the key, the tip and commit count, the reducer's state, the folder's last known versions and
/// unreadable paths, and the staleness index's inputs. Pure byte work: no files, no git.
enum FoldSnapshotCodec {
    static let magic: [UInt8] = Array("TMFS".utf8)
    /// Bump when the layout below changes (what the folded values mean is in `FoldSnapshot.Key`).
    static let formatVersion: UInt64 = 3

    static func encode(_ snapshot: FoldSnapshot) -> [UInt8] {
        var writer = BinaryWriter()
        let key = snapshot.header.key
        for part in [key.cache.threatsFolder, key.cache.modelPrefix, key.cache.idPrefix, key.cache.filter, key.tool] { writer.string(part) }
        writer.raw(snapshot.header.tip.bytes)
        writer.varint(UInt64(snapshot.header.commitCount))
        write(snapshot.folder, into: &writer)
        write(snapshot.index, into: &writer)
        return BinaryFrame.encode(magic: magic, version: formatVersion, writer)
    }

    /// The key, tip and commit count of the snapshot in `bytes`, and a reader at its body; nil
    /// when it is torn, damaged, of another format or malformed.
    static func header(_ bytes: [UInt8]) -> (header: FoldSnapshot.Header, body: BinaryReader)? {
        guard let (opened, end) = BinaryFrame.open(bytes, at: 0, magic: magic, version: formatVersion), end == bytes.count else { return nil }
        var reader = opened
        do {
            let key = FoldSnapshot.Key(
                cache: HistoryCache.Key(threatsFolder: try reader.string(), modelPrefix: try reader.string(), idPrefix: try reader.string(),
                                        filter: try reader.string()),
                tool: try reader.string())
            let tip = try HistoryCacheCodec.id(&reader)
            return (FoldSnapshot.Header(key: key, tip: tip, commitCount: try reader.count()), reader)
        } catch {
            return nil
        }
    }

    /// The folded state after `header`; throws when it is malformed or does not end where the frame does.
    static func body(_ reader: inout BinaryReader, header: FoldSnapshot.Header) throws -> FoldSnapshot {
        let folder = try readFolder(&reader)
        let index = try readIndex(&reader, commits: header.commitCount)
        guard reader.isAtEnd else { throw BinaryReader.Malformed() }
        return FoldSnapshot(header: header, folder: folder, index: index)
    }

    /// The whole snapshot in `bytes`; nil when anything in it is wrong.
    static func decode(_ bytes: [UInt8]) -> FoldSnapshot? {
        guard let (header, body) = header(bytes) else { return nil }
        var reader = body
        return try? Self.body(&reader, header: header)
    }

    // MARK: The folder and its reducer

    private static func write(_ folder: HistoryFolder.State, into writer: inout BinaryWriter) {
        let reducer = folder.reducer
        writer.varint(UInt64(reducer.histories.count))
        for history in reducer.histories.values {
            writer.string(history.id)
            writer.optionalRef(history.created)
            writer.optionalRef(history.retired)
            writer.optionalString(history.path)
            writer.varint(UInt64(history.reviews.count))
            for review in history.reviews { writer.review(review) }
            writer.optionalRef(history.lastMaterialChange)
            writer.varint(UInt64(history.verifiedSetBy.count))
            for (mitigation, byDay) in history.verifiedSetBy {
                writer.string(mitigation)
                writer.varint(UInt64(byDay.count))
                for (day, ref) in byDay {
                    writer.int(day.daysSinceEpoch)
                    writer.ref(ref)
                }
            }
            writer.varint(UInt64(history.implementedSetBy.count))
            for (mitigation, ref) in history.implementedSetBy {
                writer.string(mitigation)
                writer.ref(ref)
            }
        }
        writer.varint(UInt64(reducer.problems.count))
        for problem in reducer.problems {
            for part in [problem.commit, problem.path, problem.message, problem.rule] { writer.string(part) }
        }
        writer.varint(UInt64(reducer.activity.count))
        for (email, time) in reducer.activity {
            writer.string(email)
            writer.int64(time)
        }
        writer.varint(UInt64(reducer.canonicalID.count))
        for (key, id) in reducer.canonicalID {
            writer.string(key)
            writer.string(id)
        }
        writer.varint(UInt64(folder.lastKnown.count))
        for (id, version) in folder.lastKnown {
            writer.string(id)
            ParsedFileCodec.writeFacts(version, digest: version.materialDigest, into: &writer)
        }
        writer.varint(UInt64(folder.unreadableSince.count))
        for (path, ref) in folder.unreadableSince {
            writer.string(path)
            writer.ref(ref)
        }
    }

    private static func readFolder(_ reader: inout BinaryReader) throws -> HistoryFolder.State {
        var histories: [String: ThreatHistory] = [:]
        let historyCount = try reader.count()
        histories.reserveCapacity(historyCount)
        for _ in 0..<historyCount {
            let id = try reader.string()
            let created = try reader.optionalRef(), retired = try reader.optionalRef()
            let path = try reader.optionalString()
            var reviews: [Review] = []
            for _ in 0..<(try reader.count()) { reviews.append(try reader.review()) }
            let lastMaterialChange = try reader.optionalRef()
            var verifiedSetBy: [String: [Day: CommitRef]] = [:]
            for _ in 0..<(try reader.count()) {
                let mitigation = try reader.string()
                var byDay: [Day: CommitRef] = [:]
                for _ in 0..<(try reader.count()) { byDay[Day(daysSinceEpoch: try reader.int())] = try reader.ref() }
                verifiedSetBy[mitigation] = byDay
            }
            var implementedSetBy: [String: CommitRef] = [:]
            for _ in 0..<(try reader.count()) { implementedSetBy[try reader.string()] = try reader.ref() }
            histories[id] = ThreatHistory(id: id, created: created, retired: retired, path: path, reviews: reviews,
                                          lastMaterialChange: lastMaterialChange, verifiedSetBy: verifiedSetBy,
                                          implementedSetBy: implementedSetBy)
        }
        var problems: [HistoryProblem] = []
        for _ in 0..<(try reader.count()) {
            problems.append(HistoryProblem(persisted: try reader.string(), path: try reader.string(), message: try reader.string(),
                                           rule: try reader.string()))
        }
        var activity: [String: Int64] = [:]
        for _ in 0..<(try reader.count()) { activity[try reader.string()] = try reader.int64() }
        var canonicalID: [String: String] = [:]
        for _ in 0..<(try reader.count()) { canonicalID[try reader.string()] = try reader.string() }
        var lastKnown: [String: ThreatVersion] = [:]
        for _ in 0..<(try reader.count()) {
            let id = try reader.string()
            guard let version = try ParsedFileCodec.readFacts(&reader) else { throw BinaryReader.Malformed() }
            lastKnown[id] = version
        }
        var unreadableSince: [String: CommitRef] = [:]
        for _ in 0..<(try reader.count()) { unreadableSince[try reader.string()] = try reader.ref() }
        return HistoryFolder.State(
            reducer: ReducerState(histories: histories, problems: problems, activity: activity, canonicalID: canonicalID),
            lastKnown: lastKnown, unreadableSince: unreadableSince)
    }

    // MARK: The staleness index's inputs

    /// Positions are written as distances back from the commit (parents) or from the previous
    /// position (a path's commits, ascending), so most take one byte.
    private static func write(_ index: EvidenceIndex.State, into writer: inout BinaryWriter) {
        writer.varint(UInt64(index.ids.count))
        for id in index.ids { writer.raw(id.bytes) }
        // Times as differences from the previous commit's (zigzag: clocks go backwards too).
        var previousTime: Int64 = 0
        for time in index.times {
            writer.int64(time &- previousTime)
            previousTime = time
        }
        for (position, parents) in index.parents.enumerated() {
            writer.varint(UInt64(parents.count))
            for parent in parents { writer.varint(UInt64(position - parent)) }
            writer.varint(UInt64(index.firstParents[position] + 1))
        }
        writer.varint(UInt64(index.byPath.count))
        for (path, positions) in index.byPath {
            writer.string(path)
            writer.varint(UInt64(positions.count))
            var previous = 0
            for position in positions {
                writer.varint(UInt64(position - previous))
                previous = position
            }
        }
    }

    private static func readIndex(_ reader: inout BinaryReader, commits: Int) throws -> EvidenceIndex.State {
        let count = try reader.count()
        guard count == commits else { throw BinaryReader.Malformed() }
        var ids: [ObjectID] = []
        ids.reserveCapacity(count)
        for _ in 0..<count { ids.append(try HistoryCacheCodec.id(&reader)) }
        var times: [Int64] = []
        times.reserveCapacity(count)
        var previousTime: Int64 = 0
        for _ in 0..<count {
            previousTime = previousTime &+ (try reader.int64())
            times.append(previousTime)
        }
        var parents: [[Int]] = []
        var firstParents: [Int] = []
        parents.reserveCapacity(count)
        firstParents.reserveCapacity(count)
        for position in 0..<count {
            var own: [Int] = []
            for _ in 0..<(try reader.count(limit: 10_000)) {
                let back = try reader.count()
                guard back >= 1, back <= position else { throw BinaryReader.Malformed() }
                own.append(position - back)
            }
            parents.append(own)
            let first = try reader.count() - 1
            guard first < position else { throw BinaryReader.Malformed() }
            firstParents.append(first)
        }
        var byPath: [String: [Int]] = [:]
        let pathCount = try reader.count()
        byPath.reserveCapacity(pathCount)
        for _ in 0..<pathCount {
            let path = try reader.string()
            var positions: [Int] = []
            var previous = 0
            for _ in 0..<(try reader.count()) {
                previous += try reader.count()
                guard previous < count else { throw BinaryReader.Malformed() }
                positions.append(previous)
            }
            byPath[path] = positions
        }
        return EvidenceIndex.State(ids: ids, times: times, parents: parents, firstParents: firstParents, byPath: byPath)
    }
}
