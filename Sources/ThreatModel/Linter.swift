/// Checks that need more than one file: duplicate ids, file names, references, owners.
public enum Linter {
    public static func crossCheck(threats: [Threat], config: ModelConfig, elements: [Element]?, assets: [Asset]?) -> [Diagnostic] {
        var out: [Diagnostic] = []
        func report(_ index: Int, _ field: String, _ level: Diagnostic.Level, _ rule: LintRule, _ message: String) {
            let at = threats[index].location(of: field)
            out.append(Diagnostic(path: threats[index].path, line: at.line, column: at.column, severity: level, rule: rule.rawValue, message: message))
        }
        // Indexed once, so the checks stay linear in the number of threats.
        let keys = threats.map { ThreatID.key($0.id) }
        var uses: [String: Int] = [:]
        for key in keys { uses[key, default: 0] += 1 }
        var pathsByKey: [String: [String]] = [:]
        for index in threats.indices where uses[keys[index]]! > 1 { pathsByKey[keys[index], default: []].append(threats[index].path) }
        let elementIDs = elements.map { Set($0.map(\.id)) }
        let assetIDs = assets.map { Set($0.map(\.id)) }
        // Fields read in place (`threats[index].id`): a `Threat` is large, and copying each one
        // whole (every field's storage touched) cost more than the checks.
        for index in threats.indices {
            let id = threats[index].id, path = threats[index].path
            if let paths = pathsByKey[keys[index]] {
                let elsewhere = paths.filter { $0 != path }.sorted().joined(separator: ", ")
                report(index, "id", .error, .duplicateId, "id: '\(id)' is also used by \(elsewhere)")
            }
            let named = ThreatParser.idInFileName(fileName(path), prefix: config.idPrefix)
            if named != id, ThreatParser.isValidID(id, prefix: config.idPrefix) {
                let hint = named.map { "starts with '\($0)'" } ?? "does not start with an id"
                report(index, "id", .error, .idFilenameMismatch,
                       "id: '\(id)' does not match the file name, which \(hint); name it \(id)-<slug>.md")
            }
            if let elementIDs, let element = threats[index].element, !elementIDs.contains(element) {
                report(index, "element", .error, .unknownElement, "element: '\(element)' is not defined in \(InventoryParser.elementsFile)")
            }
            if let assetIDs {
                for asset in threats[index].assets where !assetIDs.contains(asset) {
                    report(index, "assets", .error, .unknownAsset, "assets: '\(asset)' is not defined in \(InventoryParser.assetsFile)")
                }
            }
            if let owner = threats[index].owner, !isKnownOwner(owner, config: config) {
                report(index, "owner", .warning, .unknownOwner,
                       "owner: '\(owner)' is neither a team in \(ModelConfig.fileName) owners nor an email")
            }
            for mitigation in threats[index].mitigations {
                if let owner = mitigation.owner, !isKnownOwner(owner, config: config) {
                    report(index, "mitigations", .warning, .unknownOwner,
                           "mitigations[\(mitigation.id)].owner: '\(owner)' is neither a team in \(ModelConfig.fileName) owners nor an email")
                }
            }
        }
        return out
    }

    /// The last component of a path.
    static func fileName(_ path: String) -> String {
        // Bytes when there is nothing but ASCII (where a "/" is always its own character).
        if path.utf8.allSatisfy({ $0 < 0x80 }) {
            guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
            return String(path.utf8[path.utf8.index(after: slash)...])!
        }
        return path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    }

    /// Data flows must connect elements that exist.
    public static func checkElements(_ elements: [Element]) -> [Diagnostic] {
        let ids = Set(elements.map(\.id))
        var out: [Diagnostic] = []
        for element in elements where element.kind == .dataFlow {
            for (field, end) in [("from", element.from), ("to", element.to)] {
                guard let end, !ids.contains(end) else { continue }
                out.append(Diagnostic(path: InventoryParser.elementsFile, line: element.line, column: 1, rule: .unknownFlowEnd,
                                      message: "element \(element.id): \(field): '\(end)' is not an element in \(InventoryParser.elementsFile)"))
            }
        }
        return out
    }

    /// An owner is a configured team, or an email (a person).
    public static func isKnownOwner(_ owner: String, config: ModelConfig) -> Bool {
        config.isKnownTeam(owner) || owner.utf8.contains(UInt8(ascii: "@"))
    }
}
