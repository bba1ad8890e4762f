import Testing
@testable import TMRepoKit

/// Which paths below the threats folder are threat files: `.md` in any case, never a README or
/// anything hidden (a dot-file or a file in a dot-folder).
struct ThreatFileNameTests {
    @Test(arguments: [
        ("T-0001-spoofing.md", true), ("T-0001.MD", true), ("nested/T-0002.Md", true), ("a/b/c.md", true),
        ("README.md", false), ("readme.MD", false), ("nested/ReadMe.md", false), ("x.md", true),
        (".md", false), ("md", false), ("T-0001.markdown", false), ("T-0001.md.txt", false),
        (".hidden.md", false), (".drafts/T-0003.md", false), ("a/.b/T-0004.md", false), ("a.md/", false),
        ("T-é.md", true), ("é.MD", true),
    ])
    func recognisesThreatFiles(path: String, expected: Bool) {
        #expect(ModelStore.isThreatFile(path) == expected)
    }
}
