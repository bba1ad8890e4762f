import Foundation
import ThreatModel
import TMGraphviz

/// The data-flow diagram drawn by Graphviz as sanitized inline SVG.
public enum DiagramSVG {
    /// The `<svg>` element for the report, or why it could not be drawn.
    public static func render(_ diagram: DataFlowDiagram, renderer: GraphvizRenderer = GraphvizRenderer()) -> Result<String, GraphvizError> {
        let rendering: GraphvizRenderer.Rendering
        do {
            rendering = try renderer.render(dot: DiagramDOT.render(diagram))
        } catch let error as GraphvizError {
            return .failure(error)
        } catch {
            return .failure(GraphvizError(code: .render, operation: "draw the data-flow diagram", message: "\(error)"))
        }
        guard let svg = SVGSanitizer.sanitize(rendering.svg, idPrefix: "dfd-", label: "Data-flow diagram") else {
            return .failure(GraphvizError(code: .render, operation: "draw the data-flow diagram", message: "Graphviz's SVG is not well-formed XML"))
        }
        return .success(svg)
    }
}

extension Report {
    /// The model's data-flow diagram with the report's marks (gaps and drift from outside).
    public var diagram: DataFlowDiagram { DataFlowDiagram(model: model, annotations: diagramAnnotations) }

    func diagramSection() -> String {
        var out = "<section id=\"diagram\"><h2>Data-flow diagram</h2>"
        let diagram = self.diagram
        if let count = diagram.tooLarge {
            return out + "<p>The model has \(count) elements; the diagram is drawn for up to \(DataFlowDiagram.maximumElements).</p></section>"
        }
        if diagram.isEmpty {
            return out + "<p>No elements to draw: list them in <code>elements.yml</code>.</p></section>"
        }
        switch DiagramSVG.render(diagram) {
        case .success(let svg):
            out += "<figure id=\"dfd\" class=\"dfd\">" + svg
                + "<figcaption>Laid out by Graphviz. Each element is filled by the worst severity among its open threats "
                + "(mitigated, accepted, transferred and closed threats do not count); trust boundaries are the red dashed frames.</figcaption></figure>"
        case .failure(let error):
            out += "<p class=\"diagram-error\">The diagram could not be drawn: \(HTML.escape(error.description))</p>"
        }
        return out + Self.diagramLegend + "</section>"
    }

    static var diagramLegend: String {
        func icon(_ body: String) -> String {
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"30\" height=\"18\" viewBox=\"0 0 30 18\" aria-hidden=\"true\">\(body)</svg>"
        }
        func item(_ icon: String, _ text: String) -> String { "<li>\(icon) \(HTML.escape(text))</li>" }
        func swatch(_ fill: String, _ border: String) -> String {
            icon("<rect x=\"2\" y=\"2\" width=\"26\" height=\"14\" fill=\"\(fill)\" stroke=\"\(border)\" stroke-width=\"1.2\"/>")
        }
        var fills = Severity.allCases.map { item(swatch(DiagramStyle.fill($0), "#424242"), $0.rawValue) }
        fills.append(item(swatch(DiagramStyle.coveredFill, DiagramStyle.coveredBorder), "threats, none open"))
        fills.append(item(swatch(DiagramStyle.noThreatsFill, DiagramStyle.noThreatsBorder), "no threats"))
        let stroke = "fill=\"#ffffff\" stroke=\"#424242\" stroke-width=\"1.2\""
        let shapes = [
            item(icon("<rect x=\"2\" y=\"2\" width=\"26\" height=\"14\" \(stroke)/>"), "external entity"),
            item(icon("<ellipse cx=\"15\" cy=\"9\" rx=\"13\" ry=\"7\" \(stroke)/>"), "process"),
            item(icon("<path d=\"M4 4v10c0 2 22 2 22 0V4M4 4c0-2 22-2 22 0s-22 2-22 0\" \(stroke)/>"), "data store"),
            item(icon("<path d=\"M2 9h22\" stroke=\"#424242\" stroke-width=\"1.5\"/><path d=\"M22 5l6 4-6 4z\" fill=\"#424242\"/>"),
                 "data flow (thicker: crosses a trust boundary)"),
            item(icon("<rect x=\"2\" y=\"2\" width=\"26\" height=\"14\" rx=\"3\" fill=\"none\" stroke=\"\(DiagramStyle.boundaryColor)\" stroke-width=\"1.5\" stroke-dasharray=\"4 2\"/>"),
                 "trust boundary"),
        ]
        let marks = [
            item(icon("<rect x=\"2\" y=\"2\" width=\"26\" height=\"14\" fill=\"#ffffff\" stroke=\"\(DiagramStyle.gapRed)\" stroke-width=\"2\" stroke-dasharray=\"4 2\"/>"),
                 "unmodeled resource, or a flow end that is missing"),
            item(icon("<rect x=\"2\" y=\"2\" width=\"26\" height=\"14\" fill=\"#ffffff\" stroke=\"\(DiagramStyle.gapRed)\" stroke-width=\"2\" stroke-dasharray=\"1.5 1.5\"/>"),
                 "resource missing"),
            item(icon("<rect x=\"2\" y=\"2\" width=\"26\" height=\"14\" fill=\"#ffffff\" stroke=\"\(DiagramStyle.driftBlue)\" stroke-width=\"3\"/>"),
                 "changed after review"),
        ]
        return "<div class=\"dfd-legend\"><div><strong>Fill: worst open threat</strong><ul>" + fills.joined() + "</ul></div>"
            + "<div><strong>Shapes</strong><ul>" + shapes.joined() + "</ul></div>"
            + "<div><strong>Marks</strong><ul>" + marks.joined() + "</ul><p>\"N gaps\": STRIDE categories that apply to the element's kind with no threat.</p></div></div>"
    }

    static let diagramCSS = """
    .dfd{overflow-x:auto}.dfd svg{max-width:100%;height:auto}
    .dfd-legend{display:flex;flex-wrap:wrap;gap:8px 32px;color:#424242;font-size:13px}.dfd-legend ul{list-style:none;margin:4px 0;padding:0}
    .dfd-legend li{display:flex;align-items:center;gap:6px;margin:2px 0}.dfd-legend p{margin:4px 0;max-width:320px}.diagram-error{color:#c62828}
    """

    /// The Markdown section: the diagram as a Mermaid flowchart and a one-paragraph legend.
    func diagramMarkdown() -> [String] {
        var lines = ["## Data-flow diagram", ""]
        let diagram = self.diagram
        if let count = diagram.tooLarge {
            return lines + ["The model has \(count) elements; the diagram is drawn for up to \(DataFlowDiagram.maximumElements).", ""]
        }
        if diagram.isEmpty { return lines + ["No elements to draw: list them in `elements.yml`.", ""] }
        lines += ["```mermaid", DiagramMermaid.render(diagram).trimmingCharacters(in: .newlines), "```", ""]
        lines += ["Fill: the worst severity among an element's open threats (critical purple, high red, medium orange, low yellow, info grey); "
                  + "green: threats, none open; white: no threats. Shapes: box, external entity; rounded, process; cylinder, data store; "
                  + "hexagon, a flow end that is not an element. Red dashed frames are trust boundaries; a red dashed border marks an "
                  + "unmodeled resource, a red dotted one a missing resource, a thick blue one an element changed after review; "
                  + "dotted arrows have a missing end.", ""]
        return lines
    }
}
