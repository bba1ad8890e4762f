import ThreatModel

/// The system as one model source has it (work tree, index or commit): its templates, parsed,
/// what they declare, and where `elements.yml` disagrees with them.
public struct SystemModel: Sendable {
    public let templates: [CloudFormationTemplate]
    public let discovered: DiscoveredSystem
    /// Template problems at `path:line`, and templates that could not be read at all.
    public let problems: [Diagnostic]
    public internal(set) var drift: SystemDrift

    public var templatePaths: [String] { drift.templatePaths }
    public var isEmpty: Bool { drift.templatePaths.isEmpty && problems.isEmpty }

    /// Model-root relative paths whose history matters: the templates, and the code their
    /// resources deploy.
    public var watchedPaths: [String] {
        templatePaths + discovered.fingerprints.values.flatMap(\.codePaths)
    }

    /// Reads the templates `config.system` names (or finds them) from `source`, and compares
    /// them with `elements` (the model's elements.yml).
    public static func read(from source: ModelFileSource, config: ModelConfig, elements: [Element]) throws -> SystemModel {
        let found = try TemplateFiles(source: source, settings: config.system,
                                      declaresTemplate: CloudFormationTemplate.looksLikeTemplate).find()
        return make(found: found, config: config, elements: elements)
    }

    /// The same from templates already found (or named on the command line).
    public static func make(found: [TemplateFiles.Found], config: ModelConfig, elements: [Element]) -> SystemModel {
        var problems: [Diagnostic] = []
        var templates: [CloudFormationTemplate] = []
        for item in found {
            switch item {
            case .unreadable(let path, let reason):
                problems.append(Diagnostic(path: path, line: 0, column: 0, severity: .error, rule: LintRule.templateUnreadable.rawValue,
                                           message: "\(path) \(reason)"))
            case .file(let file):
                let parsed = CloudFormationTemplate.parse(path: file.path, bytes: file.bytes)
                problems += parsed.diagnostics
                if let template = parsed.template { templates.append(template) }
            }
        }
        let discovered = SystemDiscovery.discover(templates: templates, mapping: config.system.mapping)
        problems += discovered.diagnostics
        let drift = SystemDrift(elements: elements, system: discovered, templatePaths: found.map(\.path))
        return SystemModel(templates: templates, discovered: discovered, problems: problems.sorted(by: Diagnostic.sortKey), drift: drift)
    }
}
