import Foundation
import Testing
import TestSupport
@testable import TMGit

/// Trees written byte for byte (`git hash-object --literally`), with the odd modes a hostile or
/// old repository may hold: the tree listing must give every entry the kind libgit2 gives it,
/// and refuse what libgit2 refuses.
struct TreeModeTests {
    let dir: TempDir
    let git: GitDriver
    let blob: String
    let emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

    init() throws {
        dir = try TempDir("tree-modes")
        git = try GitDriver.initialize(dir.path)
        try dir.write("content.txt", "a blob\n")
        blob = try git.run(["hash-object", "-w", "content.txt"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try git.run(["hash-object", "-w", "-t", "tree", "--literally", "/dev/null"])   // the empty tree
    }

    /// Writes a tree of (mode, name, id) entries exactly as given; returns its id.
    func tree(_ entries: [(mode: String, name: String, id: String)]) throws -> ObjectID {
        var bytes: [UInt8] = []
        for entry in entries {
            bytes += Array("\(entry.mode) \(entry.name)".utf8) + [0]
            bytes += stride(from: 0, to: 40, by: 2).map { offset in
                let start = entry.id.index(entry.id.startIndex, offsetBy: offset)
                return UInt8(entry.id[start..<entry.id.index(start, offsetBy: 2)], radix: 16)!
            }
        }
        try dir.write("raw-tree", bytes: bytes)
        let id = try git.run(["hash-object", "-w", "-t", "tree", "--literally", dir.url("raw-tree")]).trimmingCharacters(in: .whitespacesAndNewlines)
        return try #require(ObjectID(hex: id))
    }

    @Test func everyModeHasTheKindLibgit2GivesIt() throws {
        // Modes whose type bits say tree point at a tree, the rest at a blob (what libgit2 would read).
        let modes = ["100644", "100755", "644", "100664", "40000", "040000", "0040000", "120000", "120755", "120644",
                     "160000", "160755", "1", "12", "1600", "40", "0", "170000", "20000", "60000"]
        let entries = modes.enumerated().map { index, mode in
            (mode: mode, name: String(format: "e%02d", index), id: Int(mode, radix: 8)! & 0o170000 == 0o040000 ? emptyTree : blob)
        }
        let id = try tree(entries)
        let repository = try Repository.open(at: dir.path)
        let listed = Dictionary(uniqueKeysWithValues: try repository.files(in: id, includingFolders: true).map { ($0.path, $0.kind) })
        #expect(listed.count == modes.count)
        for entry in entries {
            let byLibgit2 = try #require(try repository.entryID(in: id, path: entry.name)).kind
            #expect(listed[entry.name] == byLibgit2, "mode \(entry.mode)")
        }
        // The pure rule, for the modes git itself writes.
        #expect(RawTree.kind(mode: 0o100644) == .blob && RawTree.kind(mode: 0o40000) == .tree)
        #expect(RawTree.kind(mode: 0o120000) == .symlink && RawTree.kind(mode: 0o160000) == .submodule)
    }

    @Test(arguments: [
        ("abc", "x.md"), ("1x", "x.md"), ("400000", "x.md"), ("", "x.md"), ("100644", ""), (" 100644", "x.md"),
    ])
    func aMalformedEntryIsRefusedAsLibgit2RefusesIt(mode: String, name: String) throws {
        let id = try tree([(mode: "100644", name: "a.md", id: blob), (mode: mode, name: name, id: blob)])
        let repository = try Repository.open(at: dir.path)
        #expect(throws: GitError.self) { try repository.files(in: id) }
        #expect(throws: GitError.self) { try repository.entryID(in: id, path: "a.md") }
    }

    @Test func aDeeplyNestedFolderIsListedInOrder() throws {
        var id = try tree([(mode: "100644", name: "leaf.md", id: blob), (mode: "100644", name: "z.md", id: blob)])
        for _ in 0..<400 { id = try tree([(mode: "100644", name: "a.md", id: blob), (mode: "40000", name: "d", id: id.hex)]) }
        let repository = try Repository.open(at: dir.path)
        let files = try repository.files(in: id, includingFolders: true)
        // Depth first, each folder before what it holds, entries in the tree's order.
        var expected: [String] = []
        var prefix = ""
        for _ in 0..<400 {
            expected += [prefix + "a.md", prefix + "d"]
            prefix += "d/"
        }
        expected += [prefix + "leaf.md", prefix + "z.md"]
        #expect(files.map(\.path) == expected)
    }
}
