import ThreatModel

/// The data-flow diagram as Graphviz DOT, for `dot` to lay out left to right: one cluster per
/// trust boundary, shapes per STRIDE-per-element kind (external entity: box; process: ellipse;
/// data store: cylinder; data flow: labelled arrow), fills by worst open threat.
///
/// Every name and id goes through `quoted`: nothing a model's author writes can end a string,
/// start an HTML-like label, inject an attribute or a Graphviz escape (`\N`, `\G`, `\l`…), or an
/// entity (Graphviz decodes `&…;` in labels).
public enum DiagramDOT {
    public static func render(_ diagram: DataFlowDiagram) -> String {
        var out = ["digraph \"data-flow diagram\" {"]
        let font = quoted(DiagramStyle.fontName)
        out.append("  graph [rankdir=LR, fontname=\(font), fontsize=12, nodesep=0.3, ranksep=0.7, pad=0.2, bgcolor=\"transparent\"];")
        out.append("  node [fontname=\(font), fontsize=10, margin=\"0.14,0.06\"];")
        out.append("  edge [fontname=\(font), fontsize=9, arrowsize=0.7];")
        let nodesByKey = Dictionary(diagram.nodes.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for (index, boundary) in diagram.boundaries.enumerated() {
            out.append("  subgraph \(quoted("cluster_\(index)")) {")
            out.append("    graph [label=\(label(["trust boundary: " + TextEscaping.field(boundary.name)])), style=\"dashed,rounded\", "
                       + "color=\"\(DiagramStyle.boundaryColor)\", fontcolor=\"#c62828\", penwidth=1.5, fontsize=11, labeljust=l];")
            for key in boundary.nodeKeys { if let node = nodesByKey[key] { out.append("    " + statement(node)) } }
            out.append("  }")
        }
        for node in diagram.nodes where node.trustBoundary == nil { out.append("  " + statement(node)) }
        for flow in diagram.flows {
            let look = DiagramStyle.look(flow)
            out.append("  \(quoted(flow.from)) -> \(quoted(flow.to)) [label=\(label(DiagramStyle.lines(flow))), color=\"\(look.border)\", "
                       + "fontcolor=\"\(look.text)\", penwidth=\(look.borderWidth), style=\"\(look.line)\"];")
        }
        out.append("}")
        return out.joined(separator: "\n") + "\n"
    }

    static func statement(_ node: DataFlowDiagram.Node) -> String {
        let look = DiagramStyle.look(node)
        let shape = switch node.kind {
        case .externalEntity?: "box"
        case .process?: "ellipse"
        case .dataStore?: "cylinder"
        case .dataFlow?, nil: "box"
        }
        let style = look.line == "solid" ? "filled" : "filled,\(look.line)"
        return "\(quoted(node.key)) [label=\(label(DiagramStyle.lines(node))), shape=\(shape), style=\"\(style)\", "
            + "fillcolor=\"\(look.fill)\", fontcolor=\"\(look.text)\", color=\"\(look.border)\", penwidth=\(look.borderWidth)];"
    }

    /// A label of several lines, each already visible text, centred and joined with DOT's `\n`.
    static func label(_ lines: [String]) -> String {
        "\"" + lines.map { escape($0, forLabel: true) }.joined(separator: "\\n") + "\""
    }

    /// A DOT double-quoted string (a node name, a cluster name) that Graphviz keeps as exactly
    /// `text`, with control characters and bidirectional overrides written out visibly.
    public static func quoted(_ text: String) -> String {
        "\"" + escape(TextEscaping.field(text), forLabel: false) + "\""
    }

    /// The inside of a DOT string. Graphviz 2.42's lexer has no escape for a backslash (a string
    /// ending in `\` would swallow its closing quote), so no backslash is written at all: it
    /// becomes the entity `&#92;`, which labels decode before their own escapes (`\N`, `\l`…),
    /// hence twice in a label, so that the label shows one backslash. `&` is an entity too
    /// (labels decode entities), quotes are `\"` in names and `&quot;` in labels.
    static func escape(_ text: String, forLabel: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += forLabel ? "&#92;&#92;" : "&#92;"
            case "\"": out += forLabel ? "&quot;" : "\\\""
            case "&": out += "&amp;"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0xFDD0...0xFDEF).contains(scalar.value) || scalar.value & 0xFFFE == 0xFFFE {
                    out += "U+" + String(scalar.value, radix: 16, uppercase: true)   // callers pass visible text; never reaches the lexer raw
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
