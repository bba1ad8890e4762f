import CLibgit2
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The process's heap, as the C library keeps it.
public enum ProcessMemory {
    /// Returns the free pages of every malloc arena to the system when the process holds more
    /// than `threshold` bytes. Threads that finished a phase (a walk on two cores) leave their
    /// freed memory in their own arenas, where the next phase's threads do not reuse it: handing
    /// it back keeps it out of the peak that follows (at 100k commits, 317 MiB instead of 440).
    /// A small process keeps it: the trim and the page faults that take the memory back cost
    /// 25–30 ms at 20k commits, for a peak the walk had already reached (docs/benchmarks.md).
    public static func returnFreePages(ifResidentAbove threshold: Int) {
        guard let resident = residentBytes(), resident > threshold else { return }
        tmrepo_malloc_trim()
    }

    /// Resident memory from /proc/self/statm (Linux); nil elsewhere or when unreadable.
    static func residentBytes() -> Int? {
        let file = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { return nil }
        defer { close(file) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = read(file, &buffer, buffer.count)
        guard count > 0 else { return nil }
        // "size resident shared …", in pages.
        let fields = buffer[0..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return nil }
        return pages * Int(getpagesize())
    }
}
