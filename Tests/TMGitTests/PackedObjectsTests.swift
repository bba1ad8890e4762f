import Crypto
import Foundation
import Testing
import TestSupport
@testable import TMGit

/// The direct pack reader on packs git wrote: everything it answers must hash to the id it was
/// asked for (git's objects name themselves), whether the deltas point back by offset or by id,
/// whether its cache holds the bases or not, and whatever damage the pack has taken.
struct PackedObjectsTests {
    /// A repository whose folders changed over 60 commits, packed by git with deep delta chains.
    func packedHistory(_ repack: [String] = ["gc", "-q", "--aggressive", "--prune=now"]) throws -> (TempDir, GitDriver, [(ObjectID, PackedObjects.Kind)]) {
        let dir = try TempDir("packs")
        let git = try GitDriver.initialize(dir.path)
        var random = SeededGenerator(seed: 11)
        for file in 0..<120 {
            try dir.write("threats/T-\(file).md", (0..<12).map { "line \($0) of threat \(file)\n" }.joined())
        }
        try dir.write("services/a/b/handler.ts", "export const x = 1\n")
        try git.commitAll("Start", date: "2026-01-01T00:00:00Z")
        for commit in 1...60 {
            for _ in 0..<3 {
                let file = Int.random(in: 0..<130, using: &random)
                try dir.write("threats/T-\(file).md", "changed in \(commit)\n" + (0..<12).map { "line \($0)\n" }.joined())
            }
            if commit % 7 == 0 { try dir.write("services/a/b/handler.ts", "export const x = \(commit)\n") }
            if commit % 11 == 0 { try dir.remove("threats/T-\(commit).md") }
            try git.commitAll("Change \(commit)", date: "2026-01-\(String(format: "%02d", commit % 28 + 1))T00:00:00Z")
        }
        try git.run(repack)
        let listed = try git.run(["cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)"])
        let kinds: [String: PackedObjects.Kind] = ["commit": .commit, "tree": .tree, "blob": .blob, "tag": .tag]
        let objects = try listed.split(separator: "\n").map { line in
            let parts = line.split(separator: " ")
            return (try #require(ObjectID(hex: String(parts[0]))), try #require(kinds[String(parts[1])]))
        }
        return (dir, git, objects)
    }

    static func hashes(_ kind: PackedObjects.Kind, _ bytes: ObjectBytes, to id: ObjectID) -> Bool {
        let names: [PackedObjects.Kind: String] = [.commit: "commit", .tree: "tree", .blob: "blob", .tag: "tag"]
        var hasher = Insecure.SHA1()
        hasher.update(data: Array("\(names[kind]!) \(bytes.count)\0".utf8))
        hasher.update(bufferPointer: UnsafeRawBufferPointer(start: bytes.pointer, count: bytes.count))
        return Array(hasher.finalize()) == id.bytes
    }

    /// The longest delta chain in the repository's packs, as git reports it.
    func longestChain(_ git: GitDriver, _ dir: TempDir) throws -> Int {
        let pack = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.url(".git/objects/pack")).first { $0.hasSuffix(".idx") })
        let report = try git.run(["verify-pack", "-v", ".git/objects/pack/" + pack])
        return report.split(separator: "\n").compactMap { line in
            line.hasPrefix("chain length = ") ? Int(line.dropFirst("chain length = ".count).prefix { $0 != ":" }) : nil
        }.max() ?? 0
    }

    @Test(arguments: [8 << 20, 4096])
    func everyObjectOfAnAggressivelyPackedRepositoryHashesToItsID(cacheBytes: Int) throws {
        let (dir, git, objects) = try packedHistory()
        #expect(try longestChain(git, dir) >= 3, "the pack must hold delta chains for this test to mean anything")
        let reader = PackedObjects(objectsDirectory: dir.url(".git/objects"), cacheBytes: cacheBytes)
        // Twice: the second pass reads what the first left in the cache.
        for _ in 0..<2 {
            for (id, kind) in objects {
                let read = try #require(reader.read(id), "\(id) is in the pack")
                #expect(read.kind == kind)
                #expect(Self.hashes(read.kind, read.bytes, to: id), "\(id)")
            }
        }
    }

    @Test func deltasThatNameTheirBaseByIDAreReadToo() throws {
        // Without delta-base offsets git names each base by its id (REF_DELTA), as old servers' packs do.
        let (dir, _, objects) = try packedHistory(["-c", "repack.useDeltaBaseOffset=false", "repack", "-q", "-a", "-d", "-f", "--depth=50", "--window=50"])
        let reader = PackedObjects(objectsDirectory: dir.url(".git/objects"))
        for (id, kind) in objects {
            let read = try #require(reader.read(id))
            #expect(read.kind == kind && Self.hashes(read.kind, read.bytes, to: id), "\(id)")
        }
    }

    @Test func looseObjectsAreLeftToLibgit2() throws {
        let (dir, git, _) = try packedHistory()
        try dir.write("threats/T-new.md", "new\n")
        let commit = try #require(ObjectID(hex: try git.commitAll("Loose", date: "2026-02-01T00:00:00Z")))
        let reader = PackedObjects(objectsDirectory: dir.url(".git/objects"))
        #expect(reader.read(commit) == nil, "a loose object is not in any pack")
        let repository = try Repository.open(at: dir.path)
        #expect(try repository.files(in: try repository.commit(commit).tree).contains { $0.path == "threats/T-new.md" })
        let changes = try repository.changes(from: try repository.commit(try #require(repository.commit(commit).parents.first)).tree,
                                             to: try repository.commit(commit).tree)
        #expect(changes.map(\.path) == ["threats/T-new.md"])
    }

    /// Flipped bytes and a truncated pack: every answer is nil or right, and nothing crashes.
    @Test func aDamagedPackGivesNoAnswerRatherThanAWrongOne() throws {
        let (dir, _, objects) = try packedHistory()
        let folder = dir.url(".git/objects/pack")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasSuffix(".pack") })
        let original = try dir.bytes(".git/objects/pack/" + name)
        var random = SeededGenerator(seed: 5)
        var refused = 0
        for round in 0..<40 {
            var damaged = original
            if round % 10 == 9 {
                damaged = Array(original[..<Int.random(in: 12..<original.count, using: &random)])
            } else {
                for _ in 0..<3 {
                    damaged[Int.random(in: 12..<(original.count - 20), using: &random)] ^= UInt8.random(in: 1...255, using: &random)
                }
            }
            try dir.write(".git/objects/pack/" + name, bytes: damaged)
            let reader = PackedObjects(objectsDirectory: dir.url(".git/objects"))
            for (id, _) in objects {
                guard let read = reader.read(id) else { refused += 1; continue }
                #expect(Self.hashes(read.kind, read.bytes, to: id), "round \(round): \(id) read wrong")
            }
        }
        #expect(refused > 0, "the damage must have been noticed somewhere")
    }

    @Test func anIndexItDoesNotUnderstandLeavesThePackToLibgit2() throws {
        let (dir, _, objects) = try packedHistory()
        let folder = dir.url(".git/objects/pack")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasSuffix(".idx") })
        let original = try dir.bytes(".git/objects/pack/" + name)
        for damage in [{ (bytes: inout [UInt8]) in bytes[3] = 0 },            // magic
                       { (bytes: inout [UInt8]) in bytes[7] = 3 },            // version
                       { (bytes: inout [UInt8]) in bytes[8 + 4 * 3 + 3] &+= 200 },   // fan-out no longer rising
                       { (bytes: inout [UInt8]) in bytes.removeLast(13) }] {    // tables cut short
            var damaged = original
            damage(&damaged)
            try dir.write(".git/objects/pack/" + name, bytes: damaged)
            let reader = PackedObjects(objectsDirectory: dir.url(".git/objects"))
            #expect(objects.allSatisfy { reader.read($0.0) == nil })
        }
    }
}

/// Git's delta instructions, applied to hand-made deltas.
struct GitDeltaTests {
    func base(_ text: String) -> ObjectBytes {
        let bytes = Array(text.utf8)
        let object = ObjectBytes(count: bytes.count)!
        object.pointer.update(from: bytes, count: bytes.count)
        return object
    }

    func apply(_ delta: [UInt8], to base: ObjectBytes, limit: Int = 1 << 20) -> String? {
        delta.withUnsafeBytes { raw in
            GitDelta.apply(raw, to: base, limit: limit).map { String(decoding: UnsafeBufferPointer(start: $0.pointer, count: $0.count), as: UTF8.self) }
        }
    }

    @Test func copiesAndInsertsMakeTheResult() {
        let source = base("hello, world")
        // base 12, result 11: copy "hello" (offset 0, size 5), insert " you", copy "ld" (offset 10, size 2)
        let delta: [UInt8] = [12, 11, 0x90, 5, 4] + Array(" you".utf8) + [0x91, 10, 2]
        #expect(apply(delta, to: source) == "hello yould")
    }

    @Test func aCopyOfSizeZeroMeansSixtyFourKibibytes() {
        let big = base(String(repeating: "a", count: 0x10000))
        let delta: [UInt8] = [0x80, 0x80, 0x04, 0x80, 0x80, 0x04, 0x80]   // both sizes 65536; copy offset 0, no size bytes
        #expect(apply(delta, to: big)?.count == 0x10000)
    }

    @Test(arguments: [
        [11, 5, 0x90, 5],                        // names a base of another size
        [12, 5, 0x91, 10, 5],                    // copies past the base's end
        [12, 5, 6] + Array("abc".utf8),          // inserts more than the delta holds
        [12, 5, 0x90, 5, 0],                     // the reserved instruction
        [12, 6, 0x90, 5],                        // makes less than it announced
        [12, 4, 0x90, 5],                        // makes more than it announced
        [12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],   // a size past 63 bits
        [12],                                    // cut short
    ] as [[UInt8]])
    func malformedDeltasMakeNothing(delta: [UInt8]) {
        #expect(apply(delta, to: base("hello, world")) == nil)
    }

    @Test func aResultOverTheLimitIsNotMade() {
        #expect(apply([12, 5, 0x90, 5], to: base("hello, world"), limit: 4) == nil)
        #expect(apply([12, 5, 0x90, 5], to: base("hello, world"), limit: 5) == "hello")
    }
}
