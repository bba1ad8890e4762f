/// Where `elements.yml` and the templates disagree: attack surface nobody modeled, elements
/// whose resource is gone. (Flows whose ends are not elements are the linter's: they need no template.)
public struct SystemDrift: Sendable {
    /// A resource that maps to an element kind but no element links to it.
    public struct Unmodeled: Sendable {
        public let discovered: DiscoveredElement
        /// The commit that added the resource, when history tells.
        public var addedIn: CommitRef?
    }

    /// An element linked to a resource that no template declares.
    public struct MissingResource: Sendable {
        public let element: Element
        public let link: ResourceLink
        /// "no template …" or "no resource … in …".
        public let reason: String
    }

    public var unmodeled: [Unmodeled]
    public let missingResources: [MissingResource]
    /// The templates the comparison read (paths), for messages.
    public let templatePaths: [String]

    public init(elements: [Element], system: DiscoveredSystem, templatePaths: [String]) {
        let linked = Set(elements.compactMap(\.resource))
        unmodeled = system.elements
            .filter { $0.resource.map { !linked.contains($0) } ?? false }
            .map { Unmodeled(discovered: $0, addedIn: nil) }
        let templates = Set(templatePaths)
        let declared = Set(system.roles.keys).union(system.elements.compactMap(\.resource))
        missingResources = elements.compactMap { element in
            guard let link = element.resource, !declared.contains(link) else { return nil }
            let reason = templates.contains(link.path)
                ? "\(link.path) declares no resource \(link.logicalId)"
                : "there is no template \(link.path)"
            return MissingResource(element: element, link: link, reason: reason)
        }
        self.templatePaths = templatePaths
    }

    public var isEmpty: Bool { unmodeled.isEmpty && missingResources.isEmpty }

    /// The drift as lint findings: an unmodeled resource at its line in its template, a missing
    /// resource at its element's line in elements.yml.
    public var diagnostics: [Diagnostic] {
        (unmodeled.map { item in
            let element = item.discovered
            let added = item.addedIn.map { " (added in \($0.commit.prefix(12)))" } ?? ""
            return Diagnostic(path: element.resource?.path ?? "", line: element.line, column: 1, severity: LintRule.unmodeledResource.level,
                              rule: LintRule.unmodeledResource.rawValue,
                              message: "\(element.kind.rawValue) \(element.resource?.logicalId ?? element.id) (\(element.resourceType ?? "?"))\(added) is not in \(InventoryParser.elementsFile); run 'tmrepo discover'")
        } + missingResources.map { item in
            Diagnostic(path: InventoryParser.elementsFile, line: item.element.line, column: 1, severity: LintRule.missingResource.level,
                       rule: LintRule.missingResource.rawValue,
                       message: "element \(item.element.id): resource \(item.link): \(item.reason)")
        }).sorted(by: Diagnostic.sortKey)
    }
}
