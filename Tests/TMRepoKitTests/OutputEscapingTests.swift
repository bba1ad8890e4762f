import Foundation
import Testing
@testable import ThreatModel
@testable import TMRepoKit

/// The escaping every text, CSV and Markdown formatter relies on.
struct OutputEscapingTests {
    @Test(arguments: [
        ("\u{1B}]8;;http://evil\u{07}x\u{1B}]8;;\u{07}", "\\u{1B}]8;;http://evil\\u{7}x\\u{1B}]8;;\\u{7}"),   // OSC 8 hyperlink
        ("\u{1B}]0;title\u{1B}\\", "\\u{1B}]0;title\\u{1B}\\"),                                          // OSC title, ST end
        ("a\u{9B}2Jb", "a\\u{9B}2Jb"),                                                                   // C1 CSI
        ("\u{202E}fdp.exe", "\\u{202E}fdp.exe"), ("x\u{2066}y\u{2069}", "x\\u{2066}y\\u{2069}"),         // bidi
        ("one\ntwo\r\nthree\tfour", "one\\ntwo\\r\\nthree\\tfour"),
        ("ok — ünïcode ✓", "ok — ünïcode ✓"),
        ("\u{7F}\u{85}\u{2028}", "\\u{7F}\\u{85}\\u{2028}"),
    ])
    func fieldEscapesWhatATerminalWouldObey(input: String, expected: String) {
        #expect(TextEscaping.field(input) == expected)
    }

    @Test func multilineKeepsLineBreaksOnly() {
        #expect(TextEscaping.multiline("a\r\nb\n\tc\u{1B}[2K") == "a\nb\n\tc\\u{1B}[2K")
    }

    @Test func terminalOutputKeepsOnlyOurOwnColors() {
        let ours = Style(enabled: true).red("error") + ": " + Style(enabled: true).bold("x")
        #expect(TextEscaping.terminalOutput(ours, keepingColor: true) == ours)
        #expect(TextEscaping.terminalOutput(ours, keepingColor: false) == "\\u{1B}[31merror\\u{1B}[0m: \\u{1B}[1mx\\u{1B}[0m")
        #expect(TextEscaping.terminalOutput("\u{1B}[8mhidden\u{1B}[2J\u{1B}[1A", keepingColor: true) == "\\u{1B}[8mhidden\\u{1B}[2J\\u{1B}[1A")
        #expect(TextEscaping.terminalOutput("a,b\r\nc\rd\n", keepingColor: false) == "a,b\r\nc\\rd\n")
    }

    @Test func tablesEscapeCellsAndColorAfterPadding() {
        let red = Style(enabled: true).red
        let table = TextTable.render(header: ["a", "b"], rows: [["x\ny", "z\u{1B}[31m"]], columnStyles: [1: red])
        #expect(table == "a     b\nx\\ny  " + red("z\\u{1B}[31m"))
    }

    /// Columns line up by characters, and no cell is cut short: a width counted in UTF-16 units
    /// once truncated a title of emoji to half of it.
    @Test func tablesPadByCharactersAndKeepWholeCells() {
        let lines = TextTable.indentedRows([["🔥🔥", "x"], ["abc", "y"], ["é", "z", "tail"]])
        #expect(lines == ["  🔥🔥   x", "  abc  y", "  é    z  tail"])
        #expect(TextEscaping.terminalOutput("plain\tlines\n") == "plain\tlines\n")
        #expect(TextEscaping.terminalOutput("ünï\u{9B}\n") == "ünï\\u{9B}\n")
    }

    @Test(arguments: [("=1+1", "\"'=1+1\""), ("+1", "\"'+1\""), ("-1", "\"'-1\""), ("@x", "\"'@x\""), ("\tx", "\"'\tx\""),
                      ("\rx", "\"'\rx\""), ("\r\nx", "\"'\r\nx\""), ("＝1", "\"'＝1\""), ("a=1", "a=1"), ("-", "-"),
                      ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""), ("a\r\nb", "\"a\r\nb\""), ("", "")])
    func csvCellsAreDefusedAndQuoted(value: String, expected: String) {
        #expect(CSV.field(value) == expected)
    }

    @Test func markdownInlineTextCannotBecomeMarkup() {
        #expect(MarkdownText.inline("<img src=x onerror=y> & [a](javascript:b) `c` *d* _e_ | f ![g](data:h)")
                == "&lt;img src=x onerror=y&gt; &amp; \\[a\\]\\(javascript:b\\) \\`c\\` \\*d\\* \\_e\\_ \\| f \\!\\[g\\]\\(data:h\\)")
        #expect(MarkdownText.inline("alice@example.com payments-team 2026-01-02") == "alice@example.com payments-team 2026-01-02")
    }

    @Test(arguments: ["plain", "a ``` b", "````\ninside\n````", "`", String(repeating: "`", count: 12)])
    func fencesOutlastEveryBacktickRun(body: String) {
        let fenced = MarkdownText.fenced(body)
        let fence = fenced.prefix { $0 == "`" }.count
        #expect(fence >= 3 && fence > MarkdownText.longestRun(of: "`", in: body))
        #expect(fenced.hasSuffix("\n" + String(repeating: "`", count: fence)))
        #expect(MarkdownText.code(body).prefix { $0 == "`" }.count > MarkdownText.longestRun(of: "`", in: body))
    }

    @Test func githubAnnotationPropertiesAndMessagesAreEncoded() {
        let diagnostic = Diagnostic(path: "threats/a,b:c\n.md", line: 3, column: 1, severity: .error, rule: "invalid-value",
                                    message: "100% bad\r\n::error::forged \u{1B}[31m")
        #expect(GitHubAnnotation.line(for: diagnostic)
                == "::error file=threats/a%2Cb%3Ac%0A.md,line=3,col=1,title=tmrepo invalid-value::100%25 bad%0D%0A::error::forged \\u{1B}[31m")
    }
}

struct FolderContainmentTests {
    @Test func foldersLinkedOutOfTheRootAreOutside() throws {
        let root = FileManager.default.temporaryDirectory.path + "/tmrepo-contain-\(UInt32.random(in: 0...UInt32.max))"
        let outside = root + "-outside"
        try FileManager.default.createDirectory(atPath: root + "/threats", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root); try? FileManager.default.removeItem(atPath: outside) }
        try FileManager.default.createSymbolicLink(atPath: root + "/threats/linked", withDestinationPath: outside)
        #expect(FileSystem.folderIsInside(root + "/threats/T-0001-x.md", root: root))
        #expect(!FileSystem.folderIsInside(root + "/threats/linked/T-0001-x.md", root: root))
        #expect(!FileSystem.folderIsInside(root + "/../T-0001-x.md", root: root))
        #expect(!FileSystem.folderIsInside(outside + "/T-0001-x.md", root: root))
    }
}
