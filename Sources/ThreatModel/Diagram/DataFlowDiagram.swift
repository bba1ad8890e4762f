/// A gap or a piece of drift shown on an element of the data-flow diagram.
///
/// `noThreats` and `missingEnd` the diagram works out from the model itself; the others come
/// from outside (`DiagramAnnotations`): the system's resources and their history.
public enum DiagramMark: String, CaseIterable, Sendable, Hashable, Comparable {
    /// A resource of the system that no element describes: unmodeled attack surface.
    case unmodeled = "unmodeled"
    /// The element's resource no longer exists.
    case missingResource = "missing-resource"
    /// The element's definition changed after the last review of its threats.
    case changedAfterReview = "changed-after-review"
    /// A flow whose `from` or `to` is not given or is not an element (and the stand-in for that end).
    case missingEnd = "missing-end"
    /// No threat names the element.
    case noThreats = "no-threats"

    /// Short text shown on the diagram.
    public var label: String {
        switch self {
        case .unmodeled: "unmodeled"
        case .missingResource: "resource missing"
        case .changedAfterReview: "changed after review"
        case .missingEnd: "end missing"
        case .noThreats: "no threats"
        }
    }

    public var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: DiagramMark, rhs: DiagramMark) -> Bool { lhs.rank < rhs.rank }
}

/// What the diagram shows beyond the model: marks on elements (by element id) and resources
/// that have no element yet (each given as the element it would be: id, kind, name, and for a
/// flow its ends). The history engine's drift and `discover`'s findings come in here.
public struct DiagramAnnotations: Sendable, Equatable {
    public var marks: [String: Set<DiagramMark>]
    /// Drawn with the `unmodeled` mark (dashed, red border); ignored when an element has the id.
    public var unmodeled: [Element]

    public init(marks: [String: Set<DiagramMark>] = [:], unmodeled: [Element] = []) {
        self.marks = marks
        self.unmodeled = unmodeled
    }
}

/// The data-flow diagram of a model, ready to draw: external entities, processes and data
/// stores as nodes grouped by trust boundary; data flows as edges between them. Each element
/// carries the worst severity among its open threats, and its marks. Pure: no layout, no output.
public struct DataFlowDiagram: Sendable, Equatable {
    /// Over this many elements (with unmodeled resources) nothing is drawn: layout time grows
    /// faster than linearly, and such a picture is not readable anyway.
    public static let maximumElements = 300

    public struct Node: Sendable, Equatable {
        /// Unique in the diagram: the element's id, or a made-up key for a missing end.
        public let key: String
        /// nil for the stand-in of a missing end.
        public let elementID: String?
        public let name: String
        /// nil for the stand-in of a missing end.
        public let kind: ElementKind?
        public let trustBoundary: String?
        public let threatCount: Int
        public let openCount: Int
        /// The worst severity among the element's open threats.
        public let worstOpen: Severity?
        /// STRIDE categories that apply to the kind with no threat recorded.
        public let strideGaps: Int
        public let marks: Set<DiagramMark>
    }

    public struct Flow: Sendable, Equatable {
        public let elementID: String
        public let name: String
        /// Node keys.
        public let from: String
        public let to: String
        public let threatCount: Int
        public let openCount: Int
        public let worstOpen: Severity?
        public let strideGaps: Int
        public let marks: Set<DiagramMark>
        /// The ends are in different trust boundaries (or one is in none).
        public let crossesBoundary: Bool
    }

    public struct Boundary: Sendable, Equatable {
        public let name: String
        /// Node keys, in the order of the elements.
        public let nodeKeys: [String]

        public init(name: String, nodeKeys: [String]) {
            self.name = name
            self.nodeKeys = nodeKeys
        }
    }

    public let nodes: [Node]
    public let flows: [Flow]
    /// In the order each first appears in the elements.
    public let boundaries: [Boundary]
    /// Set when there are more elements than `maximumElements`: how many; nothing else is then.
    public let tooLarge: Int?

    public var isEmpty: Bool { nodes.isEmpty && flows.isEmpty }

    /// Nodes outside every trust boundary.
    public var unboundedNodes: [Node] { nodes.filter { $0.trustBoundary == nil } }

    /// Whether a threat still counts against its element: status `open` (or unreadable, to be safe).
    /// Mitigated, accepted, transferred and closed threats do not colour the diagram.
    public static func isOpen(_ threat: Threat) -> Bool {
        threat.status == nil || threat.status == .open
    }

    public init(model: Model, annotations: DiagramAnnotations = DiagramAnnotations()) {
        self.init(elements: model.elements ?? [], threats: model.threats, annotations: annotations)
    }

    public init(elements: [Element], threats: [Threat], annotations: DiagramAnnotations = DiagramAnnotations()) {
        // Elements first (a duplicate id keeps its first definition), then unmodeled resources.
        var seen = Set<String>()
        var all: [(element: Element, unmodeled: Bool)] = []
        for element in elements where seen.insert(element.id).inserted { all.append((element, false)) }
        for element in annotations.unmodeled where seen.insert(element.id).inserted { all.append((element, true)) }
        guard all.count <= Self.maximumElements else {
            nodes = []
            flows = []
            boundaries = []
            tooLarge = all.count
            return
        }
        tooLarge = nil

        var byElement: [String: [Threat]] = [:]
        for threat in threats { if let id = threat.element { byElement[id, default: []].append(threat) } }
        struct Facts {
            var count = 0, open = 0, gaps = 0
            var worst: Severity?
            var marks: Set<DiagramMark> = []
        }
        func facts(_ element: Element, unmodeled: Bool) -> Facts {
            let threats = byElement[element.id] ?? []
            var facts = Facts()
            facts.count = threats.count
            for threat in threats where Self.isOpen(threat) {
                facts.open += 1
                if let severity = threat.severity, facts.worst.map({ severity < $0 }) ?? true { facts.worst = severity }
            }
            let covered = Set(threats.flatMap(\.stride))
            facts.gaps = element.kind.applicableCategories.filter { !covered.contains($0) }.count
            facts.marks = annotations.marks[element.id] ?? []
            if unmodeled { facts.marks.insert(.unmodeled) }
            if threats.isEmpty { facts.marks.insert(.noThreats) }
            return facts
        }

        var nodes: [Node] = []
        var boundaryOrder: [String] = []
        var members: [String: [String]] = [:]
        for (element, unmodeled) in all where element.kind != .dataFlow {
            let f = facts(element, unmodeled: unmodeled)
            nodes.append(Node(key: element.id, elementID: element.id, name: element.name, kind: element.kind,
                              trustBoundary: element.trustBoundary, threatCount: f.count, openCount: f.open, worstOpen: f.worst,
                              strideGaps: f.gaps, marks: f.marks))
            if let boundary = element.trustBoundary {
                if members[boundary] == nil { boundaryOrder.append(boundary) }
                members[boundary, default: []].append(element.id)
            }
        }

        // Flows; an end that is not given, or not a node, gets a stand-in node marked `missingEnd`.
        var keys = Set(nodes.map(\.key))
        let boundaryOf = Dictionary(nodes.map { ($0.key, $0.trustBoundary) }, uniquingKeysWith: { first, _ in first })
        var standIns: [String: String] = [:]   // missing element id → stand-in key
        func freshKey(_ base: String) -> String {
            var key = base, counter = 1
            while keys.contains(key) { counter += 1; key = "\(base) \(counter)" }
            keys.insert(key)
            return key
        }
        func end(_ id: String?, flow: String, side: String) -> (key: String, missing: Bool) {
            if let id, boundaryOf[id] != nil { return (id, false) }
            if let id, let key = standIns[id] { return (key, true) }
            let key = freshKey(id.map { "missing:\($0)" } ?? "missing:\(flow):\(side)")
            if let id { standIns[id] = key }
            nodes.append(Node(key: key, elementID: nil, name: id ?? "(no \(side))", kind: nil, trustBoundary: nil,
                              threatCount: 0, openCount: 0, worstOpen: nil, strideGaps: 0, marks: [.missingEnd]))
            return (key, true)
        }
        var flows: [Flow] = []
        for (element, unmodeled) in all where element.kind == .dataFlow {
            var f = facts(element, unmodeled: unmodeled)
            let from = end(element.from, flow: element.id, side: "from")
            let to = end(element.to, flow: element.id, side: "to")
            if from.missing || to.missing { f.marks.insert(.missingEnd) }
            let crosses = from.missing || to.missing || boundaryOf[from.key] != boundaryOf[to.key]
            flows.append(Flow(elementID: element.id, name: element.name, from: from.key, to: to.key, threatCount: f.count,
                              openCount: f.open, worstOpen: f.worst, strideGaps: f.gaps, marks: f.marks, crossesBoundary: crosses))
        }
        self.nodes = nodes
        self.flows = flows
        self.boundaries = boundaryOrder.map { Boundary(name: $0, nodeKeys: members[$0] ?? []) }
    }
}
