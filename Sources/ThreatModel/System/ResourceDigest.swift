/// What the history engine compares to tell that an element's resource changed: a digest of the
/// resource's effective definition (type, properties with SAM Globals applied, condition),
/// independent of YAML or JSON, formatting, comments, quoting and key order; and for functions
/// and state machines, where their code lives.
public struct ResourceFingerprint: Sendable, Equatable {
    /// SHA-256 (hex) of the canonical definition.
    public var definitionDigest: String
    /// Code locations relative to the repository (the template's folder joined with `CodeUri`,
    /// `ContentUri`, `DefinitionUri`, image `DockerContext`), for "did the code change?".
    public var codePaths: [String]
    /// `Handler` (or the image's `Dockerfile`), when there is one.
    public var handler: String?
    /// SHA-256 (hex) of `InlineCode` / `Code.ZipFile` / an inline state machine `Definition`, when there is one.
    public var inlineCodeDigest: String?
}

extension CloudFormationTemplate {
    /// SAM types that inherit `Globals.<section>`.
    static let globalsSection: [String: String] = [
        "AWS::Serverless::Function": "Function", "AWS::Serverless::Api": "Api", "AWS::Serverless::HttpApi": "HttpApi",
        "AWS::Serverless::SimpleTable": "SimpleTable", "AWS::Serverless::StateMachine": "StateMachine",
        "AWS::Serverless::LayerVersion": "LayerVersion",
    ]

    /// The resource's properties with SAM `Globals` applied (maps merge, lists append, the resource wins).
    public func effectiveProperties(_ resource: TemplateResource) -> TemplateValue {
        guard let section = Self.globalsSection[resource.type], let inherited = globals[section], inherited.entries != nil else {
            return resource.properties
        }
        return Self.merge(inherited, resource.properties)
    }

    static func merge(_ base: TemplateValue, _ over: TemplateValue) -> TemplateValue {
        switch (base.kind, over.kind) {
        case (.map(let baseEntries), .map(let overEntries)):
            var out = baseEntries
            for entry in overEntries {
                if let index = out.firstIndex(where: { $0.key == entry.key }) {
                    out[index].value = merge(out[index].value, entry.value)
                    out[index].keyLine = entry.keyLine
                } else {
                    out.append(entry)
                }
            }
            return TemplateValue(.map(out), line: over.line, column: over.column)
        case (.list(let baseItems), .list(let overItems)):
            return TemplateValue(.list(baseItems + overItems), line: over.line, column: over.column)
        default:
            return over
        }
    }

    public func fingerprint(_ resource: TemplateResource) -> ResourceFingerprint {
        let properties = effectiveProperties(resource)
        var canonical: [UInt8] = []
        Self.encode(TemplateValue(.string(resource.type)), into: &canonical)
        Self.encode(properties, into: &canonical)
        Self.encode(TemplateValue(resource.condition.map { .string($0) } ?? .null), into: &canonical)
        let folder = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        var codePaths: [String] = []
        for key in ["CodeUri", "ContentUri", "DefinitionUri"] {
            if let local = properties[key]?.string, !local.hasPrefix("s3://") { codePaths.append(Self.join(folder, local)) }
        }
        if let context = resource.metadata?["DockerContext"]?.string { codePaths.append(Self.join(folder, context)) }
        var inline: TemplateValue?
        for candidate in [properties["InlineCode"], properties["Code"]?["ZipFile"], properties["Definition"], properties["DefinitionString"]] {
            if let candidate { inline = candidate; break }
        }
        return ResourceFingerprint(
            definitionDigest: Self.hex(ContentHash.sha256(canonical)), codePaths: codePaths,
            handler: properties["Handler"]?.string ?? resource.metadata?["Dockerfile"]?.string,
            inlineCodeDigest: inline.map { value in
                var bytes: [UInt8] = []
                Self.encode(value, into: &bytes)
                return Self.hex(ContentHash.sha256(bytes))
            })
    }

    /// Joins a template-relative path onto the template's folder, resolving `.` and `..`
    /// (never above the repository root).
    static func join(_ folder: String, _ relative: String) -> String {
        var parts: [Substring] = []
        for part in (folder.isEmpty ? relative : folder + "/" + relative).split(separator: "/") {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// Canonical bytes: a type byte, then length-prefixed text; maps in key order; scalars by
    /// their text, so `30`, `"30"` and `'30'` are one value (CloudFormation passes them on alike).
    static func encode(_ value: TemplateValue, into out: inout [UInt8]) {
        func text(_ string: String) {
            let bytes = Array(string.utf8)
            out.append(contentsOf: withUnsafeBytes(of: UInt32(bytes.count).bigEndian, Array.init))
            out.append(contentsOf: bytes)
        }
        switch value.kind {
        case .string(let string), .number(let string):
            out.append(0x73); text(string)
        case .bool(let flag):
            out.append(0x73); text(flag ? "true" : "false")
        case .null:
            out.append(0x6E)
        case .list(let items):
            out.append(0x6C); text(String(items.count))
            for item in items { encode(item, into: &out) }
        case .map(let entries):
            out.append(0x6D); text(String(entries.count))
            for entry in entries.sorted(by: { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }) {
                text(entry.key)
                encode(entry.value, into: &out)
            }
        case .intrinsic(let name, let argument):
            out.append(0x66); text(name)
            encode(argument, into: &out)
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var out = ""
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return out
    }
}
