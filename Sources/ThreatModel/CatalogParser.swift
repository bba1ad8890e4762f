import Yams

/// The result of reading one catalog file: the item (when its id could be read) and every problem.
public struct ParsedCatalogFile: Sendable {
    public let path: String
    public let kind: CatalogKind
    public var mitigation: SharedMitigation?
    public var assumption: Assumption?
    public let diagnostics: [Diagnostic]

    public var id: String? { mitigation?.id ?? assumption?.id }
}

/// Reads catalog files (`mitigations/MIT-…md`, `assumptions/ASM-…md`): YAML front matter and a
/// Markdown body, with the same limits and the same rules as threat files. Never throws.
public enum CatalogParser {
    public static let mitigationFields = ["id", "title", "status", "owner", "evidence", "verified", "reviewed", "threat_composer"]
    public static let assumptionFields = ["id", "statement", "owner", "links", "review_every", "reviewed", "threat_composer"]
    static let composerFields = ["id", "numeric_id", "content", "status", "comments", "tags", "custom"]

    public static func parse(path: String, bytes: [UInt8], kind: CatalogKind) -> ParsedCatalogFile {
        func fail(_ diagnostics: [Diagnostic]) -> ParsedCatalogFile {
            ParsedCatalogFile(path: path, kind: kind, diagnostics: diagnostics)
        }
        func fail(_ line: Int, _ rule: LintRule, _ message: String) -> ParsedCatalogFile {
            fail([Diagnostic(path: path, line: line, column: line == 0 ? 0 : 1, rule: rule, severity: .error, message: message)])
        }
        let source: SourceText
        switch SourceText.decode(bytes) {
        case .success(let decoded): source = decoded
        case .failure(.tooLarge(let size)):
            return fail(0, .fileTooLarge, "file is \(size) bytes; catalog files are limited to \(Limits.maximumFileBytes) bytes")
        case .failure(.notUTF8(let offset, let line)):
            return fail(line, .notUtf8, "file is not valid UTF-8 (first bad byte at offset \(offset))")
        }
        let split: FrontMatterSplit
        switch FrontMatterSplit.split(source.text) {
        case .success(let found): split = found
        case .failure(.missing):
            return fail(1, .frontMatterMissing, "no front matter: a catalog file starts with a '---' line, then YAML, then '---'")
        case .failure(.unterminated(let line)):
            return fail(line, .frontMatterUnterminated, "front matter opened here is never closed with a '---' line")
        }
        let reader = YAMLReader(path: path, lineOffset: split.yamlLineOffset)
        let root: YNode
        switch reader.compose(split.yaml) {
        case .failure(let diagnostic): return fail([diagnostic])
        case .success(nil): return fail(2, .frontMatterEmpty, "front matter is empty; it needs at least an id")
        case .success(let node?): root = node
        }
        var fields = FieldReader(reader: reader)
        guard let pairs = root.orderedPairs else {
            fields.error(root, .frontMatterNotMapping, "front matter must be a mapping of fields, found \(root.kindName)")
            return fail(fields.diagnostics)
        }
        var id = ""
        var locations: [String: SourceLocation] = [:]
        for (key, keyNode, value) in pairs {
            locations[key] = reader.location(keyNode)
            guard key == "id" else { continue }
            if let text = fields.singleLine(value, field: "id") {
                id = text
                if !ThreatParser.isValidID(ThreatID.key(text), prefix: kind.idPrefix) {
                    fields.error(value, .invalidId, "id: '\(text)' must be '\(kind.idPrefix)' followed by digits (e.g. \(kind.idPrefix)0001)")
                }
            }
        }
        if !pairs.contains(where: { $0.key == "id" }) { fields.error(root, .missingField, "id: required field is missing") }
        var result = ParsedCatalogFile(path: path, kind: kind, diagnostics: [])
        switch kind {
        case .mitigation:
            var item = SharedMitigation(id: id, path: path, body: split.body, locations: locations)
            for (key, keyNode, value) in pairs {
                switch key {
                case "id": break
                case "title": item.title = fields.singleLine(value, field: "title") ?? ""
                case "status": item.status = fields.enumValue(value, field: "status", as: MitigationStatus.self)
                case "owner": item.owner = value.isNullScalar ? nil : fields.singleLine(value, field: "owner")
                case "evidence":
                    item.evidence = (fields.stringList(value, field: "evidence") ?? []).map(\.0)
                    for pattern in item.evidence where pattern.hasPrefix("/") || pattern.split(separator: "/").contains("..") {
                        fields.error(value, .invalidValue, "evidence: '\(pattern)' must be a repository-relative path (no leading '/', no '..')")
                    }
                case "verified": item.verified = value.isNullScalar ? nil : fields.day(value, field: "verified")
                case "reviewed": item.reviewed = readReviewed(value, fields: &fields)
                case "threat_composer": item.threatComposer = readComposer(value, fields: &fields)
                default:
                    item.extraKeys.append(key)
                    fields.checkUnknown(key, keyNode: keyNode, known: mitigationFields)
                }
            }
            for required in ["title", "status"] where !pairs.contains(where: { $0.key == required }) {
                fields.error(root, .missingField, "\(required): required field is missing")
            }
            if !id.isEmpty { result.mitigation = item }
        case .assumption:
            var item = Assumption(id: id, path: path, body: split.body, locations: locations)
            for (key, keyNode, value) in pairs {
                switch key {
                case "id": break
                case "statement":
                    if let text = fields.string(value, field: "statement") {
                        if text.trimmingCharacters(in: " \t\n").isEmpty { fields.error(value, .invalidValue, "statement: must not be empty") }
                        item.statement = text
                    }
                case "owner": item.owner = value.isNullScalar ? nil : fields.singleLine(value, field: "owner")
                case "links":
                    if value.isNullScalar { break }
                    guard let linkPairs = value.orderedPairs else {
                        fields.error(value, .invalidType, "links: expected a mapping with threats and mitigations, found \(value.kindName)")
                        break
                    }
                    for (linkKey, linkKeyNode, list) in linkPairs {
                        switch linkKey {
                        case "threats": item.threats = (fields.stringList(list, field: "links.threats") ?? []).map(\.0)
                        case "mitigations": item.mitigations = (fields.stringList(list, field: "links.mitigations") ?? []).map(\.0)
                        default: fields.checkUnknown(linkKey, keyNode: linkKeyNode, known: ["threats", "mitigations"])
                        }
                    }
                case "review_every": item.reviewEvery = fields.cadence(value, field: "review_every")
                case "reviewed": item.reviewed = readReviewed(value, fields: &fields)
                case "threat_composer": item.threatComposer = readComposer(value, fields: &fields)
                default:
                    item.extraKeys.append(key)
                    fields.checkUnknown(key, keyNode: keyNode, known: assumptionFields)
                }
            }
            if !pairs.contains(where: { $0.key == "statement" }) { fields.error(root, .missingField, "statement: required field is missing") }
            if !id.isEmpty { result.assumption = item }
        }
        return ParsedCatalogFile(path: path, kind: kind, mitigation: result.mitigation, assumption: result.assumption,
                                 diagnostics: fields.diagnostics)
    }

    /// `- ref: MIT-0001` in a threat's `mitigations:` list; nil when the entry is not a reference.
    static func readReference(_ pairs: [(key: String, keyNode: YNode, value: YNode)], item: YNode, fields: inout FieldReader) -> Mitigation? {
        guard let reference = pairs.first(where: { $0.key == "ref" }) else { return nil }
        let id = fields.singleLine(reference.value, field: "ref") ?? ""
        if !id.isEmpty && !ThreatParser.isValidID(ThreatID.key(id), prefix: CatalogKind.mitigation.idPrefix) {
            fields.error(reference.value, .invalidId, "ref: '\(id)' must name a shared mitigation ('MIT-' followed by digits)")
        }
        for (key, keyNode, _) in pairs where key != "ref" {
            fields.error(keyNode, .invalidValue, "\(key): a 'ref' entry takes its fields from the shared mitigation \(id); set \(key) in its file")
        }
        return Mitigation(id: id, title: "", status: nil, owner: nil, evidence: [], verified: nil, ref: id)
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
        if !pairs.contains(where: { $0.key == "on" }) { fields.error(value, .missingField, "reviewed.on: required in a reviewed block") }
        return claim
    }

    static func readComposer(_ value: YNode, fields: inout FieldReader) -> CatalogComposerLink? {
        guard let pairs = value.orderedPairs else {
            fields.error(value, .invalidType, "threat_composer: expected a mapping with id")
            return nil
        }
        var link = CatalogComposerLink(id: "")
        for (key, keyNode, item) in pairs {
            switch key {
            case "id": link.id = fields.singleLine(item, field: "threat_composer.id") ?? ""
            case "numeric_id": link.numericID = fields.string(item, field: "threat_composer.numeric_id").flatMap { Int($0) }
            case "content": link.content = fields.string(item, field: "threat_composer.content")
            case "status": link.status = fields.singleLine(item, field: "threat_composer.status")
            case "comments": link.comments = fields.string(item, field: "threat_composer.comments")
            case "tags": link.tags = (fields.stringList(item, field: "threat_composer.tags") ?? []).map(\.0)
            case "custom":
                for (name, _, entry) in item.orderedPairs ?? [] {
                    link.custom[name] = (fields.stringList(entry, field: "threat_composer.custom.\(name)") ?? []).map(\.0)
                }
            default: fields.checkUnknown(key, keyNode: keyNode, known: composerFields)
            }
        }
        return link.id.isEmpty ? nil : link
    }
}
