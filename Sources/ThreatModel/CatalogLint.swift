extension Linter {
    /// Checks of the catalog against itself and the threats: ids unique and matching their file
    /// names, references from threats and links from assumptions that resolve, owners known.
    public static func checkCatalog(mitigations: [SharedMitigation], assumptions: [Assumption], threats: [Threat],
                                    config: ModelConfig) -> [Diagnostic] {
        var out: [Diagnostic] = []
        func report(_ path: String, _ at: SourceLocation, _ rule: LintRule, _ message: String) {
            out.append(Diagnostic(path: path, line: at.line, column: at.column, rule: rule, message: message))
        }
        let items: [(id: String, path: String, at: SourceLocation, kind: CatalogKind)] =
            mitigations.map { ($0.id, $0.path, $0.location(of: "id"), .mitigation) } + assumptions.map { ($0.id, $0.path, $0.location(of: "id"), .assumption) }
        var paths: [String: [String]] = [:]
        for item in items { paths[ThreatID.key(item.id), default: []].append(item.path) }
        for item in items {
            let others = (paths[ThreatID.key(item.id)] ?? []).filter { $0 != item.path }.sorted()
            if !others.isEmpty { report(item.path, item.at, .duplicateId, "id: '\(item.id)' is also used by \(others.joined(separator: ", "))") }
            let fileName = item.path.split(separator: "/").last.map(String.init) ?? item.path
            let named = ThreatParser.idInFileName(ThreatID.key(fileName), prefix: item.kind.idPrefix)
            if ThreatParser.isValidID(ThreatID.key(item.id), prefix: item.kind.idPrefix), named.map({ !ThreatID.same($0, item.id) }) ?? true {
                report(item.path, item.at, .idFilenameMismatch,
                       "id: '\(item.id)' does not match the file name; name it \(item.id)-<slug>.md")
            }
        }
        let mitigationKeys = Set(mitigations.map { ThreatID.key($0.id) })
        let threatKeys = Set(threats.map { ThreatID.key($0.id) })
        for threat in threats {
            var referenced = Set<String>()
            for mitigation in threat.mitigations {
                if let ref = mitigation.ref, !ref.isEmpty, !referenced.insert(ThreatID.key(ref)).inserted {
                    report(threat.path, threat.location(of: "mitigations"), .duplicateMitigationId, "mitigations: '\(ref)' is referenced twice")
                }
                guard let ref = mitigation.ref, !ref.isEmpty, !mitigationKeys.contains(ThreatID.key(ref)) else { continue }
                report(threat.path, threat.location(of: "mitigations"), .unknownReference,
                       "mitigations: ref '\(ref)' is not a shared mitigation in \(config.mitigationsDirectory)")
            }
        }
        for assumption in assumptions {
            for id in assumption.threats where !threatKeys.contains(ThreatID.key(id)) {
                report(assumption.path, assumption.location(of: "links"), .unknownReference, "links.threats: '\(id)' is not a threat of the model")
            }
            for id in assumption.mitigations where !mitigationKeys.contains(ThreatID.key(id)) {
                report(assumption.path, assumption.location(of: "links"), .unknownReference,
                       "links.mitigations: '\(id)' is not a shared mitigation in \(config.mitigationsDirectory)")
            }
        }
        let owned: [(String?, String, SourceLocation)] = mitigations.map { ($0.owner, $0.path, $0.location(of: "owner")) }
            + assumptions.map { ($0.owner, $0.path, $0.location(of: "owner")) }
        for (owner, path, at) in owned {
            if let owner, !isKnownOwner(owner, config: config) {
                report(path, at, .unknownOwner, "owner: '\(owner)' is neither a team in \(ModelConfig.fileName) owners nor an email")
            }
        }
        return out
    }
}
