import Foundation
import Testing
import TestSupport

/// `tmrepo report` on a replayed history, including hostile text in titles and bodies.
struct ReportTests {
    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func replayedExample() throws -> TempDir {
        let dir = try TempDir("report")
        let replay = try runProcess("/bin/bash", [SourceTree.root + "/scripts/replay-example.sh", SourceTree.example, dir.path + "/repo"], cwd: dir.path)
        try #require(replay.status == 0, "\(replay.stderr)")
        return dir
    }

    @Test func theHTMLReportIsSelfContainedEscapedAndHasTheCharts() throws {
        let dir = try replayedExample()
        let repo = dir.path + "/repo"
        // Hostile text where people type: the title, the owner and the Markdown body.
        let hostile = """
        ---
        id: T-0020
        title: "<script>alert('title')</script> & friends"
        stride: [tampering]
        element: order-service
        severity: high
        status: open
        owner: "<b>orders-team</b>"
        ---

        ## Details
        **Bold** text, a [safe link](https://example.com/a?b=1&c=2), a [bad link](javascript:alert(1)),
        <script>alert('body')</script> and <img src=x onerror="alert('img')">.
        """
        try FileManager.default.createDirectory(atPath: repo + "/threats", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: repo + "/threats/T-0020-hostile.md", contents: Data(hostile.utf8))
        let git = GitDriver(directory: repo)
        try git.commitAll("Add a hostile threat", date: "2026-11-01T10:00:00Z", author: ("mallory", "mallory@example.com"))

        let result = try TMRepoBinary.run(["report", "--as-of", "2026-11-22", "--out", dir.path + "/report.html"], in: repo)
        #expect(result.status == 0, "\(result.stderr)")
        let html = try String(contentsOfFile: dir.path + "/report.html", encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.lowercased().contains("<script"), "no script element survives")
        #expect(!html.contains("onerror=\""), "no event handler attribute survives")
        #expect(!html.contains("href=\"javascript"), "no javascript: link survives")
        #expect(html.contains("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; &amp; friends"))
        #expect(html.contains("&lt;b&gt;orders-team&lt;/b&gt;"))
        #expect(html.contains("<strong>Bold</strong>"), "Markdown bodies are rendered")
        #expect(html.contains("href=\"https://example.com/a?b=1&amp;c=2\""))
        // Nothing is fetched: no external stylesheet, script, image, font or frame.
        for fetch in ["<link", "src=\"http", "src=\"//", "@import", "url(http", "url(//", "<iframe", "<object", "<embed"] {
            #expect(!html.lowercased().contains(fetch), "\(fetch)")
        }
        for section in ["summary", "charts", "reviews", "matrix", "inventory", "threats", "owners", "changelog"] {
            #expect(html.contains("<section id=\"\(section)\""), "section \(section)")
        }
        for chart in ["chart-open-by-severity", "chart-overdue", "chart-owners"] {
            #expect(html.contains("<figure id=\"\(chart)\"><svg"), "chart \(chart)")
        }
        #expect(html.contains("Payment webhook accepted without verifying the provider&#39;s signature"))
        #expect(html.contains("evidence changed"), "stale mitigations are flagged")
        #expect(html.contains("severity high → critical"), "the changelog is in it")
    }

    @Test func theMarkdownReportHasEverySection() throws {
        let dir = try replayedExample()
        let result = try TMRepoBinary.run(["report", "--format", "md", "--as-of", "2026-11-22"], in: dir.path + "/repo")
        #expect(result.status == 0)
        #expect(result.stdout.contains("| month | critical | high | medium | low | info | open | overdue reviews |"))
        #expect(result.stdout.contains("| 2026-01 | 2 | 8 | 4 | 0 | 0 | 14 | 0 |"), "January: the imported model, nothing due yet")
        for heading in ["## Summary", "## Over time", "## Review status", "## STRIDE per element", "## Assets", "## Elements", "## Threats by severity",
                        "## Ownership", "## Severity and status changelog", "### T-0001 — Forged or expired JWT"] {
            #expect(result.stdout.contains(heading), "\(heading)")
        }
        #expect(result.stdout.contains("| T-0004 | critical | 191 days | payments-team | 2026-04-15 by bob@example.com |"))
    }

    @Test(.enabled(if: ReportTests.chromium != nil, "needs Chromium (apt-get install -y chromium)"))
    func aBrowserRendersTheChartsVisibly() throws {
        let dir = try replayedExample()
        let report = dir.path + "/report.html"
        #expect(try TMRepoBinary.run(["report", "--as-of", "2026-11-22", "--out", report], in: dir.path + "/repo").status == 0)
        let render = try runProcess("/bin/bash", [SourceTree.root + "/scripts/render-report.sh", report, dir.path + "/report.png"], cwd: dir.path)
        #expect(render.status == 0, "\(render.stdout)\(render.stderr)")
        #expect(render.stdout.contains("chart pixels"))
    }
}
