
/// A reusable threat: a threat file whose front matter also has a `template:` block
/// (name, summary, applies_to, service). `tmrepo new --template` instantiates it.
public struct ThreatTemplate: Sendable {
    public let name: String
    public let summary: String
    /// The element kind the threat applies to, for STRIDE-per-element.
    public let appliesTo: ElementKind?
    public let service: String?
    public let title: String
    public let stride: [StrideCategory]
    public let severity: Severity?
    public let mitigationCount: Int
    public let bytes: [UInt8]

    public enum Problem: Error, CustomStringConvertible {
        case invalid(String)
        public var description: String {
            switch self { case .invalid(let why): why }
        }
    }

    /// Reads a template file; `fallbackName` (the file name) is used when the block has no name.
    public static func parse(bytes: [UInt8], fallbackName: String) throws -> ThreatTemplate {
        let parsed = ThreatParser.parse(path: fallbackName, bytes: bytes)
        guard let threat = parsed.threat else {
            throw Problem.invalid(parsed.diagnostics.map(\.formatted).joined(separator: "; "))
        }
        var name = fallbackName, summary = threat.title, appliesTo: ElementKind?, service: String?
        if case .success(let split) = FrontMatterSplit.split(String(decoding: bytes, as: UTF8.self)),
           case .success(let root?) = YAMLReader(path: fallbackName, lineOffset: 1).compose(split.yaml),
           let block = root.orderedPairs?.first(where: { $0.key == "template" })?.value,
           let pairs = block.orderedPairs {
            for (key, _, value) in pairs {
                let text = value.string
                switch key {
                case "name": name = text ?? name
                case "summary": summary = text ?? summary
                case "applies_to": appliesTo = text.flatMap(ElementKind.init(rawValue:))
                case "service": service = text
                default: break
                }
            }
        }
        return ThreatTemplate(name: name, summary: summary, appliesTo: appliesTo, service: service, title: threat.title,
                              stride: threat.stride, severity: threat.severity, mitigationCount: threat.mitigations.count, bytes: bytes)
    }

    /// What `tmrepo new` asks for; nil fields keep the template's value.
    public struct Request: Sendable {
        public var id: String
        public var title: String?
        public var stride: [StrideCategory]?
        public var severity: Severity?
        public var owner: String?
        public var element: String?

        public init(id: String, title: String? = nil, stride: [StrideCategory]? = nil, severity: Severity? = nil,
                    owner: String? = nil, element: String? = nil) {
            self.id = id
            self.title = title
            self.stride = stride
            self.severity = severity
            self.owner = owner
            self.element = element
        }
    }

    /// The new threat file's bytes: the template with its `template:` block removed and the
    /// requested fields set; comments, body and everything else come through unchanged.
    public func instantiate(_ request: Request) throws -> [UInt8] {
        var editor = try ThreatFileEditor(bytes: bytes)
        try editor.removeField("template")
        try editor.setField("id", to: request.id)
        if let title = request.title { try editor.setField("title", to: title) }
        if let stride = request.stride { try editor.setField("stride", rawYAML: "[" + stride.map(\.rawValue).joined(separator: ", ") + "]") }
        if let severity = request.severity { try editor.setField("severity", to: severity.rawValue) }
        if let owner = request.owner { try editor.setField("owner", to: owner) }
        if let element = request.element { try editor.setField("element", to: element) }
        return editor.bytes
    }

    /// A file-name slug from a title: lower case, ASCII letters and digits, words joined by '-'.
    public static func slug(_ title: String, maxLength: Int = 48) -> String {
        var words: [String] = []
        var current = ""
        for scalar in title.lowercased().unicodeScalars {
            if scalar.isASCII, CharacterSet.alphanumerics(scalar) {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        var slug = ""
        for word in words {
            let candidate = slug.isEmpty ? word : slug + "-" + word
            if candidate.count > maxLength { break }
            slug = candidate
        }
        return slug.isEmpty ? "threat" : slug
    }
}

private enum CharacterSet {
    static func alphanumerics(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
