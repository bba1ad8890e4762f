import Testing
import ThreatModel

/// Evidence globs as the format defines them: `*` within a segment, `**` across segments, a
/// literal path also covers what is below it, `./` prefixes and `.` segments name the folder
/// they are in (as for git: `src/auth/.` is `src/auth`, `.` the whole repository).
struct GlobTests {
    @Test(arguments: [
        ("src/auth/**", "src/auth/login.ts", true), ("src/auth/**", "src/auth", true), ("src/auth/**", "src/authz/x", false),
        ("src/auth", "src/auth/a/b.ts", true), ("src/auth", "src/auth", true), ("src/auth", "src/authz", false),
        ("src/*/infra.tf", "src/a/infra.tf", true), ("src/*/infra.tf", "src/a/b/infra.tf", false),
        ("**/*.c", "a/b/c.c", true), ("**/*.c", "c.c", true), ("**/*.c", "a/b.h", false),
        ("./src/auth/", "src/auth/x", true), ("src/auth/.", "src/auth/x", true), ("src/./auth", "src/auth/x", true),
        (".", "anything/at/all", true), (".", "", true), ("./", "top.txt", true), ("src/a?.ts", "src/ab.ts", true),
        ("src/a?.ts", "src/abc.ts", false),
    ])
    func aGlobMatchesWhatTheFormatSays(pattern: String, path: String, expected: Bool) {
        #expect(Glob(pattern).matches(path) == expected, "\(pattern) against \(path)")
    }

    @Test func aDotNamesTheWholeTreeBelowItsFolder() {
        #expect(Glob(".").literalPrefix == "" && Glob(".").takesEverythingBelowPrefix)
        #expect(Glob("src/auth/.").literalPrefix == "src/auth" && Glob("src/auth/.").takesEverythingBelowPrefix)
        #expect(Glob("src/./**").literalPrefix == "src")
    }
}
