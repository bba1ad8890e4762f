import Foundation
import Testing
import TestSupport
import Yams
@testable import ThreatModel

/// The fast reader must build exactly libyaml's tree (values, styles, positions) whenever it
/// answers at all, and must answer for the plain files tmrepo and its users write.
struct FastYAMLTests {
    static func frontMatter(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        if path.hasSuffix(".md") {
            guard case .success(let split) = FrontMatterSplit.split(text) else { return nil }
            return split.yaml
        }
        return text
    }

    static func corpus() -> [String] {
        var files: [String] = []
        for folder in [SourceTree.fixtures, SourceTree.example, SourceTree.root + "/templates"] {
            let enumerator = FileManager.default.enumerator(atPath: folder)
            while let next = enumerator?.nextObject() as? String {
                if next.hasSuffix(".md") || next.hasSuffix(".yml") { files.append(folder + "/" + next) }
            }
        }
        return files.sorted()
    }

    /// Each snippet with whether the fast reader must answer (true) or leave it to libyaml (false).
    static let snippets: [(String, Bool)] = [
        ("a: 1\nb: two words\nc: 'single ''quoted'''\nd: \"double\"\n", true),
        ("list: [a, b,c ,  d]\nempty: []\nspaced: [ x ]\n", true),
        ("outer:\n  inner: v\n  deeper:\n    x: y\nnext: z\n", true),
        ("seq:\n- a\n- b\nafter: 1\n", true),
        ("seq:\n  - id: M-1\n    title: t   # comment\n  # between\n  - id: M-2\n    evidence: [a/**, b.tf]\n", true),
        ("# leading comment\n\nkey: value # trailing\n", true),
        ("url: http://example.com/a#frag\n", true),
        ("k: a:b\n", true),
        ("k: a: b\n", false),              // libyaml error: must fall back
        ("k: [a, b\n", false),             // unterminated flow
        ("k: {a: 1}\n", false),            // flow mapping
        ("k: |\n  text\n", false),         // block scalar
        ("k: &anchor v\nj: *anchor\n", false),
        ("k: v\nk: w\n", false),           // duplicate key
        ("k:\nj: 1\n", false),             // empty value
        ("k: \"esc\\n\"\n", false),
        ("k: multi\n  line\n", false),
        ("- a\n- b\n", true),
        ("ünïcode: välue\nk: 'é'\n", false),   // keys are plain identifiers
        ("k: välue\nj: 'é'\n", true),
        ("k: v\r\nj: w\r\n", true),
        ("  indented: root\n", false),
        ("k: -dash\nj: - item\n", false),
        ("k: '#not comment'\nj: x #comment\n", true),
        // Found by fuzzing: libyaml breaks lines at NEL, LS and PS and refuses other control characters, even in comments.
        ("k: a\u{85}b\n", false),
        ("k: 'a\u{2028}b'\n", false),
        ("k: \"a\u{2029}b\"\n", false),
        ("#\u{01}threat:\nk: v\n", false),
        ("k: v # \u{7F}\n", false),
        ("k: a\u{9B}b\n", false),
        ("# a\tcomment\nk: v\n", true),
    ]

    @Test func fastTreeEqualsLibyamlTreeOnTheCorpus() throws {
        var fastCount = 0
        let files = Self.corpus()
        #expect(files.count > 60)
        for file in files {
            guard let yaml = Self.frontMatter(file) else { continue }
            try compare(yaml, label: file, fast: &fastCount)
        }
        #expect(fastCount > files.count / 2, "the fast reader answered for only \(fastCount) of \(files.count) files")
        // Everything tmrepo writes itself takes the fast path (templates have empty values).
        let exampleAndValid = files.filter { $0.contains("/examples/") || $0.contains("/Fixtures/valid/") }
        var slowPath: [String] = []
        for file in exampleAndValid {
            if let yaml = Self.frontMatter(file), FastYAML.compose(yaml) == nil { slowPath.append(URL(fileURLWithPath: file).lastPathComponent) }
        }
        // rich.md and its CRLF and BOM copies hold a flow mapping ({keep: me, …}), which only libyaml reads.
        #expect(slowPath.sorted() == ["bom.md", "crlf.md", "rich.md"])
    }

    @Test(arguments: FastYAMLTests.snippets)
    func fastTreeEqualsLibyamlTree(snippet: String, takesFastPath: Bool) throws {
        var count = 0
        try compare(snippet, label: snippet.debugDescription, fast: &count)
        // A snippet meant for the fast path must not silently fall back (then nothing would be compared).
        #expect(count == (takesFastPath ? 1 : 0), "\(snippet.debugDescription): fast path \(count == 1 ? "taken" : "not taken")")
    }

    func compare(_ yaml: String, label: String, fast: inout Int) throws {
        guard let quick = FastYAML.compose(yaml) else { return }
        fast += 1
        let slow: YNode? = try Yams.compose(yaml: yaml).map(YNode.init)
        #expect(quick == slow, "\(label): fast reader differs from libyaml")
    }

    @Test func generatedThreatFilesTakeTheFastPath() {
        let text = """
        id: T-00042
        title: Forged token replay unthrottled
        stride: [spoofing, tampering]
        element: api-gateway
        severity: high
        status: open
        owner: team-payments
        reviewed:
          on: 2026-01-02
          by: dev01@example.com
        mitigations:
          - id: M-1
            title: Mitigate leaked secret role
            status: verified
            owner: dev02@example.com
            evidence: [services/svc001/**]
            verified: 2026-01-02
        tags: [generated]

        """
        #expect(FastYAML.compose(text) != nil)
        #expect(FastYAML.compose(text)! == (try? Yams.compose(yaml: text))?.map(YNode.init))
    }
}
