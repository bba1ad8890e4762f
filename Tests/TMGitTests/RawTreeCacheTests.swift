import Testing
@testable import TMGit

/// The tree cache answers by id: from its few recent trees, or from the tree last used at a
/// folder's path, but only when that tree has the id asked for.
struct RawTreeCacheTests {
    static func tree(_ name: String, id byte: UInt8) throws -> RawTree {
        let bytes = Array("100644 \(name)".utf8) + [0] + [UInt8](repeating: byte, count: 20)
        let buffer = try #require(ObjectBytes(count: bytes.count))
        bytes.withUnsafeBufferPointer { buffer.pointer.update(from: $0.baseAddress!, count: bytes.count) }
        return try RawTree(buffer: buffer, id: ObjectID(bytes: [UInt8](repeating: byte, count: 20)), base: nil)
    }

    @Test func aFolderKeepsItsLastTreeAfterTheRecentOnesMovedOn() throws {
        let cache = RawTreeCache(capacity: 1)
        let services = try Self.tree("a.ts", id: 1), threats = try Self.tree("T-1.md", id: 2), other = try Self.tree("b.ts", id: 3)
        cache.put(services.id, services, at: "services")
        cache.put(threats.id, threats, at: "threats")
        #expect(cache.get(services.id) == nil, "only one recent tree is kept")
        #expect(cache.get(services.id, at: "services") === services)
        // Another id at that path, or the id at another path, is not this tree.
        #expect(cache.get(other.id, at: "services") == nil)
        #expect(cache.get(services.id, at: "threats") == nil)
        // A tree found among the recent ones becomes its path's last tree.
        cache.put(other.id, other)
        #expect(cache.get(other.id, at: "services") === other)
        #expect(cache.get(services.id, at: "services") == nil)
        #expect(cache.get(other.id, at: "services") === other)
        cache.removeAll()
        #expect(cache.get(other.id, at: "services") == nil)
    }

    /// The per-path trees are bounded in bytes, their paths' bytes included: a hostile history's
    /// folders can nest deep.
    @Test func longPathsCountAgainstTheBudget() throws {
        let one = try Self.tree("a", id: 1), two = try Self.tree("b", id: 2)
        let cache = RawTreeCache(capacity: 1, pathBudget: 2 * one.footprint + 100)
        cache.put(one.id, one, at: "short")
        cache.put(two.id, two, at: String(repeating: "deep/", count: 40))
        #expect(cache.get(two.id, at: String(repeating: "deep/", count: 40)) === two)
        #expect(cache.get(one.id, at: "short") == nil, "the long path's bytes pushed the budget over")
    }
}
