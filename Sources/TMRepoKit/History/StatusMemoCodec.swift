import Foundation
import TMGit
import ThreatModel

/// The binary format of a `StatusMemo`: a `BinaryFrame` (magic `TMSM`) whose payload holds the
/// header, the report-wide facts, then the threats in blocks, each a frame of its own (`TMSB`,
/// with its own strings), encoded and decoded on several threads. Pure byte work: no files, no git.
enum StatusMemoCodec {
    static let magic: [UInt8] = Array("TMSM".utf8)
    static let blockMagic: [UInt8] = Array("TMSB".utf8)
    static let threatsPerBlock = 2_048

    static func encode(_ memo: StatusMemo) -> [UInt8] {
        var writer = BinaryWriter()
        let header = memo.header
        writer.string(header.tool)
        writer.raw(header.head.bytes)
        writer.varint(UInt64(header.commitCount))
        for part in [header.key.threatsFolder, header.key.modelPrefix, header.key.idPrefix, header.key.filter] { writer.string(part) }
        for bound in [header.window.from, header.window.until] {
            writer.byte(bound == nil ? 0 : 1)
            if let bound { writer.int64(bound) }
        }
        writer.strings(header.inputs)
        let facts = memo.facts
        writer.varint(UInt64(facts.lastActivity.count))
        for (email, time) in facts.lastActivity.sorted(by: { $0.key < $1.key }) {
            writer.string(email)
            writer.int64(time)
        }
        write(facts.problems, into: &writer)
        write(facts.systemProblems, into: &writer)
        writer.varint(UInt64(facts.threats.count))
        // Each block is a frame of its own (its own strings), encoded and later decoded side by side.
        let blockCount = (facts.threats.count + threatsPerBlock - 1) / threatsPerBlock
        let blocks = Slots<[UInt8]>(count: blockCount)
        let threats = facts.threats
        DispatchQueue.concurrentPerform(iterations: blockCount) { block in
            var part = BinaryWriter()
            for threat in threats[(block * threatsPerBlock)..<min((block + 1) * threatsPerBlock, threats.count)] { write(threat, into: &part) }
            blocks[block] = BinaryFrame.encode(magic: blockMagic, version: StatusMemo.formatVersion, part)
        }
        for block in blocks.values {
            writer.varint(UInt64(block!.count))
            writer.raw(block!)
        }
        return BinaryFrame.encode(magic: magic, version: StatusMemo.formatVersion, writer)
    }

    /// The header, and a reader at the facts; nil when the bytes are torn, damaged or of another format.
    static func header(_ bytes: [UInt8]) -> (header: StatusMemo.Header, body: BinaryReader)? {
        guard let (opened, end) = BinaryFrame.open(bytes, at: 0, magic: magic, version: StatusMemo.formatVersion), end == bytes.count else {
            return nil
        }
        var reader = opened
        do {
            let tool = try reader.string()
            let head = try HistoryCacheCodec.id(&reader)
            let commitCount = try reader.count()
            let key = HistoryCache.Key(threatsFolder: try reader.string(), modelPrefix: try reader.string(), idPrefix: try reader.string(),
                                       filter: try reader.string())
            var bounds: [Int64?] = []
            for _ in 0..<2 {
                switch try reader.byte() {
                case 0: bounds.append(nil)
                case 1: bounds.append(try reader.int64())
                default: throw BinaryReader.Malformed()
                }
            }
            let header = StatusMemo.Header(tool: tool, head: head, commitCount: commitCount, key: key,
                                           window: ReviewWindow(from: bounds[0], until: bounds[1]), inputs: try reader.strings())
            return (header, reader)
        } catch {
            return nil
        }
    }

    /// The facts after the header (threat blocks decoded side by side); throws when anything is malformed.
    static func facts(_ reader: inout BinaryReader, header: StatusMemo.Header) throws -> StatusFacts {
        var lastActivity: [String: Int64] = [:]
        for _ in 0..<(try reader.count()) { lastActivity[try reader.string()] = try reader.int64() }
        let problems = try readDiagnostics(&reader)
        let systemProblems = try readDiagnostics(&reader)
        let threatCount = try reader.count()
        var blocks: [[UInt8]] = []
        for _ in stride(from: 0, to: threatCount, by: threatsPerBlock) {
            blocks.append(Array(try reader.raw(try reader.count(limit: Int(UInt32.max)))))
        }
        guard reader.isAtEnd else { throw BinaryReader.Malformed() }
        let slots = Slots<Result<[ThreatStatusFacts], Error>>(count: blocks.count)
        let readers = blocks
        DispatchQueue.concurrentPerform(iterations: readers.count) { block in
            slots[block] = Result {
                guard let (opened, end) = BinaryFrame.open(readers[block], at: 0, magic: blockMagic, version: StatusMemo.formatVersion),
                      end == readers[block].count else { throw BinaryReader.Malformed() }
                var reader = opened
                let count = min(threatsPerBlock, threatCount - block * threatsPerBlock)
                var threats: [ThreatStatusFacts] = []
                threats.reserveCapacity(count)
                for _ in 0..<count { threats.append(try readThreat(&reader)) }
                guard reader.isAtEnd else { throw BinaryReader.Malformed() }
                return threats
            }
        }
        // Room for what the blocks hold, not for the count the file declares (a hostile one declares billions).
        let decoded = try slots.values.map { try $0!.get() }
        var threats: [ThreatStatusFacts] = []
        threats.reserveCapacity(decoded.reduce(0) { $0 + $1.count })
        for block in decoded { threats += block }
        return StatusFacts(threats: threats, lastActivity: lastActivity, problems: problems, systemProblems: systemProblems,
                           unreadable: [], system: nil, window: header.window)
    }

    /// The whole memo in `bytes`; nil when anything in it is wrong.
    static func decode(_ bytes: [UInt8]) -> StatusMemo? {
        guard let (header, body) = header(bytes) else { return nil }
        var reader = body
        guard let facts = try? facts(&reader, header: header) else { return nil }
        return StatusMemo(header: header, facts: facts)
    }

    // MARK: Parts

    private static func write(_ threat: ThreatStatusFacts, into writer: inout BinaryWriter) {
        writer.string(threat.threat.path)
        ParsedFileCodec.writeThreat(threat.threat, into: &writer)
        writer.optionalRef(threat.created)
        writer.byte(threat.lastReview == nil ? 0 : 1)
        if let review = threat.lastReview { writer.review(review) }
        writer.varint(UInt64(threat.laterReviews.count))
        for review in threat.laterReviews { writer.review(review) }
        writer.varint(UInt64(threat.mitigations.count))
        for mitigation in threat.mitigations {
            writer.string(mitigation.id)
            ParsedFileCodec.writeDay(mitigation.verifiedSince, into: &writer)
            for part in [mitigation.verifiedIn, mitigation.evidenceSince, mitigation.evidenceChange] { writer.optionalString(part) }
        }
        writer.optionalString(threat.ownershipProblem)
    }

    private static func readThreat(_ reader: inout BinaryReader) throws -> ThreatStatusFacts {
        let path = try reader.string()
        let threat = try ParsedFileCodec.readThreat(&reader, path: path)
        let created = try reader.optionalRef()
        let lastReview: Review?
        switch try reader.byte() {
        case 0: lastReview = nil
        case 1: lastReview = try reader.review()
        default: throw BinaryReader.Malformed()
        }
        var laterReviews: [Review] = []
        for _ in 0..<(try reader.count()) { laterReviews.append(try reader.review()) }
        var mitigations: [MitigationStatusFacts] = []
        for _ in 0..<(try reader.count()) {
            mitigations.append(MitigationStatusFacts(
                id: try reader.string(), verifiedSince: try ParsedFileCodec.readDay(&reader), verifiedIn: try reader.optionalString(),
                evidenceSince: try reader.optionalString(), evidenceChange: try reader.optionalString()))
        }
        return ThreatStatusFacts(threat: threat, created: created, lastReview: lastReview, laterReviews: laterReviews,
                                 mitigations: mitigations, ownershipProblem: try reader.optionalString(), elementChanged: nil)
    }

    private static func write(_ diagnostics: [Diagnostic], into writer: inout BinaryWriter) {
        writer.varint(UInt64(diagnostics.count))
        for diagnostic in diagnostics {
            writer.string(diagnostic.path)
            writer.int(diagnostic.line)
            writer.int(diagnostic.column)
            writer.byte(diagnostic.severity == .error ? 0 : 1)
            writer.string(diagnostic.rule)
            writer.string(diagnostic.message)
        }
    }

    private static func readDiagnostics(_ reader: inout BinaryReader) throws -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for _ in 0..<(try reader.count()) {
            let path = try reader.string()
            let line = try reader.int(), column = try reader.int()
            let level: Diagnostic.Level
            switch try reader.byte() {
            case 0: level = .error
            case 1: level = .warning
            default: throw BinaryReader.Malformed()
            }
            diagnostics.append(Diagnostic(path: path, line: line, column: column, severity: level, rule: try reader.string(),
                                          message: try reader.string()))
        }
        return diagnostics
    }
}
