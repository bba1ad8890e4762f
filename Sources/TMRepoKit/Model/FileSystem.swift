import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The few file operations tmrepo needs, with errors that name the file.
public enum FileSystem {
    public static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    public static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    public static func read(_ path: String) throws -> [UInt8] {
        guard let bytes = contents(path) else {
            throw TMRepoError.io(path: path, reason: exists(path) ? "cannot be read" : "no such file")
        }
        return bytes
    }

    /// A regular file's bytes read straight into one array (no intermediate `Data` and copy: the
    /// history cache is tens of megabytes); nil when it cannot be opened or read, or is not a
    /// regular file (a FIFO or a device put where a cache belongs would block or never end; opened
    /// without blocking, then refused).
    public static func contents(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        var failed = false
        var bytes = [UInt8](unsafeUninitializedCapacity: Int(info.st_size)) { buffer, count in
            while count < buffer.count {
                let read = Glibc.read(descriptor, buffer.baseAddress! + count, buffer.count - count)
                if read < 0 && errno == EINTR { continue }
                guard read > 0 else {
                    failed = read < 0
                    break
                }
                count += read
            }
        }
        if failed { return nil }
        // A file that grew after fstat (an append racing this read): read the rest.
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let read = Glibc.read(descriptor, &chunk, chunk.count)
            if read < 0 && errno == EINTR { continue }
            if read < 0 { return nil }
            if read == 0 { break }
            bytes += chunk[..<read]
        }
        return bytes
    }

    /// The permission bits of the regular file at `path`, or nil when there is none. A symbolic
    /// link or anything else that is not a regular file is an error: tmrepo never writes through
    /// a link (it could point out of the repository) and never replaces one.
    public static func regularFileMode(_ path: String) throws -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw TMRepoError.io(path: path, reason: "cannot be read: \(String(cString: strerror(errno)))")
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return info.st_mode & 0o7777
        case S_IFLNK: throw TMRepoError.io(path: path, reason: "is a symbolic link; tmrepo does not write through links (replace it with the file it points to)")
        default: throw TMRepoError.io(path: path, reason: "is not a regular file")
        }
    }

    /// Whether `path`'s folder, with every link in it resolved, lies inside `root` (also resolved):
    /// a threats folder that is a link out of the repository must not receive writes.
    public static func folderIsInside(_ path: String, root: String) -> Bool {
        func resolved(_ path: String) -> String? {
            guard let pointer = realpath(path, nil) else { return nil }
            defer { free(pointer) }
            return String(cString: pointer)
        }
        guard let folder = resolved(URL(fileURLWithPath: path).deletingLastPathComponent().path), let base = resolved(root) else { return false }
        return folder == base || folder.hasPrefix(base.hasSuffix("/") ? base : base + "/")
    }

    /// Writes through a temporary file in the same folder and a rename, so a reader (or a crash)
    /// sees the old file or the new one, never half of one. An existing file keeps its exact
    /// permission bits (set with fchmod, so the umask cannot change them); a new one gets
    /// 0666 less the umask, like any editor's. Symbolic links are refused, never followed.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/.\(url.lastPathComponent).tmrepo-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let existingMode = try regularFileMode(path)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, existingMode == nil ? 0o666 : 0o600)
        guard descriptor >= 0 else {
            throw TMRepoError.io(path: path, reason: "cannot write (is the folder writable?): \(String(cString: strerror(errno)))")
        }
        func fail(_ what: String) -> TMRepoError {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            unlink(temporary)
            return TMRepoError.io(path: path, reason: "\(what): \(reason)")
        }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw fail("cannot write") }
            written += count
        }
        if let existingMode, fchmod(descriptor, existingMode) != 0 { throw fail("cannot keep the file's permissions") }
        guard fsync(descriptor) == 0 else { throw fail("cannot write") }
        close(descriptor)
        // rename replaces the directory entry itself: a link swapped in meanwhile is replaced, not followed.
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw TMRepoError.io(path: path, reason: "cannot replace the file: \(reason)")
        }
    }

    public static func createDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw TMRepoError.io(path: path, reason: "cannot create folder: \(error.localizedDescription)")
        }
    }

    /// Regular files under `folder`, recursively, as paths relative to it, sorted.
    public static func files(under folder: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        var out: [String] = []
        while let next = enumerator.nextObject() as? String {
            if !isDirectory(folder + "/" + next) { out.append(next) }
        }
        return out.sorted()
    }

    public static var currentDirectory: String { FileManager.default.currentDirectoryPath }

    /// An absolute, normalised path (no trailing slash).
    public static func absolute(_ path: String, relativeTo base: String = currentDirectory) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: base).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }
}

/// An exclusive advisory lock (flock) on a file, held until `release()` or the end of the process.
public final class FileLock {
    private var descriptor: Int32

    /// Waits up to `seconds` for the lock; `busy` is the error to throw when it stays taken.
    public init(path: String, waitingUpTo seconds: Double, busy: @autoclosure () -> TMRepoError) throws {
        descriptor = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw TMRepoError.io(path: path, reason: "cannot open the lock file: \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(seconds)
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, Date() < deadline else {
                close(descriptor)
                descriptor = -1
                throw busy()
            }
            usleep(20_000)
        }
    }

    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
