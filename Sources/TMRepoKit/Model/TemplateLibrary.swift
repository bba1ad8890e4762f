import Foundation
import ThreatModel

/// Where `tmrepo new` finds templates, first match winning by name:
/// 1. `--templates DIR` or `$TMREPO_TEMPLATES`;
/// 2. the model's own `.tmrepo/templates/` (a team's house templates);
/// 3. the templates shipped with tmrepo, compiled into the binary (`BuiltInTemplates`, generated
///    from the source tree's `templates/`), so a binary copied anywhere still has them.
/// A template folder holds `default.md` and `threats/*.md`.
public struct TemplateLibrary {
    public let folders: [String]

    public init(explicit: String?, modelRoot: String?, environment: [String: String] = ProcessInfo.processInfo.environment) {
        var folders: [String] = []
        if let explicit { folders.append(FileSystem.absolute(explicit)) }
        if let fromEnvironment = environment["TMREPO_TEMPLATES"], !fromEnvironment.isEmpty { folders.append(FileSystem.absolute(fromEnvironment)) }
        if let modelRoot { folders.append(modelRoot + "/.tmrepo/templates") }
        self.searched = folders
        self.folders = folders.filter(FileSystem.isDirectory)
    }

    /// Every folder looked in, whether it exists or not (for "where did it look" messages).
    public let searched: [String]

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
        for (path, text) in BuiltInTemplates.files {
            let fallback = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            // Compiled in, and checked by a test against templates/: they always parse.
            if let template = try? ThreatTemplate.parse(bytes: Array(text.utf8), fallbackName: fallback), byName[template.name] == nil {
                byName[template.name] = template
            }
        }
        return byName.values.sorted { $0.name < $1.name }
    }

    /// The named template.
    public func template(named name: String) throws -> ThreatTemplate {
        let all = try templates()
        if let found = all.first(where: { $0.name == name }) { return found }
        throw TMRepoError.unknownTemplate(name, available: all.map(\.name))
    }
}
