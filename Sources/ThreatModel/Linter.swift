/// Checks that need more than one file: duplicate ids, file names, references, owners.
public enum Linter {
    public static func crossCheck(threats: [Threat], config: ModelConfig, elements: [Element]?, assets: [Asset]?) -> [Diagnostic] {
        var out: [Diagnostic] = []
        func report(_ threat: Threat, _ field: String, _ level: Diagnostic.Level, _ rule: LintRule, _ message: String) {
            let at = threat.location(of: field)
            out.append(Diagnostic(path: threat.path, line: at.line, column: at.column, severity: level, rule: rule.rawValue, message: message))
        }
        // Indexed once, so the checks stay linear in the number of threats.
        let keys = threats.map { ThreatID.key($0.id) }
        var pathsByKey: [String: [String]] = [:]
        for (key, threat) in zip(keys, threats) { pathsByKey[key, default: []].append(threat.path) }
        let elementIDs = elements.map { Set($0.map(\.id)) }
        let assetIDs = assets.map { Set($0.map(\.id)) }
        for (key, threat) in zip(keys, threats) {
            if let paths = pathsByKey[key], paths.count > 1 {
                let elsewhere = paths.filter { $0 != threat.path }.sorted().joined(separator: ", ")
                report(threat, "id", .error, .duplicateId, "id: '\(threat.id)' is also used by \(elsewhere)")
            }
            let fileName = threat.path.lastIndex(of: "/").map { String(threat.path[threat.path.index(after: $0)...]) } ?? threat.path
            let named = ThreatParser.idInFileName(fileName, prefix: config.idPrefix)
            if named != threat.id, ThreatParser.isValidID(threat.id, prefix: config.idPrefix) {
                let hint = named.map { "starts with '\($0)'" } ?? "does not start with an id"
                report(threat, "id", .error, .idFilenameMismatch,
                       "id: '\(threat.id)' does not match the file name, which \(hint); name it \(threat.id)-<slug>.md")
            }
            if let elementIDs, let element = threat.element, !elementIDs.contains(element) {
                report(threat, "element", .error, .unknownElement, "element: '\(element)' is not defined in \(InventoryParser.elementsFile)")
            }
            if let assetIDs {
                for asset in threat.assets where !assetIDs.contains(asset) {
                    report(threat, "assets", .error, .unknownAsset, "assets: '\(asset)' is not defined in \(InventoryParser.assetsFile)")
                }
            }
            if let owner = threat.owner, !isKnownOwner(owner, config: config) {
                report(threat, "owner", .warning, .unknownOwner,
                       "owner: '\(owner)' is neither a team in \(ModelConfig.fileName) owners nor an email")
            }
            for mitigation in threat.mitigations {
                if let owner = mitigation.owner, !isKnownOwner(owner, config: config) {
                    report(threat, "mitigations", .warning, .unknownOwner,
                           "mitigations[\(mitigation.id)].owner: '\(owner)' is neither a team in \(ModelConfig.fileName) owners nor an email")
                }
            }
        }
        return out
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
