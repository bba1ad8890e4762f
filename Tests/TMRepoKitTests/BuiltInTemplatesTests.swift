import Foundation
import Testing
import TestSupport
@testable import TMRepoKit

/// The templates compiled into the binary are exactly the source tree's templates/.
struct BuiltInTemplatesTests {
    @Test func theCompiledTemplatesAreTheSourceTreesTemplates() throws {
        let folder = SourceTree.root + "/templates"
        var onDisk = ["default.md"]
        onDisk += try FileManager.default.contentsOfDirectory(atPath: folder + "/threats").filter { $0.hasSuffix(".md") }.sorted().map { "threats/" + $0 }
        #expect(BuiltInTemplates.files.map(\.path) == onDisk, "run scripts/generate-builtin-templates.py and commit the result")
        for (path, text) in BuiltInTemplates.files {
            let bytes = try #require(FileManager.default.contents(atPath: folder + "/" + path))
            #expect(text == String(decoding: bytes, as: UTF8.self), "\(path) differs: run scripts/generate-builtin-templates.py")
        }
    }

    @Test func aBinaryCopiedAnywhereListsEveryTemplate() throws {
        let elsewhere = try TempDir("copied-binary")
        let copy = elsewhere.url("tmrepo")
        // Copied by another process: a write descriptor held here could leak into a child that
        // another test forks at the same moment, and exec would then fail with "text file busy".
        try runProcess("/bin/cp", [TMRepoBinary.path, copy], cwd: elsewhere.path)
        let result = try runProcess(copy, ["new", "--list-templates"], cwd: elsewhere.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("apigw-missing-authorizer"))
        #expect(result.stdout.split(separator: "\n").count >= BuiltInTemplates.files.count + 2, "\(result.stdout)")
        #expect(result.stdout.contains("the templates built into tmrepo"))
    }
}
