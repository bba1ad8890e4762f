import ThreatModel

/// Creates new threat files: allocates an id no threat has ever had and writes the file atomically.
public struct ThreatCreator {
    public let store: ModelStore
    public let config: ModelConfig

    public init(store: ModelStore, config: ModelConfig) {
        self.store = store
        self.config = config
    }

    /// The next id after every id in use: in threat files, in file names, and `retired`
    /// (ids seen in git history, so a deleted threat's id is never handed out again).
    public func nextID(model: Model, retired: Set<String> = []) throws -> String {
        var numbers: [Int] = model.threats.compactMap { Model.idNumber($0.id) }
        var width = 4
        for path in try store.threatFilePaths(config: config) {
            let name = String(path.split(separator: "/").last ?? "")
            if let id = ThreatParser.idInFileName(name, prefix: config.idPrefix), let number = Model.idNumber(id) {
                numbers.append(number)
                width = max(width, id.count - config.idPrefix.count)
            }
        }
        for id in retired where id.hasPrefix(config.idPrefix) {
            if let number = Model.idNumber(id) { numbers.append(number) }
        }
        for threat in model.threats where threat.id.hasPrefix(config.idPrefix) {
            width = max(width, threat.id.count - config.idPrefix.count)
        }
        let next = (numbers.max() ?? 0) + 1
        return config.idPrefix + String(next).leftPadded(to: width)
    }

    /// Writes a new threat from `template`; returns its path relative to the model root.
    public func create(template: ThreatTemplate, request: ThreatTemplate.Request) throws -> String {
        let bytes: [UInt8]
        do {
            bytes = try template.instantiate(request)
        } catch {
            throw TMRepoError.editFailed(path: "template \(template.name)", reason: "\(error)")
        }
        let title = request.title ?? template.title
        let relative = config.threatsDirectory + request.id + "-" + ThreatTemplate.slug(title) + ".md"
        let absolute = store.absolute(relative)
        if FileSystem.exists(absolute) { throw TMRepoError.fileExists(relative) }
        try FileSystem.createDirectory(store.absolute(config.threatsDirectory))
        try FileSystem.writeAtomically(bytes, to: absolute)
        return relative
    }
}
