import Foundation
import ThreatModel

/// Where `tmrepo new` finds templates, first match winning by name:
/// 1. `--templates DIR` or `$TMREPO_TEMPLATES`;
/// 2. the model's own `.tmrepo/templates/` (a team's house templates);
/// 3. the templates shipped with tmrepo: `<prefix>/share/tmrepo/templates` next to an installed
///    binary, or the source tree's `templates/` when run from a SwiftPM build folder.
/// A template folder holds `default.md` and `threats/*.md`.
public struct TemplateLibrary {
    public let folders: [String]

    public init(explicit: String?, modelRoot: String?, environment: [String: String] = ProcessInfo.processInfo.environment) {
        var folders: [String] = []
        if let explicit { folders.append(FileSystem.absolute(explicit)) }
        if let fromEnvironment = environment["TMREPO_TEMPLATES"], !fromEnvironment.isEmpty { folders.append(FileSystem.absolute(fromEnvironment)) }
        if let modelRoot { folders.append(modelRoot + "/.tmrepo/templates") }
        folders += Self.shippedFolders()
        self.folders = folders.filter(FileSystem.isDirectory)
    }

    static func shippedFolders() -> [String] {
        let executable = URL(fileURLWithPath: CommandLine.arguments.first.map { FileSystem.absolute($0) } ?? "").resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        var out = [folder.appendingPathComponent("../share/tmrepo/templates").standardizedFileURL.path]
        for _ in 0..<5 {
            folder = folder.deletingLastPathComponent()
            out.append(folder.appendingPathComponent("templates").path)
        }
        return out.filter { FileSystem.exists($0 + "/default.md") }
    }

    /// Every template by name (the first folder that has a name wins), sorted by name.
    public func templates() throws -> [ThreatTemplate] {
        var byName: [String: ThreatTemplate] = [:]
        for folder in folders {
            var files: [String] = []
            if FileSystem.exists(folder + "/default.md") { files.append(folder + "/default.md") }
            if FileSystem.isDirectory(folder + "/threats") {
                files += FileSystem.files(under: folder + "/threats").filter { $0.hasSuffix(".md") }.map { folder + "/threats/" + $0 }
            }
            for file in files {
                let fallback = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
                let template: ThreatTemplate
                do {
                    template = try ThreatTemplate.parse(bytes: try FileSystem.read(file), fallbackName: fallback)
                } catch {
                    throw TMRepoError.io(path: file, reason: "is not a valid template: \(error)")
                }
                if byName[template.name] == nil { byName[template.name] = template }
            }
        }
        return byName.values.sorted { $0.name < $1.name }
    }

    /// The named template; "default" falls back to a built-in one so `new` works anywhere.
    public func template(named name: String) throws -> ThreatTemplate {
        let all = try templates()
        if let found = all.first(where: { $0.name == name }) { return found }
        if name == "default" { return try ThreatTemplate.parse(bytes: Array(Self.builtInDefault.utf8), fallbackName: "default") }
        throw TMRepoError.unknownTemplate(name, available: all.map(\.name))
    }

    static let builtInDefault = """
    ---
    id: T-0000
    title: Describe the threat in one line
    stride: [tampering]
    element:
    severity: medium
    status: open
    owner:
    mitigations: []
    ---

    ## Description
    What can go wrong, on which element, and why it matters.

    """
}
