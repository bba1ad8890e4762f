import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TestSupport

/// The data-flow diagram in `tmrepo report`: Graphviz SVG in the HTML, a Mermaid flowchart in
/// the Markdown, with hostile element names and a flow whose end is gone.
struct DiagramReportTests {
    /// The replayed example with a hostile element, a boundary named like markup and a flow to
    /// a deleted element, committed on top.
    func replayedExampleWithHostileElements() throws -> TempDir {
        let dir = try TempDir("diagram")
        let repo = dir.path + "/repo"
        let replay = try runProcess("/bin/bash", [SourceTree.root + "/scripts/replay-example.sh", SourceTree.example, repo], cwd: dir.path)
        try #require(replay.status == 0, "\(replay.stderr)")
        let extra = #"""
          - id: hostile-process
            kind: process
            name: "<script>alert('dfd')</script> \" \\ & ]) --> end"
            trust_boundary: "</title><script>alert('boundary')</script>"
          - id: ghost-flow
            kind: data-flow
            name: "Refunds to the deleted service"
            from: order-service
            to: refund-service

        """#
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: repo + "/elements.yml"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(extra.utf8))
        try handle.close()
        try GitDriver(directory: repo).commitAll("Add elements", date: "2026-11-02T10:00:00Z", author: ("carol", "carol@example.com"))
        return dir
    }

    @Test func theHTMLReportDrawsTheDiagramSafely() throws {
        let dir = try replayedExampleWithHostileElements()
        let out = dir.path + "/report.html"
        let result = try TMRepoBinary.run(["report", "--as-of", "2026-11-22", "--out", out], in: dir.path + "/repo")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "wrote \(out)\n", "Graphviz prints nothing")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.contains("<section id=\"diagram\"><h2>Data-flow diagram</h2><figure id=\"dfd\" class=\"dfd\"><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\""))
        #expect(html.contains("class=\"dfd-legend\""))
        #expect(!html.lowercased().contains("<script"), "no script element survives")
        #expect(!html.contains("foreignObject") && !html.contains("xlink:href"))
        #expect(html.contains("&lt;script&gt;alert(&#39;dfd&#39;)&lt;/script&gt;"), "the name is shown as text")
        #expect(html.contains("trust boundary: &lt;/title&gt;&lt;script&gt;alert(&#39;boundary&#39;)&lt;/script&gt;"))
        #expect(html.contains("? refund-service"), "the missing end is drawn")
        #expect(html.contains("⚠ end missing"))
        let svgStart = try #require(html.range(of: "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"Data-flow diagram\""))
        let svgEnd = try #require(html.range(of: "</svg>", range: svgStart.upperBound..<html.endIndex))
        let svg = String(html[svgStart.lowerBound..<svgEnd.upperBound])
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "the inline SVG is well-formed XML: \(String(describing: parser.parserError))")
        #expect(svg.components(separatedBy: "class=\"cluster\"").count - 1 == 3, "internet, the hostile boundary, and aws-account (the template's unmodeled resources)")
        // 10 elements, the hostile one and the missing end; from the SAM template, RefundFunction and the
        // function URL (unmodeled processes) and the two ends of the unmodeled dead-letter queue's flow.
        #expect(svg.components(separatedBy: "class=\"node\"").count - 1 == 12 + 2 + 2)
        #expect(html.contains("RefundFunction") && html.contains("⚠ unmodeled"))
    }

    @Test func theMarkdownReportHasTheMermaidFlowchart() throws {
        let dir = try replayedExampleWithHostileElements()
        let result = try TMRepoBinary.run(["report", "--format", "md", "--as-of", "2026-11-22"], in: dir.path + "/repo")
        #expect(result.status == 0, "\(result.stderr)")
        let md = result.stdout
        let start = try #require(md.range(of: "## Data-flow diagram\n\n```mermaid\nflowchart LR\n"))
        let end = try #require(md.range(of: "\n```\n", range: start.upperBound..<md.endIndex))
        let chart = String(md[start.upperBound..<end.lowerBound])
        #expect(chart.contains("subgraph b0[\"trust boundary: internet\"]"))
        #expect(chart.contains("(\"#60;script#62;alert#40;'dfd'#41;#60;/sc<br/>ript#62; #quot; #92; #38; #93;#41; --#62; end<br/>no threats\")"))
        #expect(chart.contains("{{\"? refund-service<br/>not in elements.yml\"}}"))
        #expect(!chart.contains("<script") && !chart.contains("```"))
        #expect(md.range(of: "## Data-flow diagram")!.lowerBound < md.range(of: "## Over time")!.lowerBound)
    }

    @Test(.enabled(if: ReportTests.chromium != nil, "needs Chromium (apt-get install -y chromium)"))
    func aBrowserDrawsTheDiagram() throws {
        let dir = try replayedExampleWithHostileElements()
        let report = dir.path + "/report.html"
        #expect(try TMRepoBinary.run(["report", "--as-of", "2026-11-22", "--out", report], in: dir.path + "/repo").status == 0)
        // The page with the diagram section only: its colours must come from the diagram itself.
        let html = try String(contentsOfFile: report, encoding: .utf8)
        let head = try #require(html.range(of: "<body>"))
        let section = try #require(html.range(of: "<section id=\"diagram\">"))
        let sectionEnd = try #require(html.range(of: "</section>", range: section.upperBound..<html.endIndex))
        let page = html[..<head.upperBound] + html[section.lowerBound..<sectionEnd.upperBound] + "</body></html>\n"
        try dir.write("diagram.html", String(page))
        let render = try runProcess("/bin/bash", [SourceTree.root + "/scripts/render-report.sh", dir.path + "/diagram.html", dir.path + "/diagram.png"],
                                    cwd: dir.path)
        #expect(render.status == 0, "the diagram is drawn in colour: \(render.stdout)\(render.stderr)")
        #expect(render.stdout.contains("chart pixels"))
    }
}
