/// A file's path (relative to the model root) and bytes, however it was obtained:
/// from the work tree, the index, or a commit's tree. The core never touches the file system.
public struct ModelFile: Sendable {
    public let path: String
    public let bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }
}

/// An entry under the threats folder that is named like a threat file but cannot be one:
/// it is reported, never skipped, so nothing the gate cannot read is invisible to it.
public struct StrayEntry: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case symlink
        case submodule
        case folder
        /// A regular file over `Limits.maximumFileBytes` (not loaded).
        case tooLarge(bytes: Int)
        /// The threats folder itself (or a folder above it) is no folder: `what` it is instead.
        case folderIsNot(what: String)
    }

    /// Path relative to the model root.
    public let path: String
    public let kind: Kind

    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }

    public var diagnostic: Diagnostic {
        let (rule, what): (LintRule, String)
        switch kind {
        case .symlink: (rule, what) = (.notARegularFile, "is a symbolic link; a threat file must be a regular file")
        case .submodule: (rule, what) = (.notARegularFile, "is a submodule (gitlink); a threat file must be a regular file")
        case .folder: (rule, what) = (.notARegularFile, "is a folder; a threat file must be a regular file (rename the folder)")
        case .tooLarge(let bytes):
            (rule, what) = (.fileTooLarge, "is \(bytes) bytes; threat files are limited to \(Limits.maximumFileBytes) bytes")
        case .folderIsNot(let kind):
            (rule, what) = (.notARegularFile, "is \(kind); the threats folder must be a folder in the repository (links are never followed, so no threat in it can be read)")
        }
        return Diagnostic(path: path, line: 0, column: 0, rule: rule, message: "\(path) \(what)")
    }
}

/// A threat file that holds no readable threat: the file is there, the threat it was is not
/// readable (broken YAML, not UTF-8, too large, no id, not a regular file…).
public struct UnreadableThreatFile: Hashable, Sendable {
    public let path: String
    /// The id its file name starts with, when it does.
    public let idFromFileName: String?
    /// The first error that makes it unreadable.
    public let problem: Diagnostic
}

/// The raw inputs of a model: config, inventories and threat files.
public struct ModelSources: Sendable {
    public var config: ModelFile?
    public var elements: ModelFile?
    public var assets: ModelFile?
    public var threatFiles: [ModelFile]
    /// Entries under the threats folder named like threat files that are not regular files.
    public var strays: [StrayEntry]
    /// Files of the catalog folders (`mitigations/`, `assumptions/`), with the kind each holds.
    public var catalogFiles: [(kind: CatalogKind, file: ModelFile)]

    public init(config: ModelFile?, elements: ModelFile? = nil, assets: ModelFile? = nil, threatFiles: [ModelFile],
                strays: [StrayEntry] = [], catalogFiles: [(kind: CatalogKind, file: ModelFile)] = []) {
        self.catalogFiles = catalogFiles
        self.config = config
        self.elements = elements
        self.assets = assets
        self.threatFiles = threatFiles
        self.strays = strays
    }
}

/// A whole threat model read and checked: every threat that could be read, and every problem.
public struct Model: Sendable {
    public let config: ModelConfig
    /// Problems in `.tmrepo.yml` itself (errors here are usage/config errors: exit 2).
    public let configDiagnostics: [Diagnostic]
    /// nil when `elements.yml` does not exist (references are then not checked).
    public let elements: [Element]?
    public let assets: [Asset]?
    /// Every threat whose id could be read, sorted by id.
    public let threats: [Threat]
    /// Every problem in inventories and threat files, sorted by path and position.
    public let diagnostics: [Diagnostic]
    /// Threat files (and entries named like them) that hold no readable threat, sorted by path.
    public let unreadable: [UnreadableThreatFile]
    /// The catalog: shared mitigations and assumptions whose id could be read, sorted by id.
    public let sharedMitigations: [SharedMitigation]
    public let assumptions: [Assumption]

    public init(sources: ModelSources) {
        var config = ModelConfig()
        var configDiagnostics: [Diagnostic] = []
        if let file = sources.config {
            (config, configDiagnostics) = ModelConfig.parse(path: file.path, bytes: file.bytes)
        }
        let parsed = sources.threatFiles.map { ThreatParser.parse(path: $0.path, bytes: $0.bytes, idPrefix: config.idPrefix) }
        let catalog = sources.catalogFiles.map { CatalogParser.parse(path: $0.file.path, bytes: $0.file.bytes, kind: $0.kind) }
        self.init(config: config, configDiagnostics: configDiagnostics, elementsFile: sources.elements, assetsFile: sources.assets,
                  parsedThreats: consume parsed, strays: sources.strays, catalog: catalog)
    }

    /// Builds a model from threat files parsed elsewhere (e.g. memoized by git blob id).
    public init(config: ModelConfig, configDiagnostics: [Diagnostic], elementsFile: ModelFile?, assetsFile: ModelFile?,
                parsedThreats parsed: consuming [ParsedThreatFile], strays: [StrayEntry] = [], catalog: [ParsedCatalogFile] = [],
                catalogProblems: [Diagnostic] = []) {
        var diagnostics: [Diagnostic] = []
        var unreadable: [UnreadableThreatFile] = []
        func fileNameID(_ path: String) -> String? {
            ThreatParser.idInFileName(String(path.split(separator: "/").last ?? ""), prefix: config.idPrefix)
        }
        for stray in strays {
            let problem = stray.diagnostic
            diagnostics.append(problem)
            unreadable.append(UnreadableThreatFile(path: stray.path, idFromFileName: fileNameID(stray.path), problem: problem))
        }
        // By index, and the threats moved out at the end: copying a `Threat` touches every field's
        // storage (10k copies cost more than the checks). A caller that hands its only reference
        // over (`consume`) lets them move without the array being copied first.
        var files = consume parsed
        for index in files.indices where files[index].threat == nil {
            let file = files[index]
            let problem = file.diagnostics.first { $0.severity == .error }
                ?? Diagnostic(path: file.path, line: 0, column: 0, severity: .error, rule: LintRule.missingField.rawValue, message: "id: required field is missing")
            if !file.diagnostics.contains(where: { $0.severity == .error }) { diagnostics.append(problem) }
            unreadable.append(UnreadableThreatFile(path: file.path, idFromFileName: fileNameID(file.path), problem: problem))
        }
        self.unreadable = unreadable.sorted { $0.path < $1.path }
        let sources = (elements: elementsFile, assets: assetsFile)
        var elements: [Element]?
        if let file = sources.elements {
            let (parsed, problems) = InventoryParser.parseElements(path: file.path, bytes: file.bytes)
            elements = parsed
            diagnostics += problems + Linter.checkElements(parsed)
        }
        var assets: [Asset]?
        if let file = sources.assets {
            let (parsed, problems) = InventoryParser.parseAssets(path: file.path, bytes: file.bytes)
            assets = parsed
            diagnostics += problems
        }
        for index in files.indices { diagnostics += files[index].diagnostics }
        var threats: [Threat] = []
        threats.reserveCapacity(files.count)
        for index in files.indices {
            if let threat = files[index].threat.take() { threats.append(threat) }
        }
        diagnostics += Linter.crossCheck(threats: threats, config: config, elements: elements, assets: assets)
        let shared = catalog.compactMap(\.mitigation).sorted { Self.idOrder($0.id, $1.id) }
        let assumptions = catalog.compactMap(\.assumption).sorted { Self.idOrder($0.id, $1.id) }
        for file in catalog { diagnostics += file.diagnostics }
        diagnostics += catalogProblems
        diagnostics += Linter.checkCatalog(mitigations: shared, assumptions: assumptions, threats: threats, config: config)
        threats = Self.resolvingReferences(threats, in: shared)
        self.sharedMitigations = shared
        self.assumptions = assumptions
        self.config = config
        self.configDiagnostics = configDiagnostics
        self.elements = elements
        self.assets = assets
        // Sorted in place (moved, not copied); the number is read from short ids, so this is cheap.
        threats.sort { lhs, rhs in
            let l = Self.idNumber(lhs.id) ?? .max, r = Self.idNumber(rhs.id) ?? .max
            return l != r ? l < r : lhs.id < rhs.id
        }
        self.threats = threats
        self.diagnostics = diagnostics.sorted(by: Diagnostic.sortKey)
    }

    public func sharedMitigation(id: String) -> SharedMitigation? {
        sharedMitigations.first { ThreatID.same($0.id, id) }
    }

    public func assumption(id: String) -> Assumption? {
        assumptions.first { ThreatID.same($0.id, id) }
    }

    /// Threats with each `ref:` entry filled from the shared mitigation it names (`ref` kept), so
    /// staleness, the matrix and every report treat it like the threat's own; an unknown
    /// reference stays as written (lint reports it).
    static func resolvingReferences(_ threats: [Threat], in shared: [SharedMitigation]) -> [Threat] {
        guard !shared.isEmpty, threats.contains(where: { $0.mitigations.contains { $0.ref != nil } }) else { return threats }
        let byKey = Dictionary(shared.map { (ThreatID.key($0.id), $0) }, uniquingKeysWith: { first, _ in first })
        return threats.map { threat in
            guard threat.mitigations.contains(where: { $0.ref != nil }) else { return threat }
            var copy = threat
            copy.mitigations = threat.mitigations.map { mitigation in
                guard let ref = mitigation.ref, let found = byKey[ThreatID.key(ref)] else { return mitigation }
                return found.asMitigation
            }
            return copy
        }
    }

    public func threat(id: String) -> Threat? {
        threats.first { ThreatID.same($0.id, id) }
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// Orders ids by their number, so T-2 comes before T-10.
    public static func idOrder(_ lhs: String, _ rhs: String) -> Bool {
        let l = idNumber(lhs), r = idNumber(rhs)
        if let l, let r, l != r { return l < r }
        return lhs < rhs
    }

    /// The number an id ends with (`T-0042` → 42).
    public static func idNumber(_ id: String) -> Int? {
        var value = 0, scale = 1, digits = 0
        for byte in id.utf8.reversed() {
            guard byte >= 48 && byte <= 57, digits < 18 else { break }
            value += Int(byte - 48) * scale
            scale *= 10
            digits += 1
        }
        return digits == 0 ? nil : value
    }
}
