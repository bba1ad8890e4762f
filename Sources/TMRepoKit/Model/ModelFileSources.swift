import Foundation
import TMGit
import ThreatModel

/// The model as it is in the work tree. Entries are classified with `lstat`, so a symbolic link
/// is seen as one and never followed.
public struct WorkTreeSource: ModelFileSource {
    /// Absolute path of the model root.
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public var name: String { "the work tree" }

    public func entry(_ path: String) throws -> SourceEntry? {
        Self.classify(root + "/" + path, relative: path)
    }

    public func entries(under folder: String) throws -> [SourceEntry] {
        var out: [SourceEntry] = []
        var pending = [String(folder.dropLast())]
        while let next = pending.popLast() {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: root + "/" + next) else { continue }
            for name in names.sorted() {
                let relative = next.isEmpty ? name : next + "/" + name
                guard let entry = Self.classify(root + "/" + relative, relative: relative) else { continue }
                out.append(entry)
                if entry.kind == .folder && !name.hasPrefix(".") { pending.append(relative) }
            }
        }
        return out
    }

    public func bytes(of entry: SourceEntry) throws -> [UInt8] {
        try FileSystem.read(root + "/" + entry.path)
    }

    private static func classify(_ absolute: String, relative: String) -> SourceEntry? {
        var info = stat()
        guard lstat(absolute, &info) == 0 else { return nil }
        let kind: SourceEntry.Kind
        switch info.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFLNK: kind = .symlink
        case S_IFDIR: kind = FileSystem.exists(absolute + "/.git") && !relative.isEmpty ? .submodule : .folder
        default: kind = .symlink   // a device, socket or pipe is no more a threat file than a link is
        }
        return SourceEntry(path: relative, kind: kind, size: Int(info.st_size), object: nil)
    }
}

/// What a git source shares: entries of a repository's files, read as blobs.
private func sourceEntry(_ file: TreeFile, path: String) -> SourceEntry {
    let kind: SourceEntry.Kind
    switch file.kind {
    case .blob: kind = .file
    case .tree: kind = .folder
    case .symlink: kind = .symlink
    case .submodule: kind = .submodule
    }
    return SourceEntry(path: path, kind: kind, size: nil, object: file.id)
}

/// The model as committed in a tree (a commit's, in a work tree or a bare repository).
public struct TreeSource: ModelFileSource {
    public let repository: Repository
    public let tree: ObjectID
    /// The model root inside the repository ("" or "a/b/").
    public let prefix: String
    public let name: String

    public init(repository: Repository, tree: ObjectID, prefix: String, name: String) {
        self.repository = repository
        self.tree = tree
        self.prefix = prefix
        self.name = name
    }

    public func entry(_ path: String) throws -> SourceEntry? {
        guard let found = try repository.entryID(in: tree, path: prefix + path) else { return nil }
        return sourceEntry(TreeFile(path: path, id: found.id, kind: found.kind), path: path)
    }

    public func entries(under folder: String) throws -> [SourceEntry] {
        guard let found = try folderTree(folder) else { return [] }
        return try repository.files(in: found, includingFolders: true).map { sourceEntry($0, path: folder + $0.path) }
    }

    public func files(under folder: String, entering: (String) -> Bool, keeping: (String) -> Bool) throws -> [SourceEntry] {
        guard let found = try folderTree(folder) else { return [] }
        return try repository.files(in: found, entering: entering, keeping: keeping).map { sourceEntry($0, path: folder + $0.path) }
    }

    /// The tree of `folder` (relative to the model root); nil when it is not a folder here.
    private func folderTree(_ folder: String) throws -> ObjectID? {
        var path = prefix + folder
        if path.hasSuffix("/") { path.removeLast() }
        let found = path.isEmpty ? (id: tree, kind: EntryKind.tree) : try repository.entryID(in: tree, path: path)
        guard let found, found.kind == .tree else { return nil }
        return found.id
    }

    public func bytes(of entry: SourceEntry) throws -> [UInt8] {
        guard let object = entry.object else { throw TMRepoError.io(path: entry.path, reason: "has no object in \(name)") }
        return try repository.blob(object)
    }
}

/// The model as staged in the index (what the next commit will hold).
public struct IndexSource: ModelFileSource {
    public let repository: Repository
    public let prefix: String
    private let staged: [String: TreeFile]

    public init(repository: Repository, prefix: String) throws {
        self.repository = repository
        self.prefix = prefix
        var staged: [String: TreeFile] = [:]
        for file in try repository.indexFiles(under: prefix) {
            let path = String(file.path.dropFirst(prefix.count))
            staged[path] = TreeFile(path: path, id: file.id, kind: file.kind)
            // The index lists files only; the folders they are in are entries too.
            var parts = path.split(separator: "/").dropLast()
            while !parts.isEmpty {
                let folder = parts.joined(separator: "/")
                if staged[folder] == nil { staged[folder] = TreeFile(path: folder, id: file.id, kind: .tree) }
                parts = parts.dropLast()
            }
        }
        self.staged = staged
    }

    public var name: String { "the index" }

    public func entry(_ path: String) throws -> SourceEntry? {
        guard let file = staged[path] else { return nil }
        return sourceEntry(file, path: path)
    }

    public func entries(under folder: String) throws -> [SourceEntry] {
        staged.values.filter { $0.path.hasPrefix(folder) }.sorted { $0.path < $1.path }.map { sourceEntry($0, path: $0.path) }
    }

    public func bytes(of entry: SourceEntry) throws -> [UInt8] {
        guard let object = entry.object else { throw TMRepoError.io(path: entry.path, reason: "has no object in the index") }
        return try repository.blob(object)
    }
}
