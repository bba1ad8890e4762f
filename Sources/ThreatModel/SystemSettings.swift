/// What `system:` in `.tmrepo.yml` says about the infrastructure templates that describe the system.
///
/// ```yaml
/// system:
///   templates: [template.yaml, "infra/**/*.yaml"]   # default: found by name and content
///   resource_kinds:                                  # extends or overrides the built-in table
///     AWS::Batch::JobQueue: data-flow
///     Custom::AuditHook: none                        # not an element
/// ```
public struct SystemSettings: Hashable, Sendable {
    /// Globs (relative to the model root) of template files; empty means "find them by name and content".
    public var templates: [String] = []
    /// Resource type (or a prefix ending in `*`) → what it becomes. Overrides the built-in table.
    public var resourceKinds: [String: ResourceRole] = [:]

    public init(templates: [String] = [], resourceKinds: [String: ResourceRole] = [:]) {
        self.templates = templates
        self.resourceKinds = resourceKinds
    }

    /// The built-in resource table with this model's `resource_kinds` applied.
    public var mapping: ResourceMapping {
        ResourceMapping(overrides: resourceKinds)
    }

    static let keys = ["templates", "resource_kinds"]

    static func read(_ value: YNode, fields: inout FieldReader) -> SystemSettings {
        var settings = SystemSettings()
        if value.isNullScalar { return settings }
        guard let pairs = value.orderedPairs else {
            fields.error(value, .invalidType, "system: expected a mapping (templates, resource_kinds)")
            return settings
        }
        for (key, keyNode, item) in pairs {
            switch key {
            case "templates":
                for (glob, node) in fields.stringList(item, field: "system.templates") ?? [] {
                    if glob.hasPrefix("/") || glob.split(separator: "/").contains("..") {
                        fields.error(node, .invalidValue, "system.templates: '\(glob)' must be a path or glob inside the model root")
                    } else {
                        settings.templates.append(glob)
                    }
                }
            case "resource_kinds":
                if item.isNullScalar { continue }
                guard let kinds = item.orderedPairs else {
                    fields.error(item, .invalidType, "system.resource_kinds: expected a mapping of resource type to element kind")
                    continue
                }
                for (type, typeNode, kindNode) in kinds {
                    guard type.contains("::"), !type.contains(where: \.isWhitespace) else {
                        fields.error(typeNode, .invalidValue, "system.resource_kinds: '\(type)' is not a resource type (e.g. AWS::SQS::Queue)")
                        continue
                    }
                    guard let text = fields.singleLine(kindNode, field: "system.resource_kinds.\(type)") else { continue }
                    if let role = ResourceRole(configValue: text) {
                        settings.resourceKinds[type] = role
                    } else {
                        fields.error(kindNode, .invalidValue, "system.resource_kinds.\(type): '\(text)' is not one of \(ElementKind.choices), none")
                    }
                }
            default:
                fields.checkUnknown(key, keyNode: keyNode, known: keys)
                if !keys.contains(where: { editDistance($0, key) <= 2 }) {
                    fields.warning(keyNode, .unknownField, "system.\(key): unknown setting (ignored)")
                }
            }
        }
        return settings
    }
}
