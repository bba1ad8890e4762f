import ThreatModel

/// The data-flow diagram as a Mermaid `flowchart LR`, which GitHub renders in Markdown: one
/// subgraph per trust boundary, node shapes per kind (external entity `["…"]`, process `("…")`,
/// data store `[("…")]`, missing end `{{"…"}}`), flows as labelled edges (dotted when an end is
/// missing or the flow is unmodeled), classes for severity and marks.
///
/// Ids are made up (`n0`, `b0`), never taken from the model; every label is quoted and escaped
/// with Mermaid's entity codes, so no name can close a shape, start a link, inject a directive
/// or carry HTML (the only markup in labels is tmrepo's own `<br/>`).
public enum DiagramMermaid {
    public static func render(_ diagram: DataFlowDiagram) -> String {
        var out = ["flowchart LR"]
        var ids: [String: String] = [:]
        for (index, node) in diagram.nodes.enumerated() { ids[node.key] = "n\(index)" }
        let byKey = Dictionary(diagram.nodes.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for (index, boundary) in diagram.boundaries.enumerated() {
            out.append("  subgraph b\(index)[\"\(label(["trust boundary: " + TextEscaping.field(boundary.name)]))\"]")
            for key in boundary.nodeKeys { if let node = byKey[key], let id = ids[key] { out.append("    " + declaration(node, id: id)) } }
            out.append("  end")
            out.append("  style b\(index) fill:none,stroke:\(DiagramStyle.boundaryColor),stroke-width:2px,stroke-dasharray:6 4")
        }
        for node in diagram.nodes where node.trustBoundary == nil {
            out.append("  " + declaration(node, id: ids[node.key]!))
        }
        var linkStyles: [String] = []
        for flow in diagram.flows {
            guard let from = ids[flow.from], let to = ids[flow.to] else { continue }
            let index = linkStyles.count
            let look = DiagramStyle.look(flow)
            let arrow = look.line == "solid" ? "-->" : "-.->"
            out.append("  \(from) \(arrow)|\"\(label(DiagramStyle.lines(flow)))\"| \(to)")
            linkStyles.append("  linkStyle \(index) stroke:\(look.border),stroke-width:\(Int(look.borderWidth.rounded()))px,color:\(look.text)")
        }
        out += linkStyles
        // One class per look; a node gets its fill class, then its mark class (which sets the border).
        var classes: [String: [String]] = [:]
        for node in diagram.nodes { for name in classNames(node) { classes[name, default: []].append(ids[node.key]!) } }
        for (name, definition) in classDefinitions where classes[name] != nil {
            out.append("  classDef \(name) \(definition)")
        }
        for (name, _) in classDefinitions { if let members = classes[name] { out.append("  class \(members.joined(separator: ",")) \(name)") } }
        return out.joined(separator: "\n") + "\n"
    }

    static func declaration(_ node: DataFlowDiagram.Node, id: String) -> String {
        let text = label(DiagramStyle.lines(node))
        return switch node.kind {
        case .externalEntity?: "\(id)[\"\(text)\"]"
        case .process?: "\(id)(\"\(text)\")"
        case .dataStore?: "\(id)[(\"\(text)\")]"
        case .dataFlow?, nil: "\(id){{\"\(text)\"}}"
        }
    }

    static func classNames(_ node: DataFlowDiagram.Node) -> [String] {
        guard node.kind != nil else { return ["missing"] }
        var names = [node.worstOpen.map { "sev_\($0.rawValue)" } ?? (node.threatCount > 0 ? "covered" : "nothreats")]
        if node.marks.contains(.unmodeled) {
            names.append("unmodeled")
        } else if node.marks.contains(.missingResource) {
            names.append("resourcegone")
        } else if node.marks.contains(.changedAfterReview) {
            names.append("changed")
        }
        return names
    }

    /// Class name and style, in the order they are written (later classes win on the border).
    static let classDefinitions: [(String, String)] = Severity.allCases.map { severity in
        ("sev_\(severity.rawValue)", "fill:\(DiagramStyle.fill(severity)),color:\(DiagramStyle.textColor(on: severity)),stroke:#424242")
    } + [
        ("covered", "fill:\(DiagramStyle.coveredFill),color:#1d1d1f,stroke:\(DiagramStyle.coveredBorder)"),
        ("nothreats", "fill:\(DiagramStyle.noThreatsFill),color:#1d1d1f,stroke:\(DiagramStyle.noThreatsBorder)"),
        ("missing", "fill:#ffffff,color:#c62828,stroke:\(DiagramStyle.gapRed),stroke-width:2px,stroke-dasharray:5 3"),
        ("unmodeled", "stroke:\(DiagramStyle.gapRed),stroke-width:3px,stroke-dasharray:5 3"),
        ("resourcegone", "stroke:\(DiagramStyle.gapRed),stroke-width:3px,stroke-dasharray:2 2"),
        ("changed", "stroke:\(DiagramStyle.driftBlue),stroke-width:3px"),
    ]

    /// Label lines (visible text) escaped for a quoted Mermaid label and joined with `<br/>`.
    static func label(_ lines: [String]) -> String {
        lines.map(escape).joined(separator: "<br/>")
    }

    /// Text for inside a quoted Mermaid label: quotes as `#quot;`, and everything that could
    /// close a shape or an edge label, open markup or an entity, as numeric entity codes.
    public static func escape(_ text: String) -> String {
        var out = ""
        for scalar in TextEscaping.field(text).unicodeScalars {
            switch scalar {
            case "\"": out += "#quot;"
            case "#", "&", "<", ">", "[", "]", "(", ")", "{", "}", "|", "`", "\\", ";", "%", "*", "_", "~", "$":
                out += "#\(scalar.value);"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
