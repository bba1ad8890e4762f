import Foundation
import TMGit
import ThreatModel

/// One entry found below a model's folder, whatever it is read from.
public struct SourceEntry: Sendable {
    public enum Kind: Sendable, Equatable { case file, symlink, submodule, folder }

    /// Relative to the model root.
    public let path: String
    public let kind: Kind
    /// Bytes, when known before loading (`stat` in the work tree); git sources leave it to the
    /// parser, which refuses an oversized file without parsing it.
    public let size: Int?
    /// What `ModelFileSource.bytes(of:)` needs to load it (a blob id for git sources).
    let object: ObjectID?
}

/// Where a model's files come from: the work tree, the index, or a commit's tree. One reader
/// (`ModelReader`) turns any of them into a `Model` with one definition of a threat file.
public protocol ModelFileSource {
    /// A human name for error messages ("the work tree", "the index", "commit 1a2b3c").
    var name: String { get }
    /// The entry at `path` (relative to the model root), nil when there is none.
    func entry(_ path: String) throws -> SourceEntry?
    /// Every entry below `folder` (relative to the model root, trailing slash), recursively; folders included.
    func entries(under folder: String) throws -> [SourceEntry]
    /// The files below `folder` whose name `keeping` accepts, nothing inside a folder whose name
    /// `entering` refuses (a git source then never reads that folder's trees).
    func files(under folder: String, entering: (String) -> Bool, keeping: (String) -> Bool) throws -> [SourceEntry]
    /// The content of a file entry.
    func bytes(of entry: SourceEntry) throws -> [UInt8]
}

extension ModelFileSource {
    /// `entries(under:)` with the refused folders' contents and the unwanted files left out.
    public func files(under folder: String, entering: (String) -> Bool, keeping: (String) -> Bool) throws -> [SourceEntry] {
        try entries(under: folder).filter { entry in
            guard entry.kind != .folder else { return false }
            let parts = entry.path.dropFirst(folder.count).split(separator: "/", omittingEmptySubsequences: false)
            return keeping(String(parts.last ?? "")) && !parts.dropLast().contains { !entering(String($0)) }
        }
    }
}

/// Reads a model from any source: `.tmrepo.yml`, the inventories, and every entry under the
/// threats folder. A name ending in `.md` (not README.md, not hidden) is a threat file; one that
/// is not a regular file, or is too large to read, is a `StrayEntry`: reported, never skipped.
public struct ModelReader {
    public let source: ModelFileSource

    public init(source: ModelFileSource) {
        self.source = source
    }

    /// The config as the source has it; errors in it throw (exit 2). nil when there is no `.tmrepo.yml`.
    public func config() throws -> ModelConfig? {
        guard let file = try modelFile(ModelConfig.fileName) else { return nil }
        let (config, problems) = ModelConfig.parse(path: file.path, bytes: file.bytes)
        let errors = problems.filter { $0.severity == .error }
        if !errors.isEmpty { throw TMRepoError.configInvalid(errors) }
        return config
    }

    /// The whole model. `config` replaces the source's own (the merge gate reads a range's model
    /// with the base's shape: its threats folder, id prefix, cadences, owners and policy).
    /// `parse` reads the threat file entries (the history engine memoizes by blob id and splits
    /// the work across cores); by default each is parsed from the source.
    public func read(config override: ModelConfig? = nil,
                     parse: (([SourceEntry], ModelConfig) throws -> [ParsedThreatFile])? = nil) throws -> Model {
        // With a configuration given, the source's own is not read (it may be missing or broken:
        // the merge gate reports that separately).
        let configFile = override == nil ? try modelFile(ModelConfig.fileName) : nil
        guard configFile != nil || override != nil else { throw TMRepoError.modelNotFound(searchedFrom: source.name) }
        var config = ModelConfig()
        var configDiagnostics: [Diagnostic] = []
        if let configFile { (config, configDiagnostics) = ModelConfig.parse(path: configFile.path, bytes: configFile.bytes) }
        if let override { config = override }
        let (files, strays) = try threatEntries(config: config)
        let parsed = try parse?(files, config) ?? files.map { entry in
            ThreatParser.parse(path: entry.path, bytes: try source.bytes(of: entry), idPrefix: config.idPrefix)
        }
        let (catalog, catalogProblems) = try catalogFiles(config: config)
        return Model(config: config, configDiagnostics: override == nil ? configDiagnostics : [],
                     elementsFile: try modelFile(InventoryParser.elementsFile), assetsFile: try modelFile(InventoryParser.assetsFile),
                     parsedThreats: consume parsed, strays: strays,
                     catalog: catalog.map { CatalogParser.parse(path: $0.file.path, bytes: $0.file.bytes, kind: $0.kind) },
                     catalogProblems: catalogProblems)
    }

    /// The catalog files (`*.md` below the `mitigations:` and `assumptions:` folders, named like
    /// threat files), and a problem for each entry there that is not a regular file of a readable
    /// size: reported, never skipped. A model without these folders has an empty catalog.
    public func catalogFiles(config: ModelConfig) throws -> (files: [(kind: CatalogKind, file: ModelFile)], problems: [Diagnostic]) {
        var files: [(kind: CatalogKind, file: ModelFile)] = [], problems: [Diagnostic] = []
        for kind in CatalogKind.allCases {
            let folder = config.directory(for: kind)
            if let (path, what) = try notAFolder(folder) {
                problems.append(Diagnostic(path: path, line: 0, column: 0, rule: .notARegularFile,
                                           message: "\(path) is \(what); the catalog folder \(folder) must be a folder in the repository (links are never followed, so no file in it can be read)"))
                continue
            }
            for entry in try source.entries(under: folder) {
                let inside = String(entry.path.dropFirst(folder.count))
                let named = ModelStore.isThreatFile(inside)
                func problem(_ rule: LintRule, _ what: String) {
                    problems.append(Diagnostic(path: entry.path, line: 0, column: 0, rule: rule, message: "\(entry.path) \(what)"))
                }
                switch entry.kind {
                case .file where named:
                    if let size = entry.size, size > Limits.maximumFileBytes {
                        problem(.fileTooLarge, "is \(size) bytes; catalog files are limited to \(Limits.maximumFileBytes) bytes")
                    } else {
                        files.append((kind, ModelFile(path: entry.path, bytes: try source.bytes(of: entry))))
                    }
                case .folder where named: problem(.notARegularFile, "is a folder; a catalog file must be a regular file")
                case .symlink where !ModelStore.isHidden(inside): problem(.notARegularFile, "is a symbolic link; a catalog file must be a regular file")
                case .submodule where !ModelStore.isHidden(inside): problem(.notARegularFile, "is a submodule; a catalog file must be a regular file")
                default: break
                }
            }
        }
        return (files.sorted { $0.file.path < $1.file.path }, problems)
    }

    /// The first of `folder` and the folders above it that exists and is no folder (a link, a
    /// file, a submodule), and what it is: listing it would follow the link in the work tree and
    /// find nothing in a commit, so it is reported instead.
    func notAFolder(_ folder: String) throws -> (path: String, what: String)? {
        var path = ""
        for component in folder.split(separator: "/") {
            path += path.isEmpty ? String(component) : "/" + component
            guard let entry = try source.entry(path) else { return nil }
            switch entry.kind {
            case .folder: continue
            case .symlink: return (path, "a symbolic link")
            case .submodule: return (path, "a submodule")
            case .file: return (path, "a file")
            }
        }
        return nil
    }

    /// The readable threat files and the strays under the threats folder.
    public func threatEntries(config: ModelConfig) throws -> (files: [SourceEntry], strays: [StrayEntry]) {
        var files: [SourceEntry] = [], strays: [StrayEntry] = []
        let folder = config.threatsDirectory
        if let (path, what) = try notAFolder(folder) { return ([], [StrayEntry(path: path, kind: .folderIsNot(what: what))]) }
        for entry in try source.entries(under: folder) {
            let inside = String(entry.path.dropFirst(folder.count))
            let named = ModelStore.isThreatFile(inside)
            switch entry.kind {
            case .file where named:
                if let size = entry.size, size > Limits.maximumFileBytes {
                    strays.append(StrayEntry(path: entry.path, kind: .tooLarge(bytes: size)))
                } else {
                    files.append(entry)
                }
            case .folder where named: strays.append(StrayEntry(path: entry.path, kind: .folder))
            // A link or a submodule anywhere below the threats folder could stand for threats the gate cannot read.
            case .symlink where !ModelStore.isHidden(inside): strays.append(StrayEntry(path: entry.path, kind: .symlink))
            case .submodule where !ModelStore.isHidden(inside): strays.append(StrayEntry(path: entry.path, kind: .submodule))
            default: break
            }
        }
        return (files.sorted { $0.path < $1.path }, strays.sorted { $0.path < $1.path })
    }

    /// A model file outside the threats folder (config, inventories); it must be a regular file of a readable size.
    public func modelFile(_ path: String) throws -> ModelFile? {
        guard let entry = try source.entry(path) else { return nil }
        guard entry.kind == .file else {
            throw TMRepoError.io(path: path, reason: "is \(entry.kind == .folder ? "a folder" : entry.kind == .symlink ? "a symbolic link" : "a submodule") in \(source.name); it must be a regular file")
        }
        if let size = entry.size, size > Limits.maximumFileBytes {
            throw TMRepoError.io(path: path, reason: "is \(size) bytes in \(source.name); model files are limited to \(Limits.maximumFileBytes) bytes")
        }
        return ModelFile(path: path, bytes: try source.bytes(of: entry))
    }
}

extension Model {
    /// The threat with this id; when there is none, an error that says why: the file holding it
    /// may be there but unreadable (a link, broken YAML…), which "no such threat" would hide.
    public func requireThreat(id: String) throws -> Threat {
        if let threat = threat(id: id) { return threat }
        if let file = unreadable.first(where: { $0.idFromFileName.map { ThreatID.same($0, id) } ?? false }) {
            throw TMRepoError.io(path: file.path, reason: "holds \(id) but cannot be read as a threat: \(file.problem.message)")
        }
        throw TMRepoError.threatNotFound(id)
    }
}
