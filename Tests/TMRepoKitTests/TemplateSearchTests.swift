import Foundation
import Testing
import TestSupport
import TMGit
@testable import TMRepoKit

/// The files a search for templates looks at: named .yaml, .yml, .json or .template (any case),
/// outside hidden folders and the folders of dependencies and build output. A commit's tree and
/// the work tree holding the same files must give the same list, though the tree is searched
/// without reading what it skips and the work tree through the protocol's general listing.
struct TemplateSearchTests {
    @Test func aTreeAndTheWorkTreeSearchAlike() throws {
        let dir = try TempDir("template-search")
        let git = try GitDriver.initialize(dir.path)
        let paths = ["template.yaml", "stack.YML", "yaml", "x.yaml.bak", "svc/a/template.json", "svc/a/handler.ts",
                     "svc/b/infra.template", "svc/b/json", "node_modules/p/template.yaml", "cdk.out/t.json",
                     ".aws-sam/build/template.yaml", "deep/er/.cache/t.yaml", "deep/er/t.yml", "vendor.yaml/inner.txt"]
        for path in paths { try dir.write(path, "x: 1\n") }
        let commit = try git.commitAll("All", date: "2026-01-01T10:00:00Z")
        let repository = try Repository.open(at: dir.path)
        let tree = TreeSource(repository: repository, tree: try repository.commit(try #require(ObjectID(hex: commit))).tree,
                              prefix: "", name: "HEAD")
        let expected = ["deep/er/t.yml", "stack.YML", "svc/a/template.json", "svc/b/infra.template", "template.yaml"]
        #expect(try TemplateFiles.searchedFiles(in: tree).map(\.path).sorted() == expected)
        #expect(try TemplateFiles.searchedFiles(in: WorkTreeSource(root: dir.path)).map(\.path).sorted() == expected)
    }

    @Test(arguments: [
        ("template.yaml", true), ("a.YML", true), ("b.Json", true), ("c.template", true), ("yaml", false), (".yaml", true),
        ("x.yaml.bak", false), ("handler.ts", false), ("averyverylongextension.extensionnn", false), ("json", false),
    ])
    func namesThatMayBeTemplates(name: String, expected: Bool) {
        #expect(TemplateFiles.mayBeTemplate(name) == expected)
    }
}
