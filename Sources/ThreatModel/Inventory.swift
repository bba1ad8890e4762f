import Yams

/// A data-flow-diagram element from `elements.yml`.
public struct Element: Hashable, Sendable {
    public var id: String
    public var kind: ElementKind
    public var name: String
    public var description: String?
    /// For data flows: the elements it connects.
    public var from: String?
    public var to: String?
    public var trustBoundary: String?
    /// The template resource this element stands for, when it was discovered or linked by hand.
    public var resource: ResourceLink?
    /// The line of the element's entry in elements.yml (0 when not read from a file).
    public var line: Int = 0

    public init(id: String, kind: ElementKind, name: String, description: String? = nil, from: String? = nil,
                to: String? = nil, trustBoundary: String? = nil, resource: ResourceLink? = nil) {
        self.id = id
        self.kind = kind
        self.name = name
        self.description = description
        self.from = from
        self.to = to
        self.trustBoundary = trustBoundary
        self.resource = resource
    }
}

/// Something worth protecting, from `assets.yml`.
public struct Asset: Hashable, Sendable {
    public var id: String
    public var name: String
    public var description: String?
    public var classification: String?

    public init(id: String, name: String, description: String? = nil, classification: String? = nil) {
        self.id = id
        self.name = name
        self.description = description
        self.classification = classification
    }
}

public enum InventoryParser {
    public static let elementsFile = "elements.yml"
    public static let assetsFile = "assets.yml"

    /// Reads `elements.yml`: a list under `elements:` (or a bare list) of {id, kind, name, …}.
    public static func parseElements(path: String = elementsFile, bytes: [UInt8]) -> ([Element], [Diagnostic]) {
        parseList(path: path, bytes: bytes, key: "elements") { pairs, item, fields in
            var id: String?, kind: ElementKind?, name: String?
            var element = Element(id: "", kind: .process, name: "")
            for (key, keyNode, value) in pairs {
                switch key {
                case "id": id = fields.singleLine(value, field: "id")
                case "kind": kind = fields.enumValue(value, field: "kind", as: ElementKind.self)
                case "name": name = fields.singleLine(value, field: "name")
                case "description": element.description = fields.string(value, field: "description")
                case "from": element.from = fields.singleLine(value, field: "from")
                case "to": element.to = fields.singleLine(value, field: "to")
                case "trust_boundary": element.trustBoundary = fields.singleLine(value, field: "trust_boundary")
                case "resource":
                    if let text = fields.singleLine(value, field: "resource") {
                        if let link = ResourceLink(reference: text) {
                            element.resource = link
                        } else {
                            fields.error(value, .invalidValue, "resource: '\(text)' is not a template resource (path/to/template.yaml#LogicalId, inside the model root)")
                        }
                    }
                default: fields.checkUnknown(key, keyNode: keyNode, known: ["id", "kind", "name", "description", "from", "to", "trust_boundary", "resource"])
                }
            }
            if !pairs.contains(where: { $0.key == "kind" }) {
                fields.error(item, .missingField, "kind: required (\(ElementKind.choices))")
            }
            guard let id, let kind else { return nil }
            element.line = item.mark.line
            element.id = id
            element.kind = kind
            element.name = name ?? id
            return element
        }
    }

    /// Reads `assets.yml`: a list under `assets:` (or a bare list) of {id, name, …}.
    public static func parseAssets(path: String = assetsFile, bytes: [UInt8]) -> ([Asset], [Diagnostic]) {
        parseList(path: path, bytes: bytes, key: "assets") { pairs, _, fields in
            var asset = Asset(id: "", name: "")
            var id: String?
            for (key, keyNode, value) in pairs {
                switch key {
                case "id": id = fields.singleLine(value, field: "id")
                case "name": asset.name = fields.singleLine(value, field: "name") ?? ""
                case "description": asset.description = fields.string(value, field: "description")
                case "classification": asset.classification = fields.singleLine(value, field: "classification")
                default: fields.checkUnknown(key, keyNode: keyNode, known: ["id", "name", "description", "classification"])
                }
            }
            guard let id else { return nil }
            asset.id = id
            if asset.name.isEmpty { asset.name = id }
            return asset
        }
    }

    private static func parseList<T>(path: String, bytes: [UInt8], key: String,
                                     read: (_ pairs: [(key: String, keyNode: YNode, value: YNode)], _ item: YNode, _ fields: inout FieldReader) -> T?)
        -> ([T], [Diagnostic]) {
        let text: String
        switch SourceText.decode(bytes) {
        case .success(let decoded): text = decoded.text
        case .failure(.tooLarge(let size)):
            return ([], [Diagnostic(path: path, line: 0, column: 0, severity: .error, rule: LintRule.fileTooLarge.rawValue, message: "file is \(size) bytes")])
        case .failure(.notUTF8(_, let line)):
            return ([], [Diagnostic(path: path, line: line, column: 1, severity: .error, rule: LintRule.notUtf8.rawValue, message: "file is not valid UTF-8")])
        }
        let reader = YAMLReader(path: path, lineOffset: 0)
        var fields = FieldReader(reader: reader)
        let root: YNode
        switch reader.compose(text) {
        case .failure(let diagnostic): return ([], [diagnostic])
        case .success(nil): return ([], [])
        case .success(let node?): root = node
        }
        var listNode = root
        if let pairs = root.orderedPairs {
            guard let entry = pairs.first(where: { $0.key == key }) else {
                fields.error(root, .missingField, "\(key): expected a top-level '\(key):' list")
                return ([], fields.diagnostics)
            }
            listNode = entry.value
        }
        if listNode.isNullScalar { return ([], fields.diagnostics) }
        guard case .sequence(let items, _) = listNode else {
            fields.error(listNode, .invalidType, "\(key): expected a list, found \(listNode.kindName)")
            return ([], fields.diagnostics)
        }
        var out: [T] = []
        var seen: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            var nested = FieldReader(reader: reader, context: "\(key)[\(index + 1)].")
            defer { fields.absorb(nested) }
            guard let pairs = item.orderedPairs else {
                nested.error(item, .invalidType, "expected a mapping with an id, found \(item.kindName)")
                continue
            }
            if !pairs.contains(where: { $0.key == "id" }) {
                nested.error(item, .missingField, "id: required field is missing")
            }
            if let value = read(pairs, item, &nested) {
                let id = (value as? Element)?.id ?? (value as? Asset)?.id ?? ""
                if let first = seen[id] {
                    nested.error(item, .duplicateId, "id: '\(id)' is already used by \(key)[\(first)]")
                } else {
                    seen[id] = index + 1
                }
                out.append(value)
            }
        }
        return (out, fields.diagnostics)
    }
}
