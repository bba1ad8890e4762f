import CLibgit2
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A tree object's raw bytes ("<mode> <name>\0<20-byte id>" repeated, sorted by name) with
/// its entry boundaries. Diffing two versions of a large tree this way costs a memory compare
/// plus work proportional to the changed entries, not to the tree's size: the shared prefix
/// and suffix of the two byte strings are skipped without looking at their entries.
final class RawTree {
    /// Who owns the bytes: libgit2's object, or a buffer read from a pack directly.
    private enum Owner {
        case libgit2(OpaquePointer)
        case buffer(ObjectBytes)
    }

    private let owner: Owner
    let id: ObjectID
    /// The common prefix and suffix with the base this tree was read against: the diff of the
    /// two asks for them again (`differingWindow`), and they cost a pass over both trees.
    private let endsSharedWithBase: (base: ObjectID, ends: (prefix: Int, suffix: Int))?
    let bytes: UnsafePointer<UInt8>
    let length: Int
    /// Entry i occupies bytes starts[i] ..< starts[i+1]; the last element is `length`.
    let starts: [Int32]
    /// Where each entry's name begins and ends (the NUL).
    let nameStarts: [Int32]
    let nameEnds: [Int32]

    /// The memory this tree holds: the object's bytes and three offsets per entry.
    var footprint: Int { length + 12 * starts.count }

    /// Reads a tree's entries. With `base`, an earlier version of the same tree (a parent
    /// commit's), only the bytes between their common prefix and suffix are scanned: the
    /// boundaries on either side are `base`'s, shifted where the lengths differ.
    convenience init(object: OpaquePointer, id: ObjectID, base: RawTree? = nil) throws {
        let bytes = UnsafePointer(git_odb_object_data(object)!.assumingMemoryBound(to: UInt8.self))
        do {
            try self.init(owner: .libgit2(object), bytes: bytes, length: git_odb_object_size(object), id: id, base: base)
        } catch {
            git_odb_object_free(object)
            throw error
        }
    }

    convenience init(buffer: ObjectBytes, id: ObjectID, base: RawTree? = nil) throws {
        try self.init(owner: .buffer(buffer), bytes: UnsafePointer(buffer.pointer), length: buffer.count, id: id, base: base)
    }

    private init(owner: Owner, bytes: UnsafePointer<UInt8>, length: Int, id: ObjectID, base: RawTree?) throws {
        let ends = base.map { (base: $0.id, ends: Self.commonEnds($0.bytes, $0.length, bytes, length)) }
        let parsed = base.flatMap { Self.parse(bytes, length, derivedFrom: $0, ends: ends!.ends) } ?? Self.parse(bytes, length)
        guard let parsed else {
            throw GitError(code: .other(-1), operation: "read tree \(id)", message: "the tree object is malformed")
        }
        self.owner = owner
        self.id = id
        endsSharedWithBase = ends
        self.length = length
        self.bytes = bytes
        (starts, nameStarts, nameEnds) = parsed
    }

    /// Entry boundaries from `base`'s where the bytes are shared; nil when they do not line up.
    private static func parse(_ bytes: UnsafePointer<UInt8>, _ length: Int, derivedFrom base: RawTree,
                              ends: (prefix: Int, suffix: Int)) -> ([Int32], [Int32], [Int32])? {
        let (prefix, suffix) = ends
        let first = base.entryIndex(containing: prefix)
        // The usual case: a file (or folder) below changed, so only one entry's id differs. The
        // modes, names and their ends are the base's bytes at the base's offsets: its boundaries,
        // shared (checked when the base was parsed).
        if length == base.length, first < base.count {
            let idStart = Int(base.nameEnds[first]) + 1
            if prefix >= idStart, length - suffix <= idStart + 20 {   // 20: an id's raw bytes
                return (base.starts, base.nameStarts, base.nameEnds)
            }
        }
        let shift = Int32(length - base.length)
        var starts = Array(base.starts[0..<first]), nameStarts = Array(base.nameStarts[0..<first]), nameEnds = Array(base.nameEnds[0..<first])
        var offset = first < base.count ? Int(base.starts[first]) : (first == 0 ? 0 : Int(base.starts[first]))
        while offset < length {
            if offset >= length - suffix, let match = base.entryIndex(startingAt: offset - Int(shift)), match >= first {
                starts += base.starts[match..<base.count].map { $0 + shift }
                nameStarts += base.nameStarts[match...].map { $0 + shift }
                nameEnds += base.nameEnds[match...].map { $0 + shift }
                offset = length
                break
            }
            guard let next = appendEntry(bytes, length, at: offset, &starts, &nameStarts, &nameEnds) else { return nil }
            offset = next
        }
        starts.append(Int32(length))
        return (starts, nameStarts, nameEnds)
    }

    /// Records the entry at `offset`; returns where the next one starts, or nil when malformed.
    private static func appendEntry(_ bytes: UnsafePointer<UInt8>, _ length: Int, at offset: Int,
                                    _ starts: inout [Int32], _ nameStarts: inout [Int32], _ nameEnds: inout [Int32]) -> Int? {
        guard let entry = entry(bytes, length, at: offset) else { return nil }
        starts.append(Int32(offset))
        nameStarts.append(Int32(entry.nameStart))
        nameEnds.append(Int32(entry.nameEnd))
        return entry.nameEnd + 21
    }

    /// One entry's name bounds, or nil when the bytes are not a well-formed entry: as libgit2
    /// reads trees, an octal mode of at most 0xFFFF, one space, a name of at least one byte, a NUL
    /// and a 20-byte id (stricter only in refusing a sign or a tab before the digits).
    private static func entry(_ bytes: UnsafePointer<UInt8>, _ length: Int, at offset: Int) -> (nameStart: Int, nameEnd: Int)? {
        var cursor = offset
        while cursor < length && bytes[cursor] != 0x20 { cursor += 1 }
        guard cursor < length, mode(bytes + offset, cursor - offset) != nil else { return nil }
        let nameStart = cursor + 1
        cursor = nameStart
        while cursor < length && bytes[cursor] != 0 { cursor += 1 }
        guard cursor > nameStart, cursor + 21 <= length else { return nil }
        return (nameStart, cursor)
    }

    /// The octal number in `count` bytes; nil when they are not all octal digits, there are none,
    /// or it is over 0xFFFF.
    static func mode(_ digits: UnsafePointer<UInt8>, _ count: Int) -> UInt32? {
        guard count > 0 else { return nil }
        var value: UInt32 = 0
        for index in 0..<count {
            let digit = digits[index] &- UInt8(ascii: "0")
            guard digit < 8 else { return nil }
            value = value << 3 | UInt32(digit)
            guard value <= 0xFFFF else { return nil }
        }
        return value
    }

    /// What a mode holds, as libgit2 says (`git_tree_entry_type`, and a blob is a link only
    /// when its normalized mode is 120000): the type bits decide, the permission bits do not.
    static func kind(mode: UInt32) -> EntryKind {
        switch mode & 0o170000 {
        case 0o160000: return .submodule
        case 0o040000: return .tree
        case 0o120000 where mode & 0o111 == 0: return .symlink
        default: return .blob
        }
    }

    /// The lengths of the common prefix and (non-overlapping) common suffix of two byte strings.
    static func commonEnds(_ a: UnsafePointer<UInt8>, _ aLength: Int, _ b: UnsafePointer<UInt8>, _ bLength: Int) -> (prefix: Int, suffix: Int) {
        let shortest = min(aLength, bLength)
        var prefix = 0
        // Blocks first (the C library's vector compare), then words, then bytes.
        let block = 256
        while prefix + block <= shortest && memcmp(a + prefix, b + prefix, block) == 0 { prefix += block }
        while prefix + 8 <= shortest {
            if UnsafeRawPointer(a + prefix).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + prefix).loadUnaligned(as: UInt64.self) { break }
            prefix += 8
        }
        while prefix < shortest && a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        let maxSuffix = shortest - prefix
        while suffix + block <= maxSuffix && memcmp(a + aLength - suffix - block, b + bLength - suffix - block, block) == 0 { suffix += block }
        while suffix + 8 <= maxSuffix {
            if UnsafeRawPointer(a + aLength - suffix - 8).loadUnaligned(as: UInt64.self)
                != UnsafeRawPointer(b + bLength - suffix - 8).loadUnaligned(as: UInt64.self) { break }
            suffix += 8
        }
        while suffix < maxSuffix && a[aLength - suffix - 1] == b[bLength - suffix - 1] { suffix += 1 }
        return (prefix, suffix)
    }

    deinit {
        if case .libgit2(let object) = owner { git_odb_object_free(object) }
    }

    var count: Int { starts.count - 1 }

    /// Finds entry boundaries in one pass; nil when the bytes are not a well-formed tree.
    private static func parse(_ bytes: UnsafePointer<UInt8>, _ length: Int) -> ([Int32], [Int32], [Int32])? {
        var starts: [Int32] = [], nameStarts: [Int32] = [], nameEnds: [Int32] = []
        let estimate = length / 40 + 1
        starts.reserveCapacity(estimate + 1)
        nameStarts.reserveCapacity(estimate)
        nameEnds.reserveCapacity(estimate)
        var offset = 0
        while offset < length {
            guard let next = appendEntry(bytes, length, at: offset, &starts, &nameStarts, &nameEnds) else { return nil }
            offset = next
        }
        starts.append(Int32(length))
        return (starts, nameStarts, nameEnds)
    }

    func kind(_ index: Int) -> EntryKind {
        let start = Int(starts[index])
        // Checked when the entry was parsed.
        return Self.kind(mode: Self.mode(bytes + start, Int(nameStarts[index]) - 1 - start) ?? 0o100644)
    }

    func id(_ index: Int) -> ObjectID {
        ObjectID(at: bytes + Int(nameEnds[index]) + 1)
    }

    func name(_ index: Int) -> String {
        let start = Int(nameStarts[index])
        return String(decoding: UnsafeBufferPointer(start: bytes + start, count: Int(nameEnds[index]) - start), as: UTF8.self)
    }

    /// Whether entry `i` here and entry `j` there are byte-for-byte the same (mode, name and id).
    func sameEntry(_ i: Int, as other: RawTree, _ j: Int) -> Bool {
        let length = Int(starts[i + 1] - starts[i])
        return length == Int(other.starts[j + 1] - other.starts[j])
            && memcmp(bytes + Int(starts[i]), other.bytes + Int(other.starts[j]), length) == 0
    }

    /// Git's tree order: names compared bytewise, a tree's name as if it ended with '/'.
    func compare(_ i: Int, with other: RawTree, _ j: Int) -> Int {
        let aStart = Int(nameStarts[i]), aLength = Int(nameEnds[i]) - aStart
        let bStart = Int(other.nameStarts[j]), bLength = Int(other.nameEnds[j]) - bStart
        let common = min(aLength, bLength)
        let result = memcmp(bytes + aStart, other.bytes + bStart, common)
        if result != 0 { return result < 0 ? -1 : 1 }
        let slash = UInt8(ascii: "/")
        let a: UInt8 = aLength > common ? bytes[aStart + common] : (kind(i) == .tree ? slash : 0)
        let b: UInt8 = bLength > common ? other.bytes[bStart + common] : (other.kind(j) == .tree ? slash : 0)
        return a == b ? 0 : (a < b ? -1 : 1)
    }

    /// The index of the entry with this name, blob or tree, by binary search in git's order
    /// (where a tree sorts as its name followed by '/', so both spellings are tried).
    func index(named name: String) -> Int? {
        let key = Array(name.utf8)
        return key.withUnsafeBufferPointer { key in
            search(key, asTree: false) ?? search(key, asTree: true)
        }
    }

    private func search(_ key: UnsafeBufferPointer<UInt8>, asTree: Bool) -> Int? {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            let start = Int(nameStarts[mid]), length = Int(nameEnds[mid]) - start
            let common = min(length, key.count)
            var order = Int(memcmp(bytes + start, key.baseAddress!, common))
            if order == 0 {
                let mine: UInt8 = length > common ? bytes[start + common] : (kind(mid) == .tree ? 0x2F : 0)
                let theirs: UInt8 = key.count > common ? key[common] : (asTree ? 0x2F : 0)
                order = mine == theirs ? 0 : (mine < theirs ? -1 : 1)
                if order == 0 && length == key.count { return mid }
            }
            if order < 0 { low = mid + 1 } else { high = mid }
        }
        return nil
    }

    /// The index of the entry holding byte `offset` (entries before it end at or before `offset`).
    func entryIndex(containing offset: Int) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if Int(starts[mid + 1]) <= offset { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The index of the entry starting exactly at `offset`, if one does.
    func entryIndex(startingAt offset: Int) -> Int? {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if Int(starts[mid]) < offset { low = mid + 1 } else { high = mid }
        }
        return low < count && Int(starts[low]) == offset ? low : nil
    }

    /// The ranges of entries that may differ between `old` and `new`; entries outside them are
    /// identical and in the same order on both sides.
    static func differingWindow(_ old: RawTree, _ new: RawTree) -> (old: Range<Int>, new: Range<Int>) {
        let shared = new.endsSharedWithBase.flatMap { $0.base == old.id ? $0.ends : nil }
        let (prefix, suffix) = shared ?? commonEnds(old.bytes, old.length, new.bytes, new.length)

        // Entries wholly inside the common prefix start at the same offsets on both sides.
        let first = min(old.entryIndex(containing: prefix), new.entryIndex(containing: prefix))
        // In the common suffix, find an entry boundary that is a boundary on both sides at the
        // same distance from the end: from there on both sides hold the same entries.
        var oldEnd = old.count, newEnd = new.count
        var candidate = max(first, old.entryIndex(containing: old.length - suffix))
        while candidate < old.count {
            let start = Int(old.starts[candidate])
            if start >= old.length - suffix, let match = new.entryIndex(startingAt: start - old.length + new.length), match >= first {
                oldEnd = candidate
                newEnd = match
                break
            }
            candidate += 1
        }
        return (first..<max(first, oldEnd), first..<max(first, newEnd))
    }
}
