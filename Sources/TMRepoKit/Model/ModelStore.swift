import Foundation
import ThreatModel

/// A threat model on disk: its root folder and how to read it into the pure core.
public struct ModelStore: Sendable {
    /// Absolute path of the folder holding `.tmrepo.yml`, no trailing slash.
    public let root: String

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

    /// Reads `.tmrepo.yml` alone (cheap), failing on configuration errors.
    public func loadConfig() throws -> ModelConfig {
        let (config, problems) = ModelConfig.parse(path: ModelConfig.fileName, bytes: try FileSystem.read(absolute(ModelConfig.fileName)))
        let errors = problems.filter { $0.severity == .error }
        if !errors.isEmpty { throw TMRepoError.configInvalid(errors) }
        return config
    }

    /// Reads the whole model from the work tree. Configuration errors throw; problems in
    /// threat files and inventories come back as diagnostics in the model.
    public func load() throws -> Model {
        let config = try loadConfig()
        let model = Model(sources: try sources(config: config))
        return model
    }

    public func sources(config: ModelConfig) throws -> ModelSources {
        func optional(_ name: String) throws -> ModelFile? {
            FileSystem.exists(absolute(name)) ? ModelFile(path: name, bytes: try FileSystem.read(absolute(name))) : nil
        }
        let threatFiles = try threatFilePaths(config: config).map { ModelFile(path: $0, bytes: try FileSystem.read(absolute($0))) }
        return ModelSources(config: try optional(ModelConfig.fileName), elements: try optional(InventoryParser.elementsFile),
                            assets: try optional(InventoryParser.assetsFile), threatFiles: threatFiles)
    }

    /// Threat files: every `*.md` under the threats folder except README.md, relative to the root.
    public func threatFilePaths(config: ModelConfig) throws -> [String] {
        let folder = absolute(config.threatsDirectory)
        guard FileSystem.isDirectory(folder) else { return [] }
        return FileSystem.files(under: folder)
            .filter { ModelStore.isThreatFile($0) }
            .map { config.threatsDirectory + $0 }
    }

    /// Whether a path inside the threats folder is a threat file.
    public static func isThreatFile(_ relativePath: String) -> Bool {
        let name = relativePath.split(separator: "/").last.map(String.init) ?? relativePath
        return name.lowercased().hasSuffix(".md") && name.lowercased() != "readme.md" && !name.hasPrefix(".")
            && !relativePath.split(separator: "/").contains { $0.hasPrefix(".") }
    }
}
