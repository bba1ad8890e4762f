import Foundation

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
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TMRepoError.io(path: path, reason: exists(path) ? "cannot be read" : "no such file")
        }
        return [UInt8](data)
    }

    /// Writes through a temporary file in the same folder and a rename, so a reader (or a crash)
    /// sees the old file or the new one, never half of one. Keeps the file's permissions.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/.\(url.lastPathComponent).tmrepo-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let permissions = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions]
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes),
                                             attributes: permissions.map { [.posixPermissions: $0] }) else {
            throw TMRepoError.io(path: path, reason: "cannot write (is the folder writable?)")
        }
        if let handle = FileHandle(forWritingAtPath: temporary) {
            try? handle.synchronize()
            try? handle.close()
        }
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
