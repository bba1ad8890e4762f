/// Recently made objects by where they sit in a pack, as bases for the deltas read next; the
/// least recently used go first once more than `limit` bytes are held. Every read of a packed
/// object passes through here, so each operation is O(1): a dictionary to a slot, and the slots
/// linked from most to least recently used.
final class DeltaBaseCache {
    /// All the state in one value: each call is one exclusive access to it, where a class's own
    /// properties were checked for exclusivity at every slot touched (3 % of a walk's time).
    private var state: LRUState

    init(limit: Int) {
        state = LRUState(limit: limit)
    }

    var count: Int { state.count }
    var held: Int { state.held }

    func removeAll() { state.removeAll() }

    func get(pack: Int, offset: Int) -> (kind: PackedObjects.Kind, bytes: ObjectBytes)? {
        state.get(pack: pack, offset: offset)
    }

    /// Keeps `bytes` (unless it alone would take over a quarter of the room), then drops the
    /// least recently used until the rest fits.
    func put(pack: Int, offset: Int, kind: PackedObjects.Kind, bytes: ObjectBytes) {
        state.put(pack: pack, offset: offset, kind: kind, bytes: bytes)
    }
}

/// The slots, linked from most to least recently used, and the index from key to slot.
private struct LRUState {
    private struct Slot {
        var key: Int
        var kind: PackedObjects.Kind
        var bytes: ObjectBytes?
        /// Neighbours in use order (-1: none): `newer` towards `newest`, `older` towards `oldest`.
        var newer: Int
        var older: Int
    }

    private let limit: Int
    private var slots: [Slot] = []
    private var unused: [Int] = []
    private var slotOf: [Int: Int] = [:]
    private var newest = -1
    private var oldest = -1
    private(set) var held = 0

    init(limit: Int) {
        self.limit = limit
    }

    var count: Int { slotOf.count }

    mutating func removeAll() {
        slots = []
        unused = []
        slotOf = [:]
        newest = -1
        oldest = -1
        held = 0
    }

    private static func key(_ pack: Int, _ offset: Int) -> Int { pack << 48 | offset }

    mutating func get(pack: Int, offset: Int) -> (kind: PackedObjects.Kind, bytes: ObjectBytes)? {
        guard let slot = slotOf[Self.key(pack, offset)], let bytes = slots[slot].bytes else { return nil }
        moveToFront(slot)
        return (slots[slot].kind, bytes)
    }

    mutating func put(pack: Int, offset: Int, kind: PackedObjects.Kind, bytes: ObjectBytes) {
        guard bytes.count <= limit / 4 else { return }
        let key = Self.key(pack, offset)
        if let slot = slotOf[key] {
            held += bytes.count - (slots[slot].bytes?.count ?? 0)
            slots[slot].kind = kind
            slots[slot].bytes = bytes
            moveToFront(slot)
        } else {
            let fresh = Slot(key: key, kind: kind, bytes: bytes, newer: -1, older: -1)
            let slot: Int
            if let reused = unused.popLast() {
                slots[reused] = fresh
                slot = reused
            } else {
                slots.append(fresh)
                slot = slots.count - 1
            }
            slotOf[key] = slot
            held += bytes.count
            link(slot)
        }
        while held > limit, oldest >= 0 { drop(oldest) }
    }

    private mutating func link(_ slot: Int) {
        slots[slot].newer = -1
        slots[slot].older = newest
        if newest >= 0 { slots[newest].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }

    private mutating func unlink(_ slot: Int) {
        let newer = slots[slot].newer, older = slots[slot].older
        if newer >= 0 { slots[newer].older = older } else { newest = older }
        if older >= 0 { slots[older].newer = newer } else { oldest = newer }
    }

    private mutating func moveToFront(_ slot: Int) {
        guard slot != newest else { return }
        unlink(slot)
        link(slot)
    }

    private mutating func drop(_ slot: Int) {
        unlink(slot)
        held -= slots[slot].bytes?.count ?? 0
        slots[slot].bytes = nil
        slotOf[slots[slot].key] = nil
        unused.append(slot)
    }
}
