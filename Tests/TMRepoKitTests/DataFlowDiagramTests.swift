import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TestSupport
import ThreatModel
import TMGraphviz
@testable import TMRepoKit

/// The data-flow diagram: the model (boundaries, colours, marks, missing ends), its DOT and SVG
/// through Graphviz, the SVG sanitizer and the Mermaid form, with hostile names everywhere.
struct DataFlowDiagramTests {
    static func threat(_ id: String, on element: String, _ severity: Severity, _ status: ThreatStatus, stride: [StrideCategory] = [.spoofing]) -> Threat {
        Threat(id: id, path: "threats/\(id).md", title: id, stride: stride, element: element, severity: severity, status: status)
    }

    /// Names a model's author could write to break out of DOT, SVG, HTML or Mermaid.
    static let hostileNames = [
        #"He said "hi" \ & <script>alert(1)</script>"#,
        #"ends with a backslash \"#,
        "label=<<b>bold</b>> <br/>",
        "line one\nline two\r\tthree",
        "esc \u{1B}[31m bell \u{07} rlo \u{202E}x",
        #"\N \G \E \T \H \L \l \r \n \"#,
        #"#quot; ]) --> end; %% x|y {z} `c`"#,
        #""]; "x" -> "y" [label="pwned"#,
        "&lt;not a tag&gt; &amp; &#60;",
        "</title></text><foreignObject>",
    ]

    static func hostileDiagram() -> DataFlowDiagram {
        var elements: [Element] = []
        for (index, name) in hostileNames.enumerated() {
            elements.append(Element(id: "e\(index)-\(name)", kind: index % 2 == 0 ? .process : .dataStore, name: name,
                                    trustBoundary: index % 3 == 0 ? name : nil))
        }
        elements.append(Element(id: "flow", kind: .dataFlow, name: hostileNames[0], from: elements[0].id, to: elements[1].id))
        elements.append(Element(id: "flow2", kind: .dataFlow, name: hostileNames[6], from: elements[2].id, to: "gone \"\\ <x>"))
        return DataFlowDiagram(elements: elements, threats: [threat("T-1", on: elements[0].id, .critical, .open)])
    }

    /// The example's model, read from its files.
    static func exampleModel() throws -> Model {
        let root = SourceTree.example
        func file(_ path: String) throws -> ModelFile {
            ModelFile(path: path, bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/" + path))))
        }
        let threats = try FileManager.default.contentsOfDirectory(atPath: root + "/threats").filter { $0.hasSuffix(".md") }.sorted()
        return Model(sources: ModelSources(config: try file(".tmrepo.yml"), elements: try file("elements.yml"), assets: try file("assets.yml"),
                                           threatFiles: try threats.map { try file("threats/" + $0) }))
    }

    // MARK: - The diagram model

    @Test func elementsAreGroupedByTrustBoundaryAndColouredByTheWorstOpenThreat() {
        let elements = [
            Element(id: "browser", kind: .externalEntity, name: "Browser", trustBoundary: "internet"),
            Element(id: "partner", kind: .externalEntity, name: "Partner", trustBoundary: "internet"),
            Element(id: "api", kind: .process, name: "API", trustBoundary: "aws"),
            Element(id: "table", kind: .dataStore, name: "Table"),
            Element(id: "calls", kind: .dataFlow, name: "Calls", from: "browser", to: "api"),
            Element(id: "writes", kind: .dataFlow, name: "Writes", from: "api", to: "table"),
        ]
        let threats = [
            Self.threat("T-1", on: "api", .critical, .mitigated),   // not open: does not colour
            Self.threat("T-2", on: "api", .medium, .open),
            Self.threat("T-3", on: "api", .high, .open),
            Self.threat("T-4", on: "api", .critical, .accepted),
            Self.threat("T-5", on: "table", .critical, .closed),
            Self.threat("T-6", on: "calls", .low, .open),
        ]
        let diagram = DataFlowDiagram(elements: elements, threats: threats)
        #expect(diagram.boundaries == [.init(name: "internet", nodeKeys: ["browser", "partner"]), .init(name: "aws", nodeKeys: ["api"])])
        #expect(diagram.unboundedNodes.map(\.key) == ["table"])
        let api = diagram.nodes.first { $0.key == "api" }!
        #expect(api.worstOpen == .high && api.openCount == 2 && api.threatCount == 4)
        let table = diagram.nodes.first { $0.key == "table" }!
        #expect(table.worstOpen == nil && table.threatCount == 1 && !table.marks.contains(.noThreats))
        #expect(diagram.nodes.first { $0.key == "browser" }!.marks == [.noThreats])
        #expect(diagram.flows.map { "\($0.from)->\($0.to)" } == ["browser->api", "api->table"])
        #expect(diagram.flows[0].worstOpen == .low && diagram.flows[0].crossesBoundary)
        #expect(diagram.flows[1].crossesBoundary, "aws to no boundary crosses")
        #expect(DiagramStyle.look(api).fill == Report.severityColors[.high])
        #expect(DiagramStyle.look(table).fill == DiagramStyle.coveredFill)

        let dot = DiagramDOT.render(diagram)
        #expect(dot.components(separatedBy: "subgraph \"cluster_").count - 1 == 2, "one cluster per boundary")
        #expect(dot.contains("\"api\" [label=\"API\\nhigh · 2 open · 5 gaps\", shape=ellipse, style=\"filled\", fillcolor=\"#d32f2f\""))
        #expect(dot.contains("\"table\" [label=\"Table\\n1 threat, not open · 4 gaps\", shape=cylinder"))
        #expect(dot.contains("\"browser\" [label=\"Browser\\nno threats\", shape=box"))
    }

    @Test func aFlowWithAMissingEndIsMarkedNotDropped() {
        let elements = [
            Element(id: "api", kind: .process, name: "API"),
            Element(id: "to-gone", kind: .dataFlow, name: "To a deleted service", from: "api", to: "deleted-service"),
            Element(id: "also-gone", kind: .dataFlow, name: "Also to it", from: "deleted-service", to: "api"),
            Element(id: "no-from", kind: .dataFlow, name: "Nowhere", to: "api"),
            Element(id: "to-a-flow", kind: .dataFlow, name: "To a flow", from: "api", to: "no-from"),
        ]
        let diagram = DataFlowDiagram(elements: elements, threats: [])
        #expect(diagram.flows.count == 4, "every flow is drawn")
        #expect(diagram.flows.allSatisfy { $0.marks.contains(.missingEnd) })
        let standIns = diagram.nodes.filter { $0.kind == nil }
        #expect(standIns.map(\.name) == ["deleted-service", "(no from)", "no-from"], "one stand-in per missing id")
        #expect(diagram.flows[0].to == diagram.flows[1].from)
        #expect(standIns.allSatisfy { $0.marks == [.missingEnd] })
        let dot = DiagramDOT.render(diagram)
        #expect(dot.contains("\"api\" -> \"missing:deleted-service\" [label=\"To a deleted service\\nno threats\\n⚠ end missing\", color=\"#d32f2f\""))
        #expect(dot.contains("style=\"dashed\"];"))
        #expect(dot.contains("\"missing:deleted-service\" [label=\"? deleted-service\\nnot in elements.yml\", shape=box, style=\"filled,dashed\""))
    }

    @Test func annotationsMarkElementsAndAddUnmodeledResources() {
        let elements = [Element(id: "api", kind: .process, name: "API"), Element(id: "fn", kind: .process, name: "Order function")]
        let annotations = DiagramAnnotations(
            marks: ["api": [.changedAfterReview], "fn": [.missingResource]],
            unmodeled: [Element(id: "RefundFunction", kind: .process, name: "RefundFunction"),
                        Element(id: "api", kind: .process, name: "already modeled"),
                        Element(id: "RefundQueue", kind: .dataFlow, name: "RefundQueue", from: "api", to: "RefundFunction")])
        let diagram = DataFlowDiagram(elements: elements, threats: [Self.threat("T-1", on: "api", .low, .open)], annotations: annotations)
        #expect(diagram.nodes.map(\.key) == ["api", "fn", "RefundFunction"])
        #expect(diagram.nodes[0].marks == [.changedAfterReview])
        #expect(diagram.nodes[1].marks == [.missingResource, .noThreats])
        #expect(diagram.nodes[2].marks == [.unmodeled, .noThreats])
        #expect(diagram.flows.map(\.marks) == [[.unmodeled, .noThreats]])
        #expect(DiagramStyle.look(diagram.nodes[0]).border == DiagramStyle.driftBlue)
        #expect(DiagramStyle.look(diagram.nodes[2]) == .init(fill: "#ffffff", text: "#1d1d1f", border: DiagramStyle.gapRed, borderWidth: 2.2, line: "dashed"))
        #expect(DiagramStyle.lines(diagram.nodes[0]).last == "⚠ changed after review")
        let dot = DiagramDOT.render(diagram)
        #expect(dot.contains("\"RefundFunction\" [label=\"RefundFunction\\nno threats\\n⚠ unmodeled\", shape=ellipse, style=\"filled,dashed\""))
    }

    @Test func aModelOverTheLimitIsNotLaidOut() {
        let elements = (0...DataFlowDiagram.maximumElements).map { Element(id: "e\($0)", kind: .process, name: "E\($0)") }
        let diagram = DataFlowDiagram(elements: elements, threats: [])
        #expect(diagram.tooLarge == DataFlowDiagram.maximumElements + 1 && diagram.isEmpty)
    }

    @Test func longNamesWrapAndAreCut() {
        #expect(DiagramStyle.wrap("Payment provider (card processing, webhooks)", width: 24, maxLines: 3)
                == ["Payment provider (card", "processing, webhooks)"])
        #expect(DiagramStyle.wrap(String(repeating: "x", count: 60), width: 24, maxLines: 2) == [String(repeating: "x", count: 24), String(repeating: "x", count: 23) + "…"])
        #expect(DiagramStyle.wrap("", width: 24, maxLines: 2) == [""])
    }

    // MARK: - DOT and Graphviz

    @Test func dotWritesNoRawBackslashOrQuoteFromAName() {
        let dot = DiagramDOT.render(Self.hostileDiagram())
        for line in dot.split(separator: "\n") {
            // Outside tmrepo's own `\n` line breaks and `\"` in names, there is no backslash at all.
            let rest = line.replacingOccurrences(of: "\\n", with: "").replacingOccurrences(of: "\\\"", with: "")
            #expect(!rest.contains("\\"), "\(line)")
        }
        #expect(!dot.contains("\u{1B}") && !dot.contains("\u{202E}") && !dot.contains("\u{07}"))
        #expect(DiagramDOT.quoted("a\"b\\c&d\n") == "\"a\\\"b&#92;c&amp;d&#92;n\"")
        #expect(DiagramDOT.label(["a\"b\\c&d"]) == "\"a&quot;b&#92;&#92;c&amp;d\"")
    }

    @Test func graphvizShowsHostileNamesAsTheirTextInValidSVG() throws {
        let diagram = Self.hostileDiagram()
        let rendering = try GraphvizRenderer().render(dot: DiagramDOT.render(diagram))
        let raw = try SVGDocument(rendering.svg)
        #expect(raw.count("g", class: "node") == diagram.nodes.count)
        #expect(raw.count("g", class: "edge") == diagram.flows.count)
        #expect(raw.count("g", class: "cluster") == diagram.boundaries.count)
        var expected = diagram.nodes.flatMap(DiagramStyle.lines) + diagram.flows.flatMap(DiagramStyle.lines)
        expected += diagram.boundaries.map { "trust boundary: " + TextEscaping.field($0.name) }
        for line in expected {
            #expect(raw.texts.contains(line), "shown as written: \(line)")
        }

        let safe = try #require(SVGSanitizer.sanitize(rendering.svg, idPrefix: "dfd-", label: "Data-flow diagram"))
        let clean = try SVGDocument(Array(safe.utf8))
        #expect(clean.texts == raw.texts, "sanitizing keeps every text")
        #expect(clean.elements.isSubset(of: SVGSanitizer.elements))
        for bad in ["<script", "<foreignObject", "<a ", "<title></title><script", "onload", "href", "<br"] {
            #expect(!safe.contains(bad), "\(bad)")
        }
    }

    @Test func theExampleRendersToValidSVG() throws {
        let model = try Self.exampleModel()
        let diagram = DataFlowDiagram(model: model)
        #expect(diagram.nodes.count == 10 && diagram.flows.count == 2 && diagram.boundaries.map(\.name) == ["internet"])
        #expect(diagram.nodes.first { $0.key == "authorizer" }?.worstOpen == .critical)
        let svg = try #require(try? DiagramSVG.render(diagram).get())
        let document = try SVGDocument(Array(svg.utf8))
        #expect(document.count("g", class: "node") == 10)
        #expect(document.count("g", class: "edge") == 2)
        #expect(document.count("g", class: "cluster") == 1)
        #expect(document.texts.contains("JWT authorizer Lambda"))
        #expect(document.root == "svg")
    }

    @Test func graphvizErrorsAreThrownWithItsMessageNotPrinted() throws {
        #expect(throws: GraphvizError.self) { try GraphvizRenderer().render(dot: "digraph { a -> }") }
        do {
            _ = try GraphvizRenderer().render(dot: "digraph { a -> ; }")
            Issue.record("a syntax error must throw")
        } catch let error as GraphvizError {
            #expect(error.code == .syntax)
            #expect(error.message.contains("syntax error"), "\(error.message)")
        }
        let small = GraphvizRenderer(limits: .init(maximumDOTBytes: 10_000, maximumNodes: 3, maximumEdges: 10))
        #expect(throws: GraphvizError(code: .tooLarge, operation: "lay out the diagram", message: "4 nodes and 0 edges; the limits are 3 and 10")) {
            try small.render(dot: "digraph { a; b; c; d; }")
        }
        #expect(throws: GraphvizError.self) { try small.render(dot: "digraph { " + String(repeating: "a; ", count: 5_000) + "}") }
        // After errors, Graphviz still works (its state was restored).
        #expect(try GraphvizRenderer().svg(dot: "digraph { a -> b; }").count > 100)
    }

    @Test func rendersFromManyThreadsAtOnce() async throws {
        let dot = DiagramDOT.render(try DataFlowDiagram(model: Self.exampleModel()))
        let sizes = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { try GraphvizRenderer().svg(dot: dot).count } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(sizes.count == 8 && Set(sizes).count == 1, "the same picture every time")
    }

    // MARK: - The sanitizer

    @Test func theSanitizerKeepsDrawingsAndDropsEverythingActive() throws {
        let svg = """
        <?xml version="1.0"?>
        <!DOCTYPE svg [<!ENTITY x "expanded">]>
        <svg width="10pt" height="10pt" viewBox="0 0 10 10" onload="alert(1)" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">
        <script>alert(2)</script>
        <g id="a" class="node" transform="translate(4 4)" style="background:url(javascript:x)">
        <title>t &lt;b&gt;</title>
        <a xlink:href="javascript:alert(3)"><text x="1" y="2">in a link</text></a>
        <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">html</div></foreignObject>
        <image href="https://example.com/x.png"/>
        <polygon fill="url(#g)" stroke="black" points="1,2 3,4"/>
        <text x="1" y="2" font-family="Helvetica,sans-Serif" onclick="x()">kept &amp; escaped &lt;i&gt;</text>
        </g>
        </svg>
        """
        let out = try #require(SVGSanitizer.sanitize(Array(svg.utf8), idPrefix: "p-", label: "A \"label\""))
        #expect(out == """
        <svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="A &quot;label&quot;" height="10pt" viewBox="0 0 10 10" width="10pt">
        \("")
        <g class="node" id="p-a" transform="translate(4 4)">
        <title>t &lt;b&gt;</title>
        \("")
        \("")
        \("")
        <polygon points="1,2 3,4" stroke="black"></polygon>
        <text font-family="Helvetica,sans-Serif" x="1" y="2">kept &amp; escaped &lt;i&gt;</text>
        </g>
        </svg>
        """)
        #expect(SVGSanitizer.sanitize(Array("<svg><g></svg>".utf8), idPrefix: "", label: "") == nil, "not well-formed")
        #expect(SVGSanitizer.sanitize(Array("<html><svg></svg></html>".utf8), idPrefix: "", label: "") == nil, "the root must be svg")
    }

    // MARK: - Mermaid

    @Test func mermaidOfTheExampleParses() throws {
        let diagram = DataFlowDiagram(model: try Self.exampleModel())
        let chart = try MermaidSubset.parse(DiagramMermaid.render(diagram))
        #expect(chart.nodes.count == diagram.nodes.count)
        #expect(chart.edges.count == diagram.flows.count)
        #expect(chart.subgraphs == ["trust boundary: internet"])
        #expect(chart.nodes["n0"]?.shape == "[]" && chart.nodes["n0"]?.lines.first == "Customer's browser (SPA")
        #expect(chart.nodes.values.contains { $0.shape == "()" } && chart.nodes.values.contains { $0.shape == "[()]" })
        #expect(chart.classes["n3"]?.contains("sev_critical") == true, "the authorizer has an open critical threat")
    }

    @Test func mermaidShowsHostileNamesAsTheirText() throws {
        let diagram = Self.hostileDiagram()
        let text = DiagramMermaid.render(diagram)
        let chart = try MermaidSubset.parse(text)
        #expect(chart.nodes.count == diagram.nodes.count && chart.edges.count == diagram.flows.count)
        for (index, node) in diagram.nodes.enumerated() {
            #expect(chart.nodes["n\(index)"]?.lines == DiagramStyle.lines(node), "\(node.name)")
        }
        #expect(chart.edges.map(\.lines) == diagram.flows.map(DiagramStyle.lines))
        #expect(chart.subgraphs == diagram.boundaries.map { "trust boundary: " + TextEscaping.field($0.name) })
        #expect(chart.edges[1].dotted, "a flow with a missing end is dotted")
        #expect(chart.classes.values.contains { $0.contains("missing") })
        #expect(DiagramMermaid.escape("\"#quot;") == "#quot;#35;quot#59;")
    }
}

// MARK: - Test helpers

/// An SVG document read with Foundation's XML parser: element names, classes and texts.
struct SVGDocument {
    var root: String?
    var elements = Set<String>()
    var classes: [String: Int] = [:]
    var texts: [String] = []

    init(_ bytes: [UInt8]) throws {
        let parser = XMLParser(data: Data(bytes))
        let delegate = Delegate()
        parser.delegate = delegate
        guard parser.parse() else { throw parser.parserError ?? NSError(domain: "SVGDocument", code: 1) }
        root = delegate.root
        elements = delegate.elements
        classes = delegate.classes
        texts = delegate.texts
    }

    func count(_ element: String, class name: String) -> Int { classes["\(element).\(name)"] ?? 0 }

    final class Delegate: NSObject, XMLParserDelegate {
        var root: String?
        var elements = Set<String>()
        var classes: [String: Int] = [:]
        var texts: [String] = []
        var inText = false
        var text = ""

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            if root == nil { root = name }
            elements.insert(name)
            if let value = attributes["class"] { classes["\(name).\(value)", default: 0] += 1 }
            if name == "text" { inText = true; text = "" }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inText { text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "text" { inText = false; texts.append(text.replacingOccurrences(of: "\u{A0}", with: " ")) }
        }
    }
}

/// A validating parser for the Mermaid subset tmrepo writes: every node declared once (inside at
/// most one subgraph), every edge's ends declared, subgraph/end balanced, labels quoted with no
/// raw quote, bracket, brace, parenthesis, pipe, backtick or markup but tmrepo's own `<br/>`,
/// every `#…;` a known entity code; linkStyle indexes and classes refer to what exists.
struct MermaidSubset {
    struct Node { let shape: String; let lines: [String]; let subgraph: String? }
    struct Edge { let from: String; let to: String; let dotted: Bool; let lines: [String] }
    struct Failure: Error, CustomStringConvertible { let description: String }

    var nodes: [String: Node] = [:]
    var edges: [Edge] = []
    var subgraphs: [String] = []
    var classes: [String: [String]] = [:]

    static let shapes: [(open: String, close: String, name: String)] = [
        ("[(\"", "\")]", "[()]"), ("{{\"", "\"}}", "{{}}"), ("[\"", "\"]", "[]"), ("(\"", "\")", "()"),
    ]

    static func parse(_ text: String) throws -> MermaidSubset {
        var chart = MermaidSubset()
        var open: String?
        var subgraphIDs = Set<String>()
        var classDefs = Set<String>()
        var pending: [(Int, String)] = []   // linkStyle and class lines, checked at the end
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first == "flowchart LR" else { throw Failure(description: "must start with flowchart LR") }
        for (number, raw) in lines.enumerated().dropFirst() where !raw.isEmpty {
            let line = raw.trimmingCharacters(in: .whitespaces)
            func fail(_ why: String) -> Failure { Failure(description: "line \(number + 1): \(why): \(raw)") }
            if line.hasPrefix("subgraph ") {
                guard open == nil else { throw fail("nested subgraph") }
                let rest = line.dropFirst("subgraph ".count)
                guard let bracket = rest.range(of: "[\""), rest.hasSuffix("\"]") else { throw fail("subgraph without a quoted title") }
                let id = String(rest[..<bracket.lowerBound])
                guard isID(id), subgraphIDs.insert(id).inserted else { throw fail("bad or repeated subgraph id") }
                chart.subgraphs.append(try label(String(rest[bracket.upperBound..<rest.index(rest.endIndex, offsetBy: -2)]), fail).joined(separator: "\n"))
                open = id
            } else if line == "end" {
                guard open != nil else { throw fail("end without subgraph") }
                open = nil
            } else if line.hasPrefix("style ") {
                guard subgraphIDs.contains(String(line.split(separator: " ")[1])) else { throw fail("style of an unknown subgraph") }
            } else if line.hasPrefix("linkStyle ") || line.hasPrefix("class ") {
                pending.append((number + 1, line))
            } else if line.hasPrefix("classDef ") {
                let parts = line.split(separator: " ")
                guard parts.count >= 3, isID(String(parts[1])), classDefs.insert(String(parts[1])).inserted else { throw fail("bad classDef") }
            } else if let arrow = line.range(of: " -->|\"") ?? line.range(of: " -.->|\"") {
                let from = String(line[..<arrow.lowerBound])
                let rest = line[arrow.upperBound...]
                guard let close = rest.range(of: "\"| ", options: .backwards) else { throw fail("edge label not closed") }
                let to = String(rest[close.upperBound...])
                guard isID(from), isID(to) else { throw fail("bad edge ends") }
                chart.edges.append(Edge(from: from, to: to, dotted: line[arrow].contains("-.->"),
                                        lines: try label(String(rest[..<close.lowerBound]), fail)))
            } else {
                guard let shape = shapes.first(where: { line.contains($0.open) && line.hasSuffix($0.close) }),
                      let start = line.range(of: shape.open) else { throw fail("not a statement of the subset") }
                let id = String(line[..<start.lowerBound])
                guard isID(id) else { throw fail("bad node id") }
                guard chart.nodes[id] == nil else { throw fail("node declared twice") }
                let inner = String(line[start.upperBound..<line.index(line.endIndex, offsetBy: -shape.close.count)])
                chart.nodes[id] = Node(shape: shape.name, lines: try label(inner, fail), subgraph: open)
            }
        }
        guard open == nil else { throw Failure(description: "subgraph not closed") }
        for edge in chart.edges where chart.nodes[edge.from] == nil || chart.nodes[edge.to] == nil {
            throw Failure(description: "edge \(edge.from) → \(edge.to) has an end that is not declared")
        }
        for (number, line) in pending {
            let parts = line.split(separator: " ")
            if parts[0] == "linkStyle" {
                guard let index = Int(parts[1]), index < chart.edges.count else { throw Failure(description: "line \(number): no such link") }
            } else {
                guard parts.count == 3, classDefs.contains(String(parts[2])) else { throw Failure(description: "line \(number): undefined class") }
                for id in parts[1].split(separator: ",") {
                    guard chart.nodes[String(id)] != nil else { throw Failure(description: "line \(number): class on unknown node \(id)") }
                    chart.classes[String(id), default: []].append(String(parts[2]))
                }
            }
        }
        return chart
    }

    static func isID(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// Checks a label's characters and decodes it into its lines.
    static func label(_ text: String, _ fail: (String) -> Failure) throws -> [String] {
        var lines = [""]
        var rest = Substring(text)
        while let scalar = rest.unicodeScalars.first {
            if rest.hasPrefix("<br/>") {
                lines.append("")
                rest = rest.dropFirst(5)
                continue
            }
            if scalar == "#" {
                guard let end = rest.firstIndex(of: ";") else { throw fail("# without entity") }
                let code = rest[rest.index(after: rest.startIndex)..<end]
                if code == "quot" {
                    lines[lines.count - 1] += "\""
                } else if let value = UInt32(code), let decoded = Unicode.Scalar(value) {
                    lines[lines.count - 1].unicodeScalars.append(decoded)
                } else {
                    throw fail("unknown entity #\(code);")
                }
                rest = rest[rest.index(after: end)...]
                continue
            }
            guard !"\"[](){}|`<>\n\r".unicodeScalars.contains(scalar), scalar.value >= 0x20 else { throw fail("raw \(scalar) in a label") }
            lines[lines.count - 1].unicodeScalars.append(scalar)
            rest = Substring(rest.unicodeScalars.dropFirst())
        }
        return lines
    }
}
