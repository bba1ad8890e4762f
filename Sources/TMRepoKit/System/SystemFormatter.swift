import ThreatModel

/// Renders what `discover` found and added, and drift for the other commands.
public enum SystemFormatter {
    public static func discoveryJSON(_ system: SystemModel, plan: DiscoveryPlan, written: Bool) -> JSON {
        .object([
            ("version", .int(1)),
            ("templates", .array(system.templatePaths.map { .string($0) })),
            ("resources", .int(system.discovered.roles.count)),
            ("resources_by_role", .object(Dictionary(grouping: system.discovered.roles.values, by: { $0.map(\.description) ?? "unmapped" })
                .map { ($0.key, JSON.int($0.value.count)) }.sorted { $0.0 < $1.0 })),
            ("written", .bool(written)),
            ("added", .array(plan.additions.map { addition in
                let element = addition.element
                return .object([("id", .string(element.id)), ("kind", .string(element.kind.rawValue)), ("name", .string(element.name)),
                                ("resource", .optional(element.resource?.description)), ("from", .optional(element.from)),
                                ("to", .optional(element.to)), ("trust_boundary", .optional(element.trustBoundary)),
                                ("origin", .string(addition.origin))])
            })),
            ("unmapped", .array(system.discovered.unmapped.map { item in
                .object([("resource", .string(item.resource.description)), ("type", .string(item.type)), ("line", .int(item.line))])
            })),
            ("missing_resources", .array(system.drift.missingResources.map { item in
                .object([("element", .string(item.element.id)), ("resource", .string(item.link.description)), ("reason", .string(item.reason))])
            })),
            ("problems", .array(system.problems.map { diagnosticJSON($0) })),
        ])
    }

    public static func discoveryText(_ system: SystemModel, plan: DiscoveryPlan, written: Bool, style: Style) -> String {
        var out: [String] = []
        let errors = system.problems.filter { $0.severity == .error }
        if !errors.isEmpty {
            out.append(style.bold("The templates have errors (\(errors.count)); elements.yml is left as it is"))
            for problem in errors { out.append("  " + problem.formatted) }
            return out.joined(separator: "\n") + "\n"
        }
        let resources = system.discovered.roles.count
        out.append("\(system.templatePaths.count) template\(system.templatePaths.count == 1 ? "" : "s") (\(system.templatePaths.joined(separator: ", "))), \(resources) resources")
        if plan.additions.isEmpty {
            out.append("elements.yml already has every element and flow the templates declare")
        } else {
            out.append(style.bold((written ? "Added to elements.yml" : "Would add to elements.yml") + " (\(plan.additions.count))"))
            out += TextTable.render(header: ["id", "kind", "from", "origin"], rows: plan.additions.map { addition in
                let element = addition.element
                return [element.id, element.kind.rawValue, element.kind == .dataFlow ? "\(element.from ?? "?") → \(element.to ?? "?")" : (element.resource?.description ?? ""), addition.origin]
            }).split(separator: "\n").map { "  " + $0 }
        }
        if !system.discovered.unmapped.isEmpty {
            out.append(style.bold("Resource types with no mapping (\(system.discovered.unmapped.count)): add them to system: resource_kinds: in .tmrepo.yml"))
            for item in system.discovered.unmapped { out.append("  \(item.resource.path):\(item.line)  \(item.resource.logicalId)  \(item.type)") }
        }
        if !system.drift.missingResources.isEmpty {
            out.append(style.bold("Elements whose resource is gone (\(system.drift.missingResources.count))"))
            for item in system.drift.missingResources { out.append("  \(item.element.id): \(item.link) — \(item.reason)") }
        }
        for problem in system.problems where problem.severity == .warning { out.append("  " + problem.formatted) }
        return out.joined(separator: "\n") + "\n"
    }
}
