import Foundation
import ThreatModel

/// A threat model on disk: its root folder and how to read it into the pure core.
public struct ModelStore: Sendable {
    /// Absolute path of the folder holding `.tmrepo.yml`, no trailing slash.
    public let root: String

    /// The root folder's own name (an export's default model name).
    public var folderName: String { URL(fileURLWithPath: root).lastPathComponent }

    public init(root: String) {
        self.root = root
    }

    /// Finds the model root: `explicit` when given, else the nearest folder at or above
    /// `start` holding `.tmrepo.yml` (the way git finds `.git`).
    public static func locate(explicit: String?, from start: String = FileSystem.currentDirectory) throws -> ModelStore {
        if let explicit {
            let root = FileSystem.absolute(explicit)
            guard FileSystem.exists(root + "/" + ModelConfig.fileName) else { throw TMRepoError.modelNotFound(searchedFrom: root) }
            return ModelStore(root: root)
        }
        var folder = URL(fileURLWithPath: FileSystem.absolute(start))
        while true {
            if FileSystem.exists(folder.path + "/" + ModelConfig.fileName) { return ModelStore(root: folder.path) }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { break }
            folder = parent
        }
        throw TMRepoError.modelNotFound(searchedFrom: FileSystem.absolute(start))
    }

    public func absolute(_ relative: String) -> String { root + "/" + relative }

    /// The work tree as a source for `ModelReader`.
    public var source: WorkTreeSource { WorkTreeSource(root: root) }

    /// Reads `.tmrepo.yml` alone (cheap), failing on configuration errors.
    public func loadConfig() throws -> ModelConfig {
        guard let config = try ModelReader(source: source).config() else { throw TMRepoError.modelNotFound(searchedFrom: root) }
        return config
    }

    /// Reads the whole model from the work tree. Configuration errors throw; problems in
    /// threat files and inventories (and entries that are not readable threat files) come back
    /// as diagnostics in the model.
    public func load() throws -> Model {
        _ = try loadConfig()
        return try ModelReader(source: source).read()
    }

    /// The system the work tree's templates describe, compared with the model's elements.
    public func system(for model: Model) throws -> SystemModel {
        try SystemModel.read(from: source, config: model.config, elements: model.elements ?? [])
    }

    /// Every entry the model counts as a threat file (readable or not), relative to the root.
    public func threatFilePaths(config: ModelConfig) throws -> [String] {
        let (files, strays) = try ModelReader(source: source).threatEntries(config: config)
        return (files.map(\.path) + strays.map(\.path)).sorted()
    }

    /// Whether a path inside the threats folder is a threat file.
    public static func isThreatFile(_ relativePath: String) -> Bool {
        // Byte tests, not lowercased copies: this runs for every entry of every threats tree read.
        let utf8 = relativePath.utf8
        let name = utf8[(utf8.lastIndex(of: UInt8(ascii: "/")).map(utf8.index(after:)) ?? utf8.startIndex)...]
        func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }
        return name.count > 3 && name.suffix(3).lazy.map(lower).elementsEqual(".md".utf8)
            && !name.lazy.map(lower).elementsEqual("readme.md".utf8) && !isHidden(relativePath)
    }

    /// Whether any part of a path starts with a dot (hidden files and folders are not the model's).
    public static func isHidden(_ relativePath: String) -> Bool {
        var atPartStart = true
        for byte in relativePath.utf8 {
            if atPartStart && byte == UInt8(ascii: ".") { return true }
            atPartStart = byte == UInt8(ascii: "/")
        }
        return false
    }
}
