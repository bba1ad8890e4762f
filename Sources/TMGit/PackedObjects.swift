import CZlib
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Reads objects straight out of a repository's pack files, for the places that read thousands
/// of them: a history walk's trees and the versions of its threat files. libgit2 reads packs through windows and a delta
/// cache shared by every handle in the process, behind locks; two walker threads spent half
/// their time waiting on each other there (docs/benchmarks.md). This reader belongs to one
/// repository handle, so to one thread, and shares nothing.
///
/// It answers nil for anything it does not hold or cannot read (a loose object, an alternate
/// object directory, an index it does not understand, a damaged entry, a chain too deep), and
/// the caller then asks libgit2, whose answer or error stands. Like libgit2 with strict hash
/// verification off, it does not re-hash what it reads; with TMREPO_VERIFY_OBJECTS=1 it is not used.
final class PackedObjects {
    enum Kind: UInt8 { case commit = 1, tree = 2, blob = 3, tag = 4 }

    private let packs: [PackFile]
    private let bases: DeltaBaseCache
    private let stream: UnsafeMutablePointer<z_stream>
    private var streamReady = false
    /// Pack pages read (in bytes) since the mapped pages were last let go of.
    private var touched = 0

    /// The largest object (or delta) it will inflate; larger ones are left to libgit2.
    static let objectLimit = 256 << 20
    /// Git's deepest delta chain by default is 50 (at most 4095 when asked); past this, libgit2.
    static let chainLimit = 10_000
    /// Mapped pack pages read count as this process's memory until let go of; past this many
    /// bytes of pages read they are (the page cache keeps them, so reading them again costs a page
    /// fault). Counted in pages, not in compressed bytes: the 30k small threat-file deltas the
    /// 100k-commit parse reads were 8 MiB of bytes but over 100 MiB of pages, and the peak went
    /// from 455 to 376 MiB with no change in time; 8 MiB gave 350 MiB, 32 MiB 390 (docs/benchmarks.md).
    static let residentLimit = 16 << 20
    /// Packs this small together are never let go of: their pages can add no more than their
    /// size to the process, and letting go of them only makes the next reads fault them back in
    /// (on the 20k-commit repositories, 26 MB of packs, that was 7 % of the walk's time). They
    /// also get twice the delta bases: their process stays far from the memory a 100k-commit
    /// history needs.
    static let smallPacks = 64 << 20
    /// `residentLimit`, or no limit for small packs.
    private let releaseAfter: Int
    private static let pageSize = max(4096, Int(sysconf(Int32(_SC_PAGESIZE))))

    /// The packs in `objectsDirectory/pack` whose index and pack look sound.
    /// `cacheBytes` of delta bases (nil: 16 MiB, twice that for small packs): on the 20k-commit
    /// project repository (long-lived branches interleave, so each walker's bases are far apart)
    /// 8 MiB walked cold in 3.24–3.34 s, 16 MiB in 2.81–2.98 s, 24 in 2.57–2.88, 32 in 2.55–2.66;
    /// the 100k peak was 374 MiB at 16 and 391 at 24, so large packs keep 16.
    init(objectsDirectory: String, cacheBytes: Int? = nil) {
        var packs: [PackFile] = []
        let folder = objectsDirectory + "/pack"
        if let directory = opendir(folder) {
            defer { closedir(directory) }
            while let entry = readdir(directory) {
                // Only the bytes up to the terminator: the rest of d_name is not initialised.
                let name = withUnsafePointer(to: &entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: $0.pointee)) { String(cString: $0) }
                }
                guard name.hasPrefix("pack-"), name.hasSuffix(".idx") else { continue }
                let stem = folder + "/" + name.dropLast(4)
                if let index = PackIndex(path: stem + ".idx"), let pack = PackFile(path: stem + ".pack", index: index) { packs.append(pack) }
            }
        }
        self.packs = packs
        let small = packs.reduce(0) { $0 + $1.size } <= Self.smallPacks
        releaseAfter = small ? .max : Self.residentLimit
        bases = DeltaBaseCache(limit: cacheBytes ?? (small ? 32 << 20 : 16 << 20))
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
    }

    deinit {
        if streamReady { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Lets go of the delta bases kept and of the mapped pages read (the packs stay open).
    func releaseCache() {
        bases.removeAll()
        for pack in packs { pack.releasePages() }
        touched = 0
    }

    /// The object's kind and bytes, or nil when this reader cannot answer (see the type's note).
    /// `keepingWhole: false` keeps an object stored whole out of the delta bases: a commit read
    /// once (the history listing reads every one) would only push out the trees' bases.
    func read(_ id: ObjectID, keepingWhole: Bool = true) -> (kind: Kind, bytes: ObjectBytes)? {
        guard let (pack, offset) = locate(id) else { return nil }
        let object = object(pack: pack, offset: offset, keepingWhole: keepingWhole)
        if touched > releaseAfter { releasePages() }
        return object
    }

    private func releasePages() {
        for pack in packs { pack.releasePages() }
        touched = 0
    }

    private func locate(_ id: ObjectID) -> (Int, Int)? {
        for (number, pack) in packs.enumerated() {
            if let offset = pack.index.offset(of: id) { return (number, offset) }
        }
        return nil
    }

    /// One step of a delta chain: where the delta's compressed data starts and how long it inflates to.
    private struct Link {
        let pack: Int
        let offset: Int
        let dataStart: Int
        let size: Int
    }

    /// Follows the chain down to a cached object or a whole one, then applies the deltas upwards,
    /// keeping each result as a base for the next read.
    private func object(pack: Int, offset: Int, keepingWhole: Bool) -> (kind: Kind, bytes: ObjectBytes)? {
        var links: [Link] = []
        var pack = pack, offset = offset
        var bottom: (kind: Kind, bytes: ObjectBytes)
        while true {
            if let cached = bases.get(pack: pack, offset: offset) {
                bottom = cached
                break
            }
            guard links.count < Self.chainLimit, let header = entryHeader(pack: pack, offset: offset) else { return nil }
            switch header.type {
            case 1...4:
                guard let bytes = inflated(pack: pack, from: header.dataStart, size: header.size) else { return nil }
                bottom = (Kind(rawValue: header.type)!, bytes)
                if keepingWhole || !links.isEmpty { bases.put(pack: pack, offset: offset, kind: bottom.kind, bytes: bytes) }
            case 6, 7:
                links.append(Link(pack: pack, offset: offset, dataStart: header.dataStart, size: header.size))
                guard let base = header.base else { return nil }
                (pack, offset) = base
                continue
            default:
                return nil
            }
            break
        }
        for link in links.reversed() {
            guard let delta = inflated(pack: link.pack, from: link.dataStart, size: link.size),
                  let result = GitDelta.apply(UnsafeRawBufferPointer(start: delta.pointer, count: delta.count), to: bottom.bytes,
                                              limit: Self.objectLimit) else { return nil }
            bottom = (bottom.kind, result)
            bases.put(pack: link.pack, offset: link.offset, kind: bottom.kind, bytes: result)
        }
        return bottom
    }

    private struct EntryHeader {
        let type: UInt8
        let size: Int
        let dataStart: Int
        /// A delta's base: its pack and offset.
        let base: (Int, Int)?
    }

    /// Reads "type and size" and, for a delta, where its base is.
    private func entryHeader(pack number: Int, offset: Int) -> EntryHeader? {
        let pack = packs[number]
        let end = pack.dataEnd
        guard offset >= 12, offset < end else { return nil }
        let bytes = pack.bytes
        var cursor = offset
        var byte = bytes[cursor]
        cursor += 1
        let type = (byte >> 4) & 7
        var size = Int(byte & 0x0f), shift = 4
        while byte & 0x80 != 0 {
            guard cursor < end, shift <= 56 else { return nil }
            byte = bytes[cursor]
            cursor += 1
            size |= Int(byte & 0x7f) << shift
            shift += 7
        }
        guard size <= Self.objectLimit else { return nil }
        switch type {
        case 6:
            guard cursor < end else { return nil }
            byte = bytes[cursor]
            cursor += 1
            var distance = Int(byte & 0x7f)
            while byte & 0x80 != 0 {
                guard cursor < end, distance < (1 << 48) else { return nil }
                byte = bytes[cursor]
                cursor += 1
                distance = ((distance + 1) << 7) | Int(byte & 0x7f)
            }
            guard distance > 0, distance <= offset else { return nil }
            return EntryHeader(type: type, size: size, dataStart: cursor, base: (number, offset - distance))
        case 7:
            guard cursor + 20 <= end else { return nil }
            let base = ObjectID(at: bytes + cursor)
            guard let located = locate(base) else { return nil }
            return EntryHeader(type: type, size: size, dataStart: cursor + 20, base: located)
        default:
            return EntryHeader(type: type, size: size, dataStart: cursor, base: nil)
        }
    }

    /// Inflates the zlib stream at `start` into exactly `size` bytes; nil when it is damaged,
    /// ends early, or holds more.
    private func inflated(pack number: Int, from start: Int, size: Int) -> ObjectBytes? {
        let pack = packs[number]
        guard start < pack.dataEnd, let output = ObjectBytes(count: size) else { return nil }
        if streamReady {
            guard inflateReset(stream) == Z_OK else { return nil }
        } else {
            guard tmrepo_inflate_init(stream) == Z_OK else { return nil }
            streamReady = true
        }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: pack.bytes + start)
        stream.pointee.avail_in = UInt32(min(pack.dataEnd - start, Int(UInt32.max)))
        stream.pointee.next_out = output.pointer
        stream.pointee.avail_out = UInt32(size)
        let status = inflate(stream, Z_FINISH)
        // Resident memory grows by whole pages: a 200-byte delta costs (at least) the page it is on.
        touched += (Int(stream.pointee.total_in) + 2 * Self.pageSize - 1) / Self.pageSize * Self.pageSize
        return status == Z_STREAM_END && stream.pointee.total_out == UInt(size) ? output : nil
    }
}

/// A pack file mapped read-only, with its index; checked against the index when opened.
final class PackFile {
    let index: PackIndex
    let bytes: UnsafePointer<UInt8>
    let size: Int
    /// Where the entries end: the last 20 bytes are the pack's checksum.
    var dataEnd: Int { size - 20 }

    init?(path: String, index: PackIndex) {
        let file = open(path, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { return nil }
        defer { close(file) }
        var info = stat()
        guard fstat(file, &info) == 0, info.st_size >= 32,
              let mapped = mmap(nil, Int(info.st_size), PROT_READ, MAP_PRIVATE, file, 0), mapped != MAP_FAILED else { return nil }
        // Objects are read where their deltas lead, not in file order: without this hint each page
        // fault maps the pages around it too, and the process's resident memory grows many times
        // faster than what `releasePages` is told was read.
        madvise(mapped, Int(info.st_size), MADV_RANDOM)
        let bytes = UnsafePointer(mapped.assumingMemoryBound(to: UInt8.self))
        let header = UnsafeBufferPointer(start: bytes, count: 12)
        guard header[0..<4].elementsEqual("PACK".utf8), header[4..<7].allSatisfy({ $0 == 0 }), header[7] == 2 || header[7] == 3,
              header[8..<12].reduce(0, { $0 << 8 | Int($1) }) == index.count else {
            munmap(mapped, Int(info.st_size))
            return nil
        }
        self.index = index
        self.bytes = bytes
        self.size = Int(info.st_size)
    }

    /// Drops the pages read from this process's memory; the page cache still has them.
    func releasePages() {
        madvise(UnsafeMutableRawPointer(mutating: bytes), size, MADV_DONTNEED)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes), size)
    }
}
