import Yams

/// The result of reading one threat file: the threat (when its id could be read) and every problem found.
public struct ParsedThreatFile: Sendable {
    public let path: String
    /// Settable here only so that `Model` can move it out of a parse it consumes.
    public internal(set) var threat: Threat?
    public let diagnostics: [Diagnostic]
    /// A digest of the file's values without its `reviewed` block (see `MaterialDigest`).
    public var materialDigest: MaterialDigest = .none

    public init(path: String, threat: Threat?, diagnostics: [Diagnostic], materialDigest: MaterialDigest = .none) {
        self.path = path
        self.threat = threat
        self.diagnostics = diagnostics
        self.materialDigest = materialDigest
    }

    /// The same result for a file at another path (a rename): diagnostics and the threat follow it.
    public func moved(to newPath: String) -> ParsedThreatFile {
        guard newPath != path else { return self }
        var threat = threat
        threat?.path = newPath
        return ParsedThreatFile(path: newPath, threat: threat,
                                diagnostics: diagnostics.isEmpty ? [] : diagnostics.map { var d = $0; d.path = newPath; return d },
                                materialDigest: materialDigest)
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

public enum ThreatParser {
    public static let knownFields = ["id", "title", "stride", "element", "assets", "severity", "status", "owner",
                                     "review_every", "reviewed", "mitigations", "threat", "tags", "threat_composer",
                                     "vulnerabilities"]
    static let mitigationFields = ["id", "title", "status", "owner", "evidence", "verified"]
    static let statementFields = ["source", "prerequisites", "action", "impact", "impacted_goal", "impacted_assets"]
    /// The tag an import puts on a threat whose STRIDE categories it guessed (lint rule `stride-inferred`).
    public static let strideInferredTag = "stride-inferred"

    /// Reads a threat file's bytes. Never throws: every problem becomes a diagnostic.
    public static func parse(path: String, bytes: [UInt8], idPrefix: String = "T-") -> ParsedThreatFile {
        let wording = FrontMatterDocument.Wording(noun: "threat file", emptyHint: "id, title, stride, severity and status")
        let document: FrontMatterDocument
        switch FrontMatterDocument.read(path: path, bytes: bytes, wording: wording) {
        case .success(let read): document = read
        case .failure(let unreadable): return ParsedThreatFile(path: path, threat: nil, diagnostics: unreadable.diagnostics)
        }
        var parsed = readThreat(pairs: document.pairs, root: document.root, path: path, body: document.body,
                                reader: document.reader, idPrefix: idPrefix)
        parsed.materialDigest = MaterialDigest(frontMatter: document.root, body: document.body)
        return parsed
    }

    private static func readThreat(pairs: [(key: String, keyNode: YNode, value: YNode)], root: YNode, path: String, body: String,
                                   reader: YAMLReader, idPrefix: String) -> ParsedThreatFile {
        var fields = FieldReader(reader: reader)
        var threat = Threat(id: "", path: path, body: body)
        var seen = SmallStringSet()
        var idNode: YNode?
        for (key, keyNode, value) in pairs {
            _ = seen.insert(key)
            threat.locations[key] = reader.location(keyNode)
            switch key {
            case "id":
                idNode = value
                if let id = fields.singleLine(value, field: "id") {
                    threat.id = id
                    if !isValidID(id, prefix: idPrefix) {
                        fields.error(value, .invalidId, "id: '\(id)' must be '\(idPrefix)' followed by digits (e.g. \(idPrefix)0042)")
                    }
                }
            case "title":
                threat.title = fields.singleLine(value, field: "title") ?? ""
            case "stride":
                var categories: [StrideCategory] = []
                for (text, node) in fields.stringList(value, field: "stride") ?? [] {
                    if let category = StrideCategory(rawValue: text) {
                        if categories.contains(category) {
                            fields.warning(node, .duplicateValue, "stride: '\(text)' is listed twice")
                        } else {
                            categories.append(category)
                        }
                    } else {
                        fields.error(node, .invalidValue, "stride: '\(text)' is not one of \(StrideCategory.choices)")
                    }
                }
                threat.stride = categories
                if case .sequence(let items, _) = value, items.isEmpty {
                    fields.error(value, .missingField, "stride: list at least one STRIDE category")
                } else if value.isNullScalar {
                    fields.error(value, .missingField, "stride: list at least one STRIDE category")
                }
            case "element":
                threat.element = value.isNullScalar ? nil : fields.singleLine(value, field: "element")
            case "assets":
                threat.assets = (fields.stringList(value, field: "assets") ?? []).map(\.0)
            case "severity":
                threat.severity = fields.enumValue(value, field: "severity", as: Severity.self)
            case "status":
                threat.status = fields.enumValue(value, field: "status", as: ThreatStatus.self)
            case "owner":
                threat.owner = value.isNullScalar ? nil : fields.singleLine(value, field: "owner")
            case "review_every":
                threat.reviewEvery = fields.cadence(value, field: "review_every")
            case "reviewed":
                threat.reviewed = readReviewed(value, fields: &fields)
            case "mitigations":
                threat.mitigations = readMitigations(value, reader: reader, fields: &fields)
            case "threat":
                threat.statement = readStatement(value, reader: reader, fields: &fields)
            case "tags":
                let tags = fields.stringList(value, field: "tags") ?? []
                threat.tags = tags.map(\.0)
                if let (_, node) = tags.first(where: { $0.0 == strideInferredTag }) {
                    fields.warning(node, .strideInferred, "stride: \(threat.stride.isEmpty ? "inferred" : "[" + threat.stride.map(\.rawValue).joined(separator: ", ") + "]") was inferred on import, not chosen by a person; check it, then remove the '\(strideInferredTag)' tag")
                }
            case "threat_composer":
                threat.threatComposer = readThreatComposer(value, fields: &fields)
            case "vulnerabilities":
                threat.vulnerabilities = readVulnerabilities(value, reader: reader, fields: &fields)
            default:
                threat.extraKeys.append(key)
                fields.checkUnknown(key, keyNode: keyNode, known: knownFields)
            }
        }
        for required in ["id", "title", "stride", "severity", "status"] where !seen.contains(required) {
            fields.error(root, .missingField, "\(required): required field is missing")
        }
        if let status = threat.status, status.needsOwner, threat.owner == nil {
            let node = pairs.first { $0.key == "owner" }?.value ?? root
            fields.error(node, .missingField, "owner: required while status is \(status.rawValue)")
        }
        if threat.id.isEmpty && idNode != nil {
            // The id could not be read; nothing else can refer to this threat.
            return ParsedThreatFile(path: path, threat: nil, diagnostics: fields.diagnostics)
        }
        if !seen.contains("id") {
            return ParsedThreatFile(path: path, threat: nil, diagnostics: fields.diagnostics)
        }
        return ParsedThreatFile(path: path, threat: threat, diagnostics: fields.diagnostics)
    }

    static func readReviewed(_ value: YNode, fields: inout FieldReader) -> ReviewClaim? {
        if value.isNullScalar { return nil }
        guard let pairs = value.orderedPairs else {
            fields.error(value, .invalidType, "reviewed: expected a mapping with 'on' and 'by', found \(value.kindName)")
            return nil
        }
        var claim = ReviewClaim(on: nil, by: nil)
        for (key, keyNode, item) in pairs {
            switch key {
            case "on": claim.on = fields.day(item, field: "reviewed.on")
            case "by": claim.by = fields.singleLine(item, field: "reviewed.by")
            default: fields.checkUnknown(key, keyNode: keyNode, known: ["on", "by"])
            }
        }
        if !pairs.contains(where: { $0.key == "on" }) {
            fields.error(value, .missingField, "reviewed.on: required in a reviewed block")
        }
        return claim
    }

    private static func readMitigations(_ value: YNode, reader: YAMLReader, fields: inout FieldReader) -> [Mitigation] {
        if value.isNullScalar { return [] }
        guard case .sequence(let items, _) = value else {
            fields.error(value, .invalidType, "mitigations: expected a list, found \(value.kindName)")
            return []
        }
        var out: [Mitigation] = []
        var ids: [String: YNode] = [:]
        for (index, item) in items.enumerated() {
            var nested = FieldReader(reader: reader, context: "mitigations[\(index + 1)].")
            defer { fields.absorb(nested) }
            guard let pairs = item.orderedPairs else {
                nested.error(item, .invalidType, "expected a mapping with id, title and status, found \(item.kindName)")
                continue
            }
            var mitigation = Mitigation(id: "", title: "", status: nil, owner: nil, evidence: [], verified: nil)
            if let reference = CatalogParser.readReference(pairs, item: item, fields: &nested) {
                out.append(reference)
                continue
            }
            for (key, keyNode, field) in pairs {
                switch key {
                case "id":
                    mitigation.id = nested.singleLine(field, field: "id") ?? ""
                    if !mitigation.id.isEmpty {
                        if ids[mitigation.id] != nil {
                            nested.error(field, .duplicateMitigationId, "id: '\(mitigation.id)' is used by another mitigation of this threat")
                        }
                        ids[mitigation.id] = field
                    }
                case "title": mitigation.title = nested.singleLine(field, field: "title") ?? ""
                case "status": mitigation.status = nested.enumValue(field, field: "status", as: MitigationStatus.self)
                case "owner": mitigation.owner = field.isNullScalar ? nil : nested.singleLine(field, field: "owner")
                case "evidence": mitigation.evidence = (nested.stringList(field, field: "evidence") ?? []).map(\.0)
                case "verified": mitigation.verified = field.isNullScalar ? nil : nested.day(field, field: "verified")
                default: nested.checkUnknown(key, keyNode: keyNode, known: mitigationFields)
                }
            }
            for required in ["id", "title", "status"] where !pairs.contains(where: { $0.key == required }) {
                nested.error(item, .missingField, "\(required): required field is missing")
            }
            for pattern in mitigation.evidence where pattern.hasPrefix("/") || pattern.split(separator: "/").contains("..") {
                nested.error(item, .invalidValue, "evidence: '\(pattern)' must be a repository-relative path (no leading '/', no '..')")
            }
            out.append(mitigation)
        }
        return out
    }

    private static func readThreatComposer(_ value: YNode, fields: inout FieldReader) -> ThreatComposerLink? {
        guard let pairs = value.orderedPairs else {
            fields.error(value, .invalidType, "threat_composer: expected a mapping with id")
            return nil
        }
        var link = ThreatComposerLink(id: "")
        for (key, _, item) in pairs {
            switch key {
            case "id": link.id = fields.singleLine(item, field: "threat_composer.id") ?? ""
            case "numeric_id": link.numericID = fields.string(item, field: "threat_composer.numeric_id").flatMap { Int($0) }
            case "custom":
                for (name, _, entry) in item.orderedPairs ?? [] {
                    link.custom[name] = (fields.stringList(entry, field: "threat_composer.custom.\(name)") ?? []).map(\.0)
                }
            case "statement": link.statement = fields.string(item, field: "threat_composer.statement")
            default: break
            }
        }
        return link.id.isEmpty ? nil : link
    }

    private static func readStatement(_ value: YNode, reader: YAMLReader, fields: inout FieldReader) -> ThreatStatement? {
        if value.isNullScalar { return nil }
        guard let pairs = value.orderedPairs else {
            fields.error(value, .invalidType, "threat: expected a mapping (source, prerequisites, action, impact…), found \(value.kindName)")
            return nil
        }
        var statement = ThreatStatement()
        for (key, keyNode, item) in pairs {
            switch key {
            case "source": statement.source = fields.string(item, field: "threat.source")
            case "prerequisites": statement.prerequisites = fields.string(item, field: "threat.prerequisites")
            case "action": statement.action = fields.string(item, field: "threat.action")
            case "impact": statement.impact = fields.string(item, field: "threat.impact")
            case "impacted_goal": statement.impactedGoal = (fields.stringList(item, field: "threat.impacted_goal") ?? []).map(\.0)
            case "impacted_assets": statement.impactedAssets = (fields.stringList(item, field: "threat.impacted_assets") ?? []).map(\.0)
            default: fields.checkUnknown(key, keyNode: keyNode, known: statementFields)
            }
        }
        return statement
    }

    /// `<prefix><one or more digits>`.
    public static func isValidID(_ id: String, prefix: String) -> Bool {
        if let ascii = asciiDigitsAfter(prefix, in: id) { return ascii.digits > 0 && ascii.end == id.utf8.count }
        guard id.hasPrefix(prefix) else { return false }
        let digits = id.dropFirst(prefix.count)
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// The id a file name starts with (`T-0042-forged-jwt.md` → `T-0042`), if any.
    public static func idInFileName(_ fileName: String, prefix: String) -> String? {
        if let ascii = asciiDigitsAfter(prefix, in: fileName) {
            guard ascii.digits > 0 else { return nil }
            let bytes = fileName.utf8
            guard ascii.end == bytes.count || [UInt8(ascii: "-"), UInt8(ascii: ".")].contains(bytes[bytes.index(bytes.startIndex, offsetBy: ascii.end)])
            else { return nil }
            return String(decoding: bytes.prefix(ascii.end), as: UTF8.self)
        }
        guard fileName.hasPrefix(prefix) else { return nil }
        let digits = fileName.dropFirst(prefix.count).prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { return nil }
        let rest = fileName.dropFirst(prefix.count + digits.count)
        guard rest.isEmpty || rest.hasPrefix("-") || rest.hasPrefix(".") else { return nil }
        return prefix + digits
    }

    /// For an all-ASCII text and prefix (where bytes and characters agree): whether the text starts
    /// with the prefix, and then how many ASCII digits follow and where they end (UTF-8 offset).
    /// nil when either is not ASCII (the caller then compares characters); digits -1 without the prefix.
    static func asciiDigitsAfter(_ prefix: String, in text: String) -> (digits: Int, end: Int)? {
        var textBytes = text.utf8.makeIterator()
        var offset = 0
        for byte in prefix.utf8 {
            guard byte < 0x80 else { return nil }
            guard let next = textBytes.next() else { return text.utf8.allSatisfy({ $0 < 0x80 }) ? (-1, 0) : nil }
            guard next < 0x80 else { return nil }
            if next != byte { return text.utf8.allSatisfy({ $0 < 0x80 }) ? (-1, 0) : nil }
            offset += 1
        }
        var digits = 0
        var end = offset
        var inDigits = true
        while let next = textBytes.next() {
            guard next < 0x80 else { return nil }
            if inDigits && next >= UInt8(ascii: "0") && next <= UInt8(ascii: "9") {
                digits += 1
                end += 1
            } else {
                inDigits = false
            }
        }
        return (digits, end)
    }
}

extension FieldReader {
    mutating func absorb(_ other: FieldReader) {
        for diagnostic in other.diagnostics { append(diagnostic) }
    }
}
