import ThreatModel

/// Finds the infrastructure templates of a model in any model source (work tree, index, commit):
/// the files `system.templates` names, or by default every file named `template.yaml`,
/// `template.yml` or `template.json`, and every other YAML/JSON file that declares itself a
/// template. Folders that hold build output or dependencies are not searched.
public struct TemplateFiles {
    /// A template found, or a path that should have been one and cannot be read as a file.
    public enum Found: Sendable {
        case file(ModelFile)
        case unreadable(path: String, reason: String)
    }

    /// Folders never searched by default: dependencies and build output (hidden folders are skipped too).
    public static let skippedFolders: Set<String> = ["node_modules", "cdk.out", "vendor", "dist", "build", "target"]
    /// The default search stops here rather than read a whole monorepo.
    public static let maximumCandidates = 20_000
    static let defaultNames: Set<String> = ["template.yaml", "template.yml", "template.json"]
    static let extensions = [".yaml", ".yml", ".json", ".template"]

    public let source: ModelFileSource
    public let settings: SystemSettings
    /// Whether a file's text declares a template (the template reader's own cheap check).
    public let declaresTemplate: (_ path: String, _ bytes: [UInt8]) -> Bool

    public init(source: ModelFileSource, settings: SystemSettings, declaresTemplate: @escaping (String, [UInt8]) -> Bool) {
        self.source = source
        self.settings = settings
        self.declaresTemplate = declaresTemplate
    }

    /// Every template, sorted by path. Throws when the source cannot be read (a git error).
    public func find() throws -> [Found] {
        settings.templates.isEmpty ? try discover() : try named()
    }

    private func named() throws -> [Found] {
        var found: [String: Found] = [:]
        for pattern in settings.templates {
            let glob = Glob(pattern)
            if !glob.hasWildcards {
                guard let entry = try source.entry(glob.pattern) else {
                    found[glob.pattern] = .unreadable(path: glob.pattern, reason: "system.templates names it, but there is no such file in \(source.name)")
                    continue
                }
                found[entry.path] = try load(entry)
                continue
            }
            let folder = glob.literalPrefix.isEmpty ? "" : glob.literalPrefix + "/"
            for entry in try source.entries(under: folder) where entry.kind != .folder && glob.matches(entry.path) {
                found[entry.path] = try load(entry)
            }
        }
        return found.keys.sorted().map { found[$0]! }
    }

    private func discover() throws -> [Found] {
        var found: [Found] = []
        var candidates = 0
        for entry in try Self.searchedFiles(in: source) {
            guard let name = entry.path.split(separator: "/").last.map(String.init) else { continue }
            let lowered = name.lowercased()
            let byName = Self.defaultNames.contains(lowered)
            guard byName || Self.extensions.contains(where: { lowered.hasSuffix($0) }) else { continue }
            candidates += 1
            if candidates > Self.maximumCandidates {
                found.append(.unreadable(path: entry.path, reason: "more than \(Self.maximumCandidates) YAML/JSON files to search for templates; name them in system.templates"))
                break
            }
            if entry.kind != .file {
                // A link named like a template is reported (never followed); others are not templates.
                if byName { found.append(.unreadable(path: entry.path, reason: "is a \(entry.kind == .symlink ? "symbolic link" : "submodule"), not a file")) }
                continue
            }
            if let size = entry.size, size > Limits.maximumTemplateBytes {
                if byName { found.append(.unreadable(path: entry.path, reason: "is \(size) bytes; templates are limited to \(Limits.maximumTemplateBytes)")) }
                continue
            }
            let bytes = try source.bytes(of: entry)
            if bytes.count > Limits.maximumTemplateBytes {
                if byName { found.append(.unreadable(path: entry.path, reason: "is \(bytes.count) bytes; templates are limited to \(Limits.maximumTemplateBytes)")) }
                continue
            }
            if byName || declaresTemplate(entry.path, bytes) {
                found.append(.file(ModelFile(path: entry.path, bytes: bytes)))
            }
        }
        return found.sorted { $0.path < $1.path }
    }

    /// The files a search for templates looks at: named like YAML or JSON, outside hidden and
    /// skipped folders, which are not entered at all (a git source reads none of their trees).
    static func searchedFiles(in source: ModelFileSource) throws -> [SourceEntry] {
        try source.files(under: "", entering: { !$0.hasPrefix(".") && !skippedFolders.contains($0) }, keeping: mayBeTemplate)
    }

    /// A byte test on a file name's extension, before any string work: most files in a repository are
    /// code, and this runs for each of them.
    static func mayBeTemplate(_ name: String) -> Bool {
        var tail: [UInt8] = []
        for byte in name.utf8.reversed() {
            if byte == UInt8(ascii: ".") {
                return ["yaml", "yml", "json", "template"].contains { Array($0.utf8.reversed()) == tail }
            }
            tail.append(byte >= 65 && byte <= 90 ? byte + 32 : byte)
            if tail.count > 8 { return false }
        }
        return false
    }

    private func load(_ entry: SourceEntry) throws -> Found {
        guard entry.kind == .file else {
            return .unreadable(path: entry.path, reason: "is a \(entry.kind == .symlink ? "symbolic link" : entry.kind == .submodule ? "submodule" : "folder"), not a file")
        }
        let bytes = try source.bytes(of: entry)
        guard bytes.count <= Limits.maximumTemplateBytes else {
            return .unreadable(path: entry.path, reason: "is \(bytes.count) bytes; templates are limited to \(Limits.maximumTemplateBytes)")
        }
        return .file(ModelFile(path: entry.path, bytes: bytes))
    }
}

extension TemplateFiles.Found {
    public var path: String {
        switch self {
        case .file(let file): file.path
        case .unreadable(let path, _): path
        }
    }
}
