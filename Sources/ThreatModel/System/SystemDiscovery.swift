/// Templates in, a data-flow diagram out: elements (one per mapped resource, plus SAM's implicit
/// APIs and function URLs, plus a public caller per internet-facing endpoint), the flows between
/// them, trust boundaries, unmapped types, and a fingerprint per resource for drift.
public enum SystemDiscovery {
    public static func discover(templates: [CloudFormationTemplate], mapping: ResourceMapping = .default) -> DiscoveredSystem {
        let builder = DiscoveryBuilder(mapping: mapping)
        for (index, template) in templates.enumerated() { builder.addResources(template, index: index) }
        for (index, template) in templates.enumerated() { FlowInference(builder: builder, template: template, index: index).run() }
        return builder.finish()
    }

    /// Parses and discovers in one go; unreadable templates are reported and skipped.
    public static func discover(files: [(path: String, bytes: [UInt8])], mapping: ResourceMapping = .default) -> DiscoveredSystem {
        var templates: [CloudFormationTemplate] = []
        var diagnostics: [Diagnostic] = []
        for file in files {
            let parsed = CloudFormationTemplate.parse(path: file.path, bytes: file.bytes)
            diagnostics += parsed.diagnostics
            if let template = parsed.template { templates.append(template) }
        }
        var system = discover(templates: templates, mapping: mapping)
        system.diagnostics = (diagnostics + system.diagnostics).sorted(by: Diagnostic.sortKey)
        return system
    }
}

/// Collects nodes and edges; ids are assigned at the end, in template order.
final class DiscoveryBuilder {
    struct Node {
        var key: String
        var naming: String
        var element: DiscoveredElement
    }

    struct Edge {
        var from: String
        var to: String
        var source: FlowSource
        var detail: String
        var path: String
        var line: Int
    }

    let mapping: ResourceMapping
    var nodes: [Node] = []
    var nodeIndex: [String: Int] = [:]
    var edges: [Edge] = []
    var unmapped: [UnmappedResource] = []
    var roles: [ResourceLink: ResourceRole?] = [:]
    var fingerprints: [ResourceLink: ResourceFingerprint] = [:]
    var diagnostics: [Diagnostic] = []
    /// Implicit resources SAM generates, per template index.
    var implicit: [Int: Set<String>] = [:]

    init(mapping: ResourceMapping) {
        self.mapping = mapping
    }

    static func key(_ index: Int, _ logicalId: String) -> String { "\(index):\(logicalId)" }

    func node(_ key: String) -> DiscoveredElement? { nodeIndex[key].map { nodes[$0].element } }

    func addNode(key: String, naming: String, _ element: DiscoveredElement) {
        guard nodeIndex[key] == nil else { return }
        nodeIndex[key] = nodes.count
        nodes.append(Node(key: key, naming: naming, element: element))
    }

    func update(_ key: String, _ change: (inout DiscoveredElement) -> Void) {
        if let index = nodeIndex[key] { change(&nodes[index].element) }
    }

    /// Unordered pairs with an edge, for "is anything else linking these two?".
    private var pairs: Set<String> = []

    func edge(_ from: String, _ to: String, _ source: FlowSource, _ detail: String, path: String, line: Int) {
        guard from != to, nodeIndex[from] != nil, nodeIndex[to] != nil else { return }
        edges.append(Edge(from: from, to: to, source: source, detail: detail, path: path, line: line))
        pairs.insert(Self.pair(from, to))
    }

    func linked(_ a: String, _ b: String) -> Bool { pairs.contains(Self.pair(a, b)) }

    private static func pair(_ a: String, _ b: String) -> String { a < b ? a + "\u{0}" + b : b + "\u{0}" + a }

    func addResources(_ template: CloudFormationTemplate, index: Int) {
        for resource in template.resources {
            let link = ResourceLink(path: template.path, logicalId: resource.logicalId)
            let role = mapping.role(of: resource.type)
            roles[link] = .some(role)
            fingerprints[link] = template.fingerprint(resource)
            switch role {
            case nil:
                unmapped.append(UnmappedResource(resource: link, type: resource.type, line: resource.lines.lowerBound))
                diagnostics.append(Diagnostic(path: template.path, line: resource.lines.lowerBound, column: resource.column, rule: .unmappedResource,
                                              message: "Resources.\(resource.logicalId): type \(resource.type) is not in the mapping table (add it under system: resource_kinds: in .tmrepo.yml)"))
            case .supporting?:
                break
            case .element(let kind)?:
                addNode(key: Self.key(index, resource.logicalId), naming: resource.logicalId, DiscoveredElement(
                    id: "", kind: kind, name: "\(resource.logicalId) (\(resource.type))", resourceType: resource.type, resource: link,
                    trustBoundary: nil, exposure: nil, from: nil, to: nil, implicit: false, line: resource.lines.lowerBound))
            }
        }
    }

    /// A SAM-generated resource (ServerlessRestApi, `<Function>Url`) as an element, if the mapping makes it one.
    func addImplicit(_ template: CloudFormationTemplate, index: Int, logicalId: String, type: String, line: Int) {
        guard template.resource(logicalId) == nil, case .element(let kind)? = mapping.role(of: type) else { return }
        implicit[index, default: []].insert(logicalId)
        let link = ResourceLink(path: template.path, logicalId: logicalId)
        roles[link] = .some(.element(kind))
        addNode(key: Self.key(index, logicalId), naming: logicalId, DiscoveredElement(
            id: "", kind: kind, name: "\(logicalId) (\(type), generated by SAM)", resourceType: type, resource: link,
            trustBoundary: nil, exposure: nil, from: nil, to: nil, implicit: true, line: line))
    }

    /// An internet caller of `key`'s endpoint: one external entity per endpoint.
    func publicCaller(of key: String, exposure: String, reads: Bool = false, path: String, line: Int) {
        guard let target = node(key) else { return }
        update(key) { $0.exposure = exposure }
        let callerKey = "internet:" + key
        addNode(key: callerKey, naming: (target.resource?.logicalId ?? "endpoint") + "Client", DiscoveredElement(
            id: "", kind: .externalEntity, name: "Internet client of \(target.resource?.logicalId ?? key)", resourceType: nil, resource: nil,
            trustBoundary: "internet", exposure: exposure, from: nil, to: nil, implicit: true, line: line))
        if reads {
            edge(key, callerKey, .endpoint, exposure, path: path, line: line)
        } else {
            edge(callerKey, key, .endpoint, exposure, path: path, line: line)
        }
    }

    func finish() -> DiscoveredSystem {
        // Ids: kebab-case of the logical id, numbered when two templates (or a caller) collide.
        var used: Set<String> = []
        var ids: [String: String] = [:]
        for index in nodes.indices {
            let base = ElementNaming.kebab(nodes[index].naming)
            var id = base, counter = 2
            while used.contains(id) { id = "\(base)-\(counter)"; counter += 1 }
            used.insert(id)
            nodes[index].element.id = id
            ids[nodes[index].key] = id
            if nodes[index].element.trustBoundary == nil { nodes[index].element.trustBoundary = "aws-account" }
        }
        let flows = composeFlows(ids: ids)
        var boundaries: [String: [String]] = [:]
        var order: [String] = []
        for node in nodes {
            let boundary = node.element.trustBoundary ?? "aws-account"
            if boundaries[boundary] == nil { order.append(boundary) }
            boundaries[boundary, default: []].append(node.element.id)
        }
        let names = ["internet": "Internet (public callers)", "aws-account": "AWS account"]
        return DiscoveredSystem(
            elements: nodes.map(\.element), flows: flows,
            boundaries: order.map { DiscoveredBoundary(id: $0, name: names[$0] ?? "VPC \($0)", members: boundaries[$0] ?? []) },
            unmapped: unmapped, roles: roles, fingerprints: fingerprints, diagnostics: diagnostics.sorted(by: Diagnostic.sortKey))
    }

    /// Edges between elements become flows; data-flow elements (queues, topics, buses, rules,
    /// streams) between a producer and a consumer become the `via` of producer → consumer flows,
    /// and record them as their `from`/`to` when there is exactly one of each. A carrier whose
    /// producer or consumer is not in the templates keeps its own edge.
    private func composeFlows(ids: [String: String]) -> [DiscoveredFlow] {
        func isCarrier(_ key: String) -> Bool { node(key)?.kind == .dataFlow }
        var incoming: [String: [Edge]] = [:], outgoing: [String: [Edge]] = [:]
        for edge in edges {
            incoming[edge.to, default: []].append(edge)
            outgoing[edge.from, default: []].append(edge)
        }
        var flows: [DiscoveredFlow] = []
        var position: [String: Int] = [:]
        func add(_ from: String, _ to: String, via: [String], _ path: [Edge]) {
            guard from != to, let fromId = ids[from], let toId = ids[to] else { return }
            let viaIds = via.compactMap { ids[$0] }
            let key = ([fromId, toId] + viaIds).joined(separator: "\u{0}")
            let sources = path.map(\.source), details = path.map(\.detail)
            if let index = position[key] {
                for source in sources where !flows[index].sources.contains(source) { flows[index].sources.append(source) }
                for detail in details where !flows[index].details.contains(detail) { flows[index].details.append(detail) }
                return
            }
            position[key] = flows.count
            var unique: [FlowSource] = []
            for source in sources where !unique.contains(source) { unique.append(source) }
            var uniqueDetails: [String] = []
            for detail in details where !uniqueDetails.contains(detail) { uniqueDetails.append(detail) }
            flows.append(DiscoveredFlow(from: fromId, to: toId, via: viaIds, sources: unique, details: uniqueDetails,
                                        path: path[0].path, line: path[0].line))
        }
        /// Non-carrier consumers reachable from a carrier through carriers, each with its path (first found).
        func consumers(from carrier: String) -> [(consumer: String, carriers: [String], path: [Edge])] {
            var out: [(String, [String], [Edge])] = []
            var visited: Set<String> = [carrier]
            var queue: [(String, [String], [Edge])] = [(carrier, [carrier], [])]
            var head = 0
            while head < queue.count {
                let (at, carriers, path) = queue[head]
                head += 1
                if at != carrier, (outgoing[at] ?? []).isEmpty {
                    out.append((at, Array(carriers.dropLast()), path)) // a dead end: the last carrier is the consumer
                }
                for edge in outgoing[at] ?? [] {
                    if isCarrier(edge.to) {
                        if visited.insert(edge.to).inserted { queue.append((edge.to, carriers + [edge.to], path + [edge])) }
                    } else {
                        out.append((edge.to, carriers, path + [edge]))
                    }
                }
            }
            return out
        }
        var fedByProducer: [String: Bool] = [:]
        func hasProducer(_ carrier: String) -> Bool {
            if let known = fedByProducer[carrier] { return known }
            var visited: Set<String> = [carrier], stack = [carrier], found = false
            while let at = stack.popLast(), !found {
                for edge in incoming[at] ?? [] {
                    if !isCarrier(edge.from) { found = true; break }
                    if visited.insert(edge.from).inserted { stack.append(edge.from) }
                }
            }
            fedByProducer[carrier] = found
            return found
        }
        var producers: [String: Set<String>] = [:], consumerSets: [String: Set<String>] = [:]
        for edge in edges {
            if isCarrier(edge.from) {
                if !hasProducer(edge.from) {
                    add(edge.from, edge.to, via: [], [edge])
                    if !isCarrier(edge.to) { consumerSets[edge.from, default: []].insert(edge.to) }
                }
                continue
            }
            guard isCarrier(edge.to) else {
                add(edge.from, edge.to, via: [], [edge])
                continue
            }
            let reached = consumers(from: edge.to)
            if reached.isEmpty { add(edge.from, edge.to, via: [], [edge]) }
            for (consumer, carriers, path) in reached {
                add(edge.from, consumer, via: carriers, [edge] + path)
                producers[carriers.last!, default: []].insert(edge.from)
                producers[carriers.first!, default: []].insert(edge.from)
                consumerSets[carriers.first!, default: []].insert(consumer)
                consumerSets[carriers.last!, default: []].insert(consumer)
            }
            producers[edge.to, default: []].insert(edge.from)
        }
        for (carrier, set) in producers where set.count == 1 { update(carrier) { $0.from = ids[set.first!] } }
        for (carrier, set) in consumerSets where set.count == 1 { update(carrier) { $0.to = ids[set.first!] } }
        return flows
    }
}
