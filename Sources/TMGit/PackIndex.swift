#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A pack's index file (version 2, SHA-1): which objects the pack holds and where each starts.
/// The file is mapped read-only; a lookup touches the fan-out table and a binary search's pages.
/// Anything that is not a well-formed version-2 index makes `init` fail, and its pack is then
/// simply not read directly (libgit2 still reads it).
final class PackIndex {
    /// How many objects the pack holds.
    let count: Int
    private let base: UnsafeRawPointer
    private let length: Int
    private let idsStart: Int
    private let offsetsStart: Int
    private let largeOffsetsStart: Int
    private let largeOffsetCount: Int

    init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_size > 0, info.st_size < Int64(Int32.max) else { return nil }
        let length = Int(info.st_size)
        guard let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else { return nil }
        // Binary searches touch a page here and there: map only those (see `PackFile`).
        madvise(mapped, length, MADV_RANDOM)
        let base = UnsafeRawPointer(mapped)
        guard let layout = Self.layout(base, length) else {
            munmap(mapped, length)
            return nil
        }
        self.base = base
        self.length = length
        (count, idsStart, offsetsStart, largeOffsetsStart, largeOffsetCount) = layout
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), length)
    }

    /// Checks the header, the fan-out table and the sizes of the tables against the file's length.
    private static func layout(_ base: UnsafeRawPointer, _ length: Int) -> (Int, Int, Int, Int, Int)? {
        let header = 8, fanout = 256 * 4, trailer = 40
        guard length >= header + fanout + trailer else { return nil }
        guard word32(base, 0) == 0xff74_4f63, word32(base, 4) == 2 else { return nil }
        var previous: UInt32 = 0
        for bucket in 0..<256 {
            let value = word32(base, header + 4 * bucket)
            guard value >= previous else { return nil }
            previous = value
        }
        let count = Int(previous)
        let idsStart = header + fanout
        let offsetsStart = idsStart + count * (20 + 4)
        let largeOffsetsStart = offsetsStart + count * 4
        let rest = length - trailer - largeOffsetsStart
        guard rest >= 0, rest % 8 == 0 else { return nil }
        return (count, idsStart, offsetsStart, largeOffsetsStart, rest / 8)
    }

    private static func word32(_ base: UnsafeRawPointer, _ at: Int) -> UInt32 {
        UInt32(bigEndian: base.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }

    /// Where the object starts in the pack, or nil when this pack does not hold it.
    func offset(of id: ObjectID) -> Int? {
        id.withRawBytes { key -> Int? in
            let first = Int(key[0])
            var low = first == 0 ? 0 : Int(Self.word32(base, 8 + 4 * (first - 1)))
            var high = Int(Self.word32(base, 8 + 4 * first))
            while low < high {
                let middle = (low + high) / 2
                let order = memcmp(base + idsStart + 20 * middle, key.baseAddress!, 20)
                if order == 0 { return position(middle) }
                if order < 0 { low = middle + 1 } else { high = middle }
            }
            return nil
        }
    }

    private func position(_ entry: Int) -> Int? {
        let small = Self.word32(base, offsetsStart + 4 * entry)
        guard small & 0x8000_0000 != 0 else { return Int(small) }
        let large = Int(small & 0x7fff_ffff)
        guard large < largeOffsetCount else { return nil }
        let value = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: largeOffsetsStart + 8 * large, as: UInt64.self))
        return value < UInt64(Int.max) ? Int(value) : nil
    }
}
