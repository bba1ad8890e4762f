/// The STRIDE-per-element coverage matrix: elements × six categories, threats counted per cell,
/// and "gaps": categories that apply to an element's kind but have no threat recorded.
public struct CoverageMatrix: Sendable {
    public struct Cell: Sendable, Equatable {
        public let category: StrideCategory
        /// Whether the category applies to the element's kind (nil kind: unknown, treated as not checked).
        public let applicable: Bool
        public let threatIDs: [String]

        public var count: Int { threatIDs.count }
        /// An applicable category with no threat at all: nobody has thought about it yet.
        public var isGap: Bool { applicable && threatIDs.isEmpty }
    }

    public struct Row: Sendable {
        public let elementID: String
        public let name: String
        /// nil when the element is not defined in elements.yml (its applicability is unknown).
        public let kind: ElementKind?
        public let cells: [Cell]
        /// Declared by a template but not in elements.yml yet (unmodeled attack surface): every
        /// applicable category is a gap.
        public var isUnmodeled = false

        public var gaps: [StrideCategory] { cells.filter(\.isGap).map(\.category) }
    }

    public let rows: [Row]
    /// Threats that name no element, or one not in the inventory, by id.
    public let unassigned: [String]

    public var gapCount: Int { rows.reduce(0) { $0 + $1.gaps.count } }
    public var applicableCellCount: Int { rows.reduce(0) { $0 + $1.cells.filter(\.applicable).count } }

    /// Builds the matrix from the inventory when there is one, else from the elements threats name,
    /// plus a row per `unmodeled` element (a template resource with no element yet).
    /// Every threat counts, whatever its status: a closed threat was still considered.
    public init(model: Model, unmodeled: [Element] = []) {
        var threatsByElement: [String: [Threat]] = [:]
        var unassigned: [String] = []
        let known = Set(model.elements?.map(\.id) ?? [])
        for threat in model.threats {
            if let element = threat.element, model.elements == nil || known.contains(element) {
                threatsByElement[element, default: []].append(threat)
            } else {
                unassigned.append(threat.id)
            }
        }
        var rows: [Row] = []
        let inventory: [(id: String, name: String, kind: ElementKind?)] = model.elements?.map { ($0.id, $0.name, $0.kind) }
            ?? threatsByElement.keys.sorted().map { ($0, $0, nil) }
        for element in inventory {
            let threats = threatsByElement[element.id] ?? []
            let cells = StrideCategory.allCases.map { category in
                Cell(category: category,
                     applicable: element.kind?.applicableCategories.contains(category) ?? false,
                     threatIDs: threats.filter { $0.stride.contains(category) }.map(\.id))
            }
            rows.append(Row(elementID: element.id, name: element.name, kind: element.kind, cells: cells))
        }
        for element in unmodeled {
            var row = Row(elementID: element.id, name: element.name, kind: element.kind,
                          cells: StrideCategory.allCases.map { Cell(category: $0, applicable: element.kind.applicableCategories.contains($0), threatIDs: []) })
            row.isUnmodeled = true
            rows.append(row)
        }
        self.rows = rows
        self.unassigned = unassigned
    }
}
