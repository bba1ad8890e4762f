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
        let document: FrontMatterDocument
        switch FrontMatterDocument.read(path: path, bytes: bytes, wording: FrontMatterDocument.Wording(noun: "catalog file", emptyHint: "an id")) {
        case .success(let read): document = read
        case .failure(let unreadable): return fail(unreadable.diagnostics)
        }
        let (root, pairs, reader) = (document.root, document.pairs, document.reader)
        var fields = FieldReader(reader: reader)
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
            var item = SharedMitigation(id: id, path: path, body: document.body, locations: locations)
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
                case "reviewed": item.reviewed = ThreatParser.readReviewed(value, fields: &fields)
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
            var item = Assumption(id: id, path: path, body: document.body, locations: locations)
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
                case "reviewed": item.reviewed = ThreatParser.readReviewed(value, fields: &fields)
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
