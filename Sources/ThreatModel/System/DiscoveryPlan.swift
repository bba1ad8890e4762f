/// What `tmrepo discover` adds to `elements.yml`: the discovered elements no element stands for
/// yet, and the flows between elements that no data-flow element draws yet. Elements keep the
/// names people gave them; running it again adds nothing twice.
public struct DiscoveryPlan: Sendable {
    public struct Addition: Sendable {
        public let element: Element
        /// Where it was found (template path and line), or what inferred a flow.
        public let origin: String
    }

    public let additions: [Addition]

    public init(existing: [Element], system: DiscoveredSystem) {
        var taken = Set(existing.map(\.id))
        var additions: [Addition] = []
        // Discovered id → the model's id for the same thing (linked resource, else same id).
        var modelID: [String: String] = [:]
        let byResource = Dictionary(existing.compactMap { element in element.resource.map { ($0, element.id) } }, uniquingKeysWith: { first, _ in first })

        func unique(_ id: String) -> String {
            var candidate = id, counter = 2
            while taken.contains(candidate) { candidate = "\(id)-\(counter)"; counter += 1 }
            taken.insert(candidate)
            return candidate
        }

        // Elements first, so flows can name their ends: resources, then the callers they imply.
        var pending: [(DiscoveredElement, String)] = []
        for discovered in system.elements {
            guard let link = discovered.resource else { continue }
            if let known = byResource[link] { modelID[discovered.id] = known; continue }
            let id = unique(discovered.id)
            modelID[discovered.id] = id
            pending.append((discovered, id))
        }
        // The public callers of an endpoint: one the model already draws (an external entity with a
        // flow into that endpoint) stands for them; otherwise they are new, and known by id once added.
        let entityIDs = Set(existing.filter { $0.kind == .externalEntity }.map(\.id))
        var entityInto: [String: String] = [:]
        for flow in existing where flow.kind == .dataFlow {
            if let from = flow.from, let to = flow.to, entityIDs.contains(from), entityInto[to] == nil { entityInto[to] = from }
        }
        let existingIDs = Set(existing.map(\.id))
        let flowsFrom = Dictionary(grouping: system.flows, by: \.from)
        for discovered in system.elements where discovered.resource == nil {
            if existingIDs.contains(discovered.id) { modelID[discovered.id] = discovered.id; continue }
            let targets = (flowsFrom[discovered.id] ?? []).compactMap { modelID[$0.to] }
            if let target = targets.first(where: { entityInto[$0] != nil }), let entity = entityInto[target] {
                modelID[discovered.id] = entity
                continue
            }
            let id = unique(discovered.id)
            modelID[discovered.id] = id
            pending.append((discovered, id))
        }
        for (discovered, id) in pending {
            var element = discovered.element
            element.id = id
            element.from = discovered.from.map { modelID[$0] ?? $0 }
            element.to = discovered.to.map { modelID[$0] ?? $0 }
            let origin = discovered.resource.map { "\($0.path):\(discovered.line)" } ?? "caller of an internet-facing endpoint"
            additions.append(Addition(element: element, origin: origin))
        }

        // Flows become data-flow elements unless one already connects the same two elements (either
        // way: a queue with one producer and one consumer draws its own flow); a flow both ways
        // (a function that reads and writes a table) is one element.
        func pair(_ a: String, _ b: String) -> String { a < b ? a + "\u{0}" + b : b + "\u{0}" + a }
        let allElements = existing + additions.map(\.element)
        var drawn = Set(allElements.filter { $0.kind == .dataFlow }.compactMap { flow in flow.from.flatMap { from in flow.to.map { pair(from, $0) } } })
        var directions: [String: Set<String>] = [:]
        var detailsByPair: [String: Set<String>] = [:]
        var mapped: [(from: String, to: String, flow: DiscoveredFlow)] = []
        for flow in system.flows {
            guard let from = modelID[flow.from], let to = modelID[flow.to], from != to else { continue }
            directions[pair(from, to), default: []].insert(from)
            detailsByPair[pair(from, to), default: []].formUnion(flow.details)
            mapped.append((from, to, flow))
        }
        let kindOf = Dictionary(allElements.map { ($0.id, $0.kind) }, uniquingKeysWith: { first, _ in first })
        for (first, second, flow) in mapped {
            guard drawn.insert(pair(first, second)).inserted else { continue }
            let bothWays = directions[pair(first, second)]?.count == 2
            // Both ways: drawn from the process to the store it reads and writes.
            let (from, to) = bothWays && kindOf[second] == .process && kindOf[first] != .process ? (second, first) : (first, second)
            let via = flow.via.map { modelID[$0] ?? $0 }
            let details = detailsByPair[pair(from, to)] ?? []
            let id = unique("\(from)-to-\(to)")
            let element = Element(id: id, kind: .dataFlow,
                                  name: "\(from) \(bothWays ? "⇄" : "→") \(to)" + (via.isEmpty ? "" : " via \(via.joined(separator: ", "))"),
                                  description: (bothWays ? "both ways; " : "") + details.sorted().joined(separator: "; "),
                                  from: from, to: to)
            additions.append(Addition(element: element, origin: "\(flow.path):\(flow.line) (\(flow.sources.map(\.rawValue).joined(separator: ", ")))"))
        }
        self.additions = additions
    }
}
