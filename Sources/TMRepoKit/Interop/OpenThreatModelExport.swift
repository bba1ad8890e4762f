import Foundation
import ThreatModel

/// OTM export: the model as an OTM 0.2.0 document (valid against the OTM JSON schema).
extension OpenThreatModel {
    /// The document for the model, and what could not be exported (reported, never dropped silently).
    public static func export(model: Model, name: String, sidecar: Sidecar?) -> (JSON, [String]) {
        let sidecar = sidecar ?? Sidecar()
        var notes: [String] = []
        let elements = model.elements ?? []
        let elementIDs = Set(elements.map(\.id))

        // Trust zones: those the sidecar remembers that elements still name, then one per other
        // trust_boundary value, then a default zone for elements without one.
        var zones: [Sidecar.Zone] = []
        func zoneID(for boundary: String?) -> String {
            guard let boundary else {
                if !zones.contains(where: { $0.id == defaultZoneID }) {
                    zones.append(.init(id: defaultZoneID, name: "Default", type: nil, trustRating: 50))
                }
                return defaultZoneID
            }
            if let zone = zones.first(where: { $0.name == boundary || $0.id == boundary }) { return zone.id }
            let zone = sidecar.trustZones.first { $0.name == boundary || $0.id == boundary }
                ?? .init(id: "zone-" + ThreatTemplate.slug(boundary), name: boundary, type: nil, trustRating: 50)
            zones.append(zone)
            return zone.id
        }

        // Mitigations: an imported one keeps its OTM id (and is listed once however many threats
        // share it); others get `<threat id>.<mitigation id>`.
        var mitigations: [(String, JSON)] = []
        func mitigationID(_ threat: Threat, _ mitigation: Mitigation) -> String {
            // A shared mitigation of the catalog (`ref:`) is one OTM mitigation, whatever threats reference it.
            let shared = mitigation.ref != nil || (sidecar.mitigations[mitigation.id] != nil && sidecar.threats[threat.id] != nil)
            let id = shared ? mitigation.id : threat.id + "." + mitigation.id
            if !mitigations.contains(where: { $0.0 == id }) {
                let facts = sidecar.mitigations[mitigation.id]
                var pairs: [(String, JSON)] = [("id", .string(id)), ("name", .string(mitigation.title))]
                if shared, let description = facts?.description { pairs.append(("description", .string(description))) }
                pairs.append(("riskReduction", .int(shared ? facts?.riskReduction ?? 50 : 50)))
                var attributes: [(String, JSON)] = [("tmrepo:mitigation-id", .string(mitigation.id))]
                if let owner = mitigation.owner { attributes.append(("tmrepo:owner", .string(owner))) }
                if !mitigation.evidence.isEmpty { attributes.append(("tmrepo:evidence", .strings(mitigation.evidence))) }
                if let verified = mitigation.verified { attributes.append(("tmrepo:verified", .string(verified.description))) }
                pairs.append(("attributes", .object(attributes)))
                mitigations.append((id, .object(pairs)))
            }
            return id
        }

        // Threats, and the references each element carries.
        var threats: [JSON] = []
        var references: [String: [JSON]] = [:]
        for threat in model.threats {
            let facts = sidecar.threats[threat.id]
            let otmID = facts?.id ?? threat.id
            let severity = threat.severity ?? .medium
            let status = threat.status ?? .open
            let mitigationRefs: [JSON] = threat.mitigations.map { mitigation in
                .object([("mitigation", .string(mitigationID(threat, mitigation))),
                         ("state", .string(mitigationState(mitigation.status ?? .planned)))])
            }
            let mitigationIDs = threat.mitigations.map { mitigationID(threat, $0) }
            func reference(on element: String) -> JSON {
                var refs = mitigationRefs
                if let only = facts?.referenceMitigations?[element] {
                    refs = zip(mitigationIDs, mitigationRefs).filter { only.contains($0.0) }.map(\.1)
                }
                return .object([("threat", .string(otmID)), ("state", .string(threatState(status))), ("mitigations", .array(refs))])
            }
            var on: [String] = []
            if let element = threat.element {
                if elementIDs.contains(element) { on.append(element) } else {
                    notes.append("\(threat.id): element '\(element)' is not in \(InventoryParser.elementsFile); exported without a component reference")
                }
            }
            on += (facts?.alsoOn ?? []).filter { elementIDs.contains($0) && !on.contains($0) }
            for element in on { references[element, default: []].append(reference(on: element)) }

            // Keep the sidecar's risk numbers while they still give the threat's severity.
            var likelihood = 100, riskImpact = impact(severity)
            if let kept = facts?.impact, self.severity(impact: kept, likelihood: facts?.likelihood) == severity {
                riskImpact = kept
                likelihood = facts?.likelihood ?? 100
            }
            var pairs: [(String, JSON)] = [("id", .string(otmID)), ("name", .string(threat.title))]
            let description = threat.body.trimmingCharacters(in: .whitespacesAndNewlines)
            if !description.isEmpty { pairs.append(("description", .string(description))) }
            pairs.append(("categories", .strings(threat.stride.map(categoryName))))
            if let cwes = facts?.cwes { pairs.append(("cwes", .strings(cwes))) }
            pairs.append(("risk", .object([("likelihood", .int(likelihood)), ("impact", .int(riskImpact))])))
            let tags = threat.tags.filter { !$0.hasPrefix("category:") } + threat.tags.filter { $0.hasPrefix("category:") }
            if !tags.isEmpty { pairs.append(("tags", .strings(tags))) }
            var attributes: [(String, JSON)] = [("tmrepo:id", .string(threat.id)), ("tmrepo:severity", .string(severity.rawValue)),
                                                ("tmrepo:status", .string(status.rawValue))]
            if let owner = threat.owner { attributes.append(("tmrepo:owner", .string(owner))) }
            if on.isEmpty && !mitigationRefs.isEmpty { attributes.append(("tmrepo:mitigations", .array(mitigationRefs))) }
            pairs.append(("attributes", .object(attributes)))
            threats.append(.object(pairs))
        }

        // Components and flows.
        var components: [JSON] = []
        var dataflows: [JSON] = []
        for element in elements {
            let facts = sidecar.components[element.id]
            var tags = ["kind:" + element.kind.rawValue]
            if let resource = element.resource { tags.append("resource:" + resource.description) }
            tags += facts?.tags ?? []
            if element.kind == .dataFlow {
                guard let from = element.from, let to = element.to else {
                    notes.append("data flow '\(element.id)' has no \(element.from == nil ? "from" : "to") in \(InventoryParser.elementsFile); not exported (OTM flows need both ends)")
                    continue
                }
                for end in [from, to] where !elementIDs.contains(end) {
                    notes.append("data flow '\(element.id)': '\(end)' is not an element; exported as it is")
                }
                var pairs: [(String, JSON)] = [("id", .string(element.id)), ("name", .string(element.name))]
                if let description = element.description { pairs.append(("description", .string(description))) }
                if let bidirectional = facts?.bidirectional { pairs.append(("bidirectional", .bool(bidirectional))) }
                pairs += [("source", .string(from)), ("destination", .string(to)), ("tags", .strings(tags))]
                pairs.append(("threats", .array(references[element.id] ?? [])))
                dataflows.append(.object(pairs))
            } else {
                let parent: JSON
                if let container = facts?.parentComponent, elementIDs.contains(container),
                   elements.first(where: { $0.id == container })?.kind != .dataFlow {
                    parent = .object([("component", .string(container))])
                } else {
                    parent = .object([("trustZone", .string(zoneID(for: element.trustBoundary)))])
                }
                var pairs: [(String, JSON)] = [("id", .string(element.id)), ("name", .string(element.name)),
                                               ("type", .string(facts?.type ?? element.kind.rawValue))]
                if let description = element.description { pairs.append(("description", .string(description))) }
                pairs += [("parent", parent), ("tags", .strings(tags)), ("threats", .array(references[element.id] ?? []))]
                components.append(.object(pairs))
            }
        }
        // Mitigations the sidecar remembers that no threat uses (OTM lists them at the top level too).
        for (id, facts) in sidecar.mitigations.sorted(by: { $0.key < $1.key }) where !mitigations.contains(where: { $0.0 == id }) {
            guard let name = facts.name else { continue }
            var pairs: [(String, JSON)] = [("id", .string(id)), ("name", .string(name))]
            if let description = facts.description { pairs.append(("description", .string(description))) }
            pairs.append(("riskReduction", .int(facts.riskReduction)))
            mitigations.append((id, .object(pairs)))
        }
        // Zones the sidecar remembers that no element names any more are still the project's.
        for zone in sidecar.trustZones where !zones.contains(where: { $0.id == zone.id }) { zones.append(zone) }

        let project = sidecar.project ?? Sidecar.Project(id: ThreatTemplate.slug(name).isEmpty ? "tmrepo-model" : ThreatTemplate.slug(name), name: name, description: nil)
        var projectPairs: [(String, JSON)] = [("name", .string(project.name)), ("id", .string(project.id))]
        if let description = project.description { projectPairs.append(("description", .string(description))) }
        let document = JSON.object([
            ("otmVersion", .string(version)),
            ("project", .object(projectPairs)),
            ("trustZones", .array(zones.map { zone in
                var pairs: [(String, JSON)] = [("id", .string(zone.id)), ("name", .string(zone.name))]
                if let type = zone.type { pairs.append(("type", .string(type))) }
                pairs.append(("risk", .object([("trustRating", .int(zone.trustRating))])))
                return .object(pairs)
            })),
            ("components", .array(components)),
            ("dataflows", .array(dataflows)),
            ("threats", .array(threats)),
            ("mitigations", .array(mitigations.map(\.1))),
        ])
        return (document, notes)
    }

    static let defaultZoneID = "tmrepo-default-zone"
}
