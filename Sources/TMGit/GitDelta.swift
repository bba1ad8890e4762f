#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// An object's bytes in memory this process allocated; freed when the last holder lets go.
/// A delta base in the pack cache and the tree a walk diffs can be the same bytes.
final class ObjectBytes {
    let pointer: UnsafeMutablePointer<UInt8>
    let count: Int

    /// Nil when `count` bytes cannot be had (a hostile size is not worth dying for).
    init?(count: Int) {
        guard count >= 0, let raw = malloc(max(count, 1)) else { return nil }
        pointer = raw.assumingMemoryBound(to: UInt8.self)
        self.count = count
    }

    deinit {
        free(pointer)
    }
}

/// Git's delta format (pack entries of type OFS_DELTA and REF_DELTA): the base's size, the
/// result's size, then instructions that copy a range of the base or insert literal bytes.
enum GitDelta {
    /// The object `delta` makes of `base`; nil when the delta is malformed, names another base
    /// size, reaches outside either buffer, does not make exactly the size it announces, or would
    /// make more than `limit` bytes.
    static func apply(_ delta: UnsafeRawBufferPointer, to base: ObjectBytes, limit: Int) -> ObjectBytes? {
        var cursor = 0
        guard let baseSize = varint(delta, &cursor), baseSize == base.count,
              let resultSize = varint(delta, &cursor), resultSize <= limit,
              let result = ObjectBytes(count: resultSize) else { return nil }
        var written = 0
        while cursor < delta.count {
            let command = delta[cursor]
            cursor += 1
            if command & 0x80 != 0 {
                var offset = 0, size = 0
                for bit in 0..<4 where command & (1 << bit) != 0 {
                    guard cursor < delta.count else { return nil }
                    offset |= Int(delta[cursor]) << (8 * bit)
                    cursor += 1
                }
                for bit in 0..<3 where command & (0x10 << bit) != 0 {
                    guard cursor < delta.count else { return nil }
                    size |= Int(delta[cursor]) << (8 * bit)
                    cursor += 1
                }
                if size == 0 { size = 0x10000 }
                guard offset <= base.count - size, size <= resultSize - written else { return nil }
                memcpy(result.pointer + written, base.pointer + offset, size)
                written += size
            } else if command != 0 {
                let size = Int(command)
                guard size <= delta.count - cursor, size <= resultSize - written else { return nil }
                memcpy(result.pointer + written, delta.baseAddress! + cursor, size)
                cursor += size
                written += size
            } else {
                return nil   // reserved
            }
        }
        return written == resultSize ? result : nil
    }

    /// A little-endian base-128 size, at most 63 bits.
    private static func varint(_ bytes: UnsafeRawBufferPointer, _ cursor: inout Int) -> Int? {
        var value = 0, shift = 0
        while cursor < bytes.count {
            let byte = bytes[cursor]
            cursor += 1
            guard shift <= 56 else { return nil }
            value |= Int(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }
}
