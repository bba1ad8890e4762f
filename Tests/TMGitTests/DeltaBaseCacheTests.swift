import Testing
import TestSupport
@testable import TMGit

/// The delta-base cache against a plain model of least-recently-used eviction: after every step of
/// thousands of random gets, puts and replacements, both hold the same objects, in the same
/// order of use, and never more bytes than the limit.
struct DeltaBaseCacheTests {
    /// The obvious (O(n)) cache: keys from least to most recently used.
    struct Model {
        let limit: Int
        var order: [(key: Int, size: Int)] = []
        var held: Int { order.reduce(0) { $0 + $1.size } }

        mutating func get(_ key: Int) -> Bool {
            guard let at = order.firstIndex(where: { $0.key == key }) else { return false }
            order.append(order.remove(at: at))
            return true
        }

        mutating func put(_ key: Int, size: Int) {
            guard size <= limit / 4 else { return }
            order.removeAll { $0.key == key }
            order.append((key, size))
            while held > limit { order.removeFirst() }
        }
    }

    func object(_ size: Int, tag: UInt8) -> ObjectBytes {
        let bytes = ObjectBytes(count: size)!
        if size > 0 { bytes.pointer.initialize(repeating: tag, count: size) }
        return bytes
    }

    @Test(arguments: [64, 1000, 4096])
    func evictsTheLeastRecentlyUsedFirst(limit: Int) {
        var random = SeededGenerator(seed: UInt64(limit))
        let cache = DeltaBaseCache(limit: limit)
        var model = Model(limit: limit)
        for step in 0..<5_000 {
            let key = Int.random(in: 0..<40, using: &random)
            if Bool.random(using: &random) {
                let found = cache.get(pack: key % 3, offset: key)
                #expect((found != nil) == model.get(key), "step \(step): get \(key)")
                // What comes back is what was put under that key last.
                if let found { #expect(found.bytes.count == 0 || found.bytes.pointer[0] == UInt8(key)) }
            } else {
                let size = Int.random(in: 0...(limit / 3), using: &random)
                cache.put(pack: key % 3, offset: key, kind: .blob, bytes: object(size, tag: UInt8(key)))
                model.put(key, size: size)
            }
            #expect(cache.held == model.held && cache.count == model.order.count, "step \(step)")
            #expect(cache.held <= limit)
        }
        // The same order of use: touching each model key from the oldest keeps them all (the
        // cache must then drop exactly what the model drops on the next put).
        for (key, _) in model.order { #expect(cache.get(pack: key % 3, offset: key) != nil) }
    }

    @Test func anObjectOverAQuarterOfTheRoomIsNotKept() {
        let cache = DeltaBaseCache(limit: 100)
        cache.put(pack: 0, offset: 12, kind: .tree, bytes: object(26, tag: 1))
        #expect(cache.get(pack: 0, offset: 12) == nil && cache.held == 0)
        cache.put(pack: 0, offset: 12, kind: .tree, bytes: object(25, tag: 1))
        #expect(cache.get(pack: 0, offset: 12)?.kind == .tree)
        // The same offset in another pack is another object.
        #expect(cache.get(pack: 1, offset: 12) == nil)
        cache.removeAll()
        #expect(cache.get(pack: 0, offset: 12) == nil && cache.held == 0 && cache.count == 0)
    }
}
