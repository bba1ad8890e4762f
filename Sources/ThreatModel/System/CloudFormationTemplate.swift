/// One resource of a template: its logical id, type, the attributes that shape it, and the lines
/// its entry spans (scanner findings are mapped to resources by span).
public struct TemplateResource: Sendable, Equatable {
    public var logicalId: String
    public var type: String
    public var properties: TemplateValue
    public var condition: String?
    public var dependsOn: [String]
    public var metadata: TemplateValue?
    /// The whole entry under `Resources`, for digests and attributes not named above.
    public var definition: TemplateValue
    /// First (the logical id's line) and last line of the entry, 1-based.
    public var lines: ClosedRange<Int>
    public var column: Int
}

public struct TemplateParameter: Sendable, Equatable {
    public var name: String
    public var type: String?
    public var noEcho: Bool
    public var line: Int
}

/// A parsed AWS CloudFormation or SAM template.
public struct CloudFormationTemplate: Sendable, Equatable {
    public var path: String
    /// Resources in the order written.
    public var resources: [TemplateResource]
    public var parameters: [TemplateParameter]
    /// SAM `Globals` (`Function:`, `Api:`, …), or an empty map.
    public var globals: TemplateValue
    /// The `Transform` names (`AWS::Serverless-2016-10-31`, …).
    public var transforms: [String]
    public var outputs: TemplateValue?
    public var conditions: TemplateValue?
    public var root: TemplateValue

    public var isSAM: Bool { transforms.contains { $0.hasPrefix("AWS::Serverless") } }

    public func resource(_ logicalId: String) -> TemplateResource? {
        resourceIndex[logicalId].map { resources[$0] }
    }

    var resourceIndex: [String: Int] = [:]

    /// Reads a template, YAML or JSON. Fails with the first problem, at its `path:line:column`,
    /// for text that is not a template at all; per-resource problems (a resource without `Type`)
    /// are returned beside the template, which keeps every readable resource.
    public static func parse(path: String, bytes: [UInt8]) -> (template: CloudFormationTemplate?, diagnostics: [Diagnostic]) {
        func problem(_ line: Int, _ column: Int, _ rule: LintRule, _ message: String) -> Diagnostic {
            Diagnostic(path: path, line: line, column: column, rule: rule, message: message)
        }
        let text: String
        switch SourceText.decode(bytes) {
        case .success(let decoded): text = decoded.text
        case .failure(.tooLarge(let size)):
            return (nil, [problem(0, 0, .fileTooLarge, "template is \(size) bytes (at most \(Limits.maximumFileBytes))")])
        case .failure(.notUTF8(_, let line)):
            return (nil, [problem(line, 1, .notUtf8, "template is not valid UTF-8")])
        }
        let root: TemplateValue
        switch TemplateComposer(path: path, text: text).compose(text) {
        case .failure(let diagnostic): return (nil, [diagnostic])
        case .success(nil): return (nil, [problem(0, 0, .invalidType, "template is empty: expected a mapping with Resources")])
        case .success(let value?): root = value
        }
        guard let top = root.entries else {
            return (nil, [problem(root.line, root.column, .invalidType, "template: expected a mapping with Resources, found \(root.kindName)")])
        }
        guard let resourcesEntry = top.first(where: { $0.key == "Resources" }) else {
            return (nil, [problem(root.line, root.column, .missingField, "Resources: required section is missing")])
        }
        guard let resourceEntries = resourcesEntry.value.entries else {
            let value = resourcesEntry.value
            return (nil, [problem(value.line, value.column, .invalidType, "Resources: expected a mapping of logical ids to resources, found \(value.kindName)")])
        }
        var diagnostics: [Diagnostic] = []
        var template = CloudFormationTemplate(path: path, resources: [], parameters: [], globals: TemplateValue(.map([])),
                                              transforms: [], outputs: root["Outputs"], conditions: root["Conditions"], root: root)
        for entry in resourceEntries {
            let at = entry.value
            guard at.entries != nil else {
                diagnostics.append(problem(at.line, at.column, .invalidType, "Resources.\(entry.key): expected a mapping with Type, found \(at.kindName)"))
                continue
            }
            guard let typeValue = at["Type"] else {
                diagnostics.append(problem(entry.keyLine, entry.keyColumn, .missingField, "Resources.\(entry.key).Type: required field is missing"))
                continue
            }
            guard let type = typeValue.string, !type.isEmpty else {
                diagnostics.append(problem(typeValue.line, typeValue.column, .invalidType, "Resources.\(entry.key).Type: expected a resource type such as AWS::Lambda::Function, found \(typeValue.kindName)"))
                continue
            }
            var dependsOn: [String] = []
            if let value = at["DependsOn"] { dependsOn = value.list?.compactMap(\.string) ?? value.string.map { [$0] } ?? [] }
            template.resourceIndex[entry.key] = template.resources.count
            template.resources.append(TemplateResource(
                logicalId: entry.key, type: type, properties: at["Properties"] ?? TemplateValue(.map([]), line: at.line),
                condition: at["Condition"]?.string, dependsOn: dependsOn, metadata: at["Metadata"], definition: at,
                lines: entry.keyLine...max(entry.keyLine, entry.lastLine), column: entry.keyColumn))
        }
        for entry in root["Parameters"]?.entries ?? [] {
            template.parameters.append(TemplateParameter(name: entry.key, type: entry.value["Type"]?.string,
                                                         noEcho: entry.value["NoEcho"]?.isTrue ?? false, line: entry.keyLine))
        }
        if let globals = root["Globals"], globals.entries != nil { template.globals = globals }
        if let transform = root["Transform"] {
            template.transforms = transform.list?.compactMap { $0.string ?? $0["Name"]?.string } ?? transform.string.map { [$0] } ?? []
        }
        return (template, diagnostics)
    }

    /// Is this file worth parsing as a template? Cheap: the name, or a look at the first 64 KiB
    /// for `AWSTemplateFormatVersion` or the SAM transform. No parse.
    public static func looksLikeTemplate(path: String, bytes: [UInt8]) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if ["template.yaml", "template.yml", "template.json"].contains(name.lowercased()) { return true }
        let head = String(decoding: bytes.prefix(65_536), as: UTF8.self)
        return head.contains("AWSTemplateFormatVersion") || head.contains("AWS::Serverless-20")
    }
}

extension TemplateValue {
    var kindName: String {
        switch kind {
        case .string, .number, .bool: "a single value"
        case .null: "nothing"
        case .list: "a list"
        case .map: "a mapping"
        case .intrinsic(let name, _): "the function \(name)"
        }
    }
}
