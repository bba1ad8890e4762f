import Testing
import TestSupport
@testable import TMGit

/// A tree read as a later version of another (`RawTree(buffer:id:base:)`) takes the base's entry
/// boundaries where the bytes are shared; whatever changed, they must be the boundaries a parse
/// from scratch finds. Checked on generated trees and edits: an id changed (the usual case, whose
/// boundaries are shared outright), entries added, removed, their modes changed, and two entries
/// edited so that the tree keeps its length while the boundaries between them move.
struct RawTreeDerivationTests {
    typealias Entry = (mode: String, name: String, id: [UInt8])

    static func bytes(_ entries: [Entry]) -> [UInt8] {
        entries.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
            .flatMap { Array("\($0.mode) \($0.name)".utf8) + [0] + $0.id }
    }

    static func tree(_ bytes: [UInt8], base: RawTree? = nil) throws -> RawTree {
        let buffer = try #require(ObjectBytes(count: bytes.count))
        bytes.withUnsafeBufferPointer { buffer.pointer.update(from: $0.baseAddress!, count: bytes.count) }
        return try RawTree(buffer: buffer, id: ObjectID(bytes: [UInt8](repeating: 0, count: 20)[...]), base: base)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func aDerivedTreeHasTheBoundariesOfAFreshOne(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        func id() -> [UInt8] { (0..<20).map { _ in UInt8.random(in: 0...255, using: &random) } }
        func name() -> String { "f\(Int.random(in: 0..<100_000, using: &random))" + (Bool.random(using: &random) ? ".md" : "") }
        let modes = ["100644", "100755", "40000", "120000", "160000"]
        var entries: [Entry] = (0..<Int.random(in: 1...60, using: &random)).map { _ in (modes.randomElement(using: &random)!, name(), id()) }
        entries = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first }).values.map { $0 }
        for _ in 0..<300 {
            var next = entries
            let at = Int.random(in: 0..<next.count, using: &random)
            switch Int.random(in: 0..<7, using: &random) {
            case 6:
                // Two entries edited so that the tree keeps its length while boundaries between them move.
                guard let folder = next.firstIndex(where: { $0.mode == "40000" }),
                      let other = next.indices.first(where: { $0 != folder && $0 != at && next[$0].name.count > 3 }) else { continue }
                let shorter = String(next[other].name.dropLast())
                guard !next.contains(where: { $0.name == shorter }) else { continue }
                next[folder].mode = "100644"
                next[other].name = shorter
            case 0, 1: next[at].id = id()                                   // a file below changed
            case 2: next[at].id[Int.random(in: 0..<20, using: &random)] ^= 1   // one byte of an id
            case 3: if next.count > 1 { next.remove(at: at) }
            case 4: let added = name(); if !next.contains(where: { $0.name == added }) { next.append(("100644", added, id())) }
            default: next[at].mode = modes.randomElement(using: &random)!
            }
            let base = try Self.tree(Self.bytes(entries))
            let derived = try Self.tree(Self.bytes(next), base: base)
            let fresh = try Self.tree(Self.bytes(next))
            #expect(derived.starts == fresh.starts && derived.nameStarts == fresh.nameStarts && derived.nameEnds == fresh.nameEnds)
            entries = next
        }
    }

    /// The common prefix and suffix of two byte strings, whichever byte differs: the block and
    /// word steps must stop exactly where the bytes part.
    @Test func commonEndsStopAtTheFirstAndLastDifference() {
        let length = 1_100
        var random = SeededGenerator(seed: 7)
        let base = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
        for position in 0..<length {
            var other = base
            other[position] &+= 1
            let (prefix, suffix) = base.withUnsafeBufferPointer { a in
                other.withUnsafeBufferPointer { b in RawTree.commonEnds(a.baseAddress!, length, b.baseAddress!, length) }
            }
            #expect(prefix == position && suffix == length - position - 1, "difference at \(position)")
            // And a second difference at the start: the suffix alone must find this one.
            other[0] &+= 1
            let suffixOnly = base.withUnsafeBufferPointer { a in
                other.withUnsafeBufferPointer { b in RawTree.commonEnds(a.baseAddress!, length, b.baseAddress!, length).suffix }
            }
            #expect(suffixOnly == (position == 0 ? length - 1 : length - position - 1), "second difference at \(position)")
        }
        // Different lengths: the suffix never overlaps the prefix.
        let longer = base + base
        let (prefix, suffix) = base.withUnsafeBufferPointer { a in
            longer.withUnsafeBufferPointer { b in RawTree.commonEnds(a.baseAddress!, length, b.baseAddress!, 2 * length) }
        }
        #expect(prefix == length && suffix == 0)
    }
}
