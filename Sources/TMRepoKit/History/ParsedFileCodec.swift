import Foundation
import TMGit
import ThreatModel

/// The cache's encoding of one threat-file parse: first the facts history needs (so `readFacts`
/// reads them alone), then the digest, the diagnostics and the whole parse.
enum ParsedFileCodec {
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
        writeFacts(file.threat.flatMap { $0.id.isEmpty ? nil : ThreatVersion($0, materialDigest: file.materialDigest) },
                   digest: file.materialDigest, into: &writer)
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
        writeThreat(threat, into: &writer)
    }

    /// A threat, every field (the path aside: a parse is kept by blob, read for a path).
    static func writeThreat(_ threat: Threat, into writer: inout BinaryWriter) {
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
            writer.optionalString(mitigation.ref)
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
            writer.optionalString(link.statement)
        } else {
            writer.byte(0)
        }
        writer.strings(threat.extraKeys)
        writer.string(threat.body)
        writer.varint(UInt64(threat.locations.count))
        for (field, location) in threat.locations.entries {
            writer.string(field)
            writer.int(location.line)
            writer.int(location.column)
        }
        writeVulnerabilities(threat.vulnerabilities, into: &writer)
    }

    /// The facts history needs about a version (nil: no readable threat) and the parse's digest,
    /// as `readFactsAndDigest` reads them. The block is prefixed with its length, so that a reader
    /// after the whole parse skips it.
    static func writeFacts(_ facts: ThreatVersion?, digest: MaterialDigest, into writer: inout BinaryWriter) {
        let mark = writer.reserveLength()
        if let facts {
            writer.byte(1)
            writer.string(facts.id)
            writeCase(facts.severity, into: &writer)
            writeCase(facts.status, into: &writer)
            writer.optionalString(facts.owner)
            writeReviewed(facts.reviewed, into: &writer)
            writer.varint(UInt64(facts.mitigations.count))
            for mitigation in facts.mitigations {
                writer.string(mitigation.id)
                writeCase(mitigation.status, into: &writer)
                writeDay(mitigation.verified, into: &writer)
            }
        } else {
            writer.byte(0)
        }
        writer.patchLength(at: mark)
        writer.uint64(digest.high)
        writer.uint64(digest.low)
    }

    /// The history facts at the start of a parse entry; nil when the file had no readable threat.
    static func readFacts(_ reader: inout BinaryReader) throws -> ThreatVersion? {
        try readFactsAndDigest(&reader).facts
    }

    /// The facts block and the digest that follows it.
    static func readFactsAndDigest(_ reader: inout BinaryReader) throws -> (facts: ThreatVersion?, digest: MaterialDigest) {
        let end = try factsEnd(&reader)
        // The digest after the block completes the version read from it.
        var afterFacts = reader
        try afterFacts.skip(end - reader.position)
        let digest = try readDigest(&afterFacts)
        let facts = try readFactsBlock(&reader, digest: digest)
        guard reader.position == end else { throw BinaryReader.Malformed() }
        reader = afterFacts
        return (facts, digest)
    }

    /// Only the digest: the facts block before it is skipped, not decoded (the whole parse that
    /// follows holds them again).
    static func readDigestSkippingFacts(_ reader: inout BinaryReader) throws -> MaterialDigest {
        try reader.skip(try factsEnd(&reader) - reader.position)
        return try readDigest(&reader)
    }

    /// Where the facts block that starts at the reader (after its length) ends.
    private static func factsEnd(_ reader: inout BinaryReader) throws -> Int {
        let length = Int(try reader.uint32())
        return reader.position + length
    }

    private static func readFactsBlock(_ reader: inout BinaryReader, digest: MaterialDigest) throws -> ThreatVersion? {
        guard try reader.byte() == 1 else { return nil }
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
        return ThreatVersion(id: id, severity: severity, status: status, owner: owner, reviewed: reviewed,
                             mitigations: mitigations, materialDigest: digest)
    }

    static func readDigest(_ reader: inout BinaryReader) throws -> MaterialDigest {
        MaterialDigest(high: try reader.uint64(), low: try reader.uint64())
    }

    /// The whole parse, as the file at `path` (the cache keeps parses by blob, without a path).
    static func readParsed(_ reader: inout BinaryReader, path: String = "") throws -> ParsedThreatFile {
        let digest = try readDigestSkippingFacts(&reader)
        let diagnosticCount = try reader.count()
        var diagnostics: [Diagnostic] = []
        for _ in 0..<diagnosticCount {
            let line = try reader.int(), column = try reader.int()
            let level: Diagnostic.Level = try reader.byte() == 0 ? .error : .warning
            diagnostics.append(Diagnostic(path: path, line: line, column: column, severity: level, rule: try reader.string(),
                                          message: try reader.string()))
        }
        guard try reader.byte() == 1 else {
            return ParsedThreatFile(path: path, threat: nil, diagnostics: diagnostics, materialDigest: digest)
        }
        let threat = try readThreat(&reader, path: path)
        return ParsedThreatFile(path: path, threat: threat, diagnostics: diagnostics, materialDigest: digest)
    }

    /// A threat as `writeThreat` wrote it, as the file at `path`.
    static func readThreat(_ reader: inout BinaryReader, path: String) throws -> Threat {
        var threat = Threat(id: try reader.string(), path: path)
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
                owner: try reader.optionalString(), evidence: try reader.strings(), verified: try readDay(&reader),
                ref: try reader.optionalString()))
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
            link.statement = try reader.optionalString()
            threat.threatComposer = link
        }
        threat.extraKeys = try reader.strings()
        threat.body = try reader.string()
        // Built whole and assigned once; written sorted, so each is appended.
        let locationCount = try reader.count(limit: 100_000)
        var locations = FieldLocations()
        for _ in 0..<locationCount {
            let field = try reader.string()
            locations[field] = SourceLocation(line: try reader.int(), column: try reader.int())
        }
        threat.locations = locations
        threat.vulnerabilities = try readVulnerabilities(&reader)
        return threat
    }
}
