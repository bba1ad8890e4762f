import Foundation
import ThreatModel

/// OTM import: components and data flows become elements (appended to elements.yml, byte for
/// byte), threats become threat files, and what tmrepo has no field for goes into the sidecar.
extension OpenThreatModel {
    /// Plans the import of an OTM document (JSON). Throws, naming the JSON path, on anything it
    /// cannot map; plans nothing then.
    public static func planImport(_ data: Data, model: Model, elementsBytes: [UInt8]?, sidecar existing: Sidecar?,
                                  firstID: Int, idWidth: Int, owner: String?) throws -> ImportPlan {
        let document = try readDocument(data)
        let config = model.config
        var plan = ImportPlan()
        plan.notes = document.notes
        var sidecar = existing ?? Sidecar()
        if sidecar.project == nil { sidecar.project = document.project }

        // Trust zones: kept whole in the sidecar; elements name their zone in trust_boundary.
        let zonesByID = Dictionary(document.zones.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let duplicateNames = Set(Dictionary(grouping: document.zones, by: \.name).filter { $0.value.count > 1 }.keys)
        func boundary(_ zoneID: String) -> String {
            guard let zone = zonesByID[zoneID] else { return zoneID }
            return duplicateNames.contains(zone.name) ? zone.id : zone.name
        }
        for zone in document.zones {
            let kept = Sidecar.Zone(id: zone.id, name: boundary(zone.id) == zone.name ? zone.name : zone.id, type: zone.type, trustRating: zone.trustRating)
            if let index = sidecar.trustZones.firstIndex(where: { $0.id == zone.id }) {
                sidecar.trustZones[index] = kept
            } else {
                sidecar.trustZones.append(kept)
            }
            if kept.name != zone.name { plan.notes.append("trust zone '\(zone.id)': its name '\(zone.name)' is shared with another zone; elements name it by id") }
        }

        // Components and flows → elements.
        let existingIDs = Set((model.elements ?? []).map(\.id))
        let componentsByID = Dictionary(document.components.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func zoneOf(_ component: Document.Component) -> String? {
            var current: Document.Component? = component
            var seen = Set<String>()
            while let item = current, seen.insert(item.id).inserted {
                if let zone = item.parentZone { return zone }
                current = item.parentComponent.flatMap { componentsByID[$0] }
            }
            return nil
        }
        var elements: [Element] = []
        for component in document.components {
            var otherTags: [String] = []
            var resource: ResourceLink?
            for tag in component.tags {
                if tag.hasPrefix("kind:") && ElementKind(rawValue: String(tag.dropFirst(5))) != nil { continue }
                if tag.hasPrefix("resource:"), let link = ResourceLink(reference: String(tag.dropFirst(9))) { resource = link; continue }
                otherTags.append(tag)
            }
            sidecar.components[component.id] = Sidecar.Component(type: component.type, tags: otherTags.isEmpty ? nil : otherTags,
                                                                 parentComponent: component.parentComponent, bidirectional: nil)
            if existingIDs.contains(component.id) {
                plan.skipped.append((component.id, "element already in \(InventoryParser.elementsFile)"))
                continue
            }
            elements.append(Element(id: component.id, kind: kind(type: component.type, name: component.name, tags: component.tags),
                                    name: component.name, description: component.description,
                                    trustBoundary: zoneOf(component).map(boundary), resource: resource))
        }
        let knownEnds = Set(document.components.map(\.id)).union(existingIDs)
        for flow in document.flows {
            let tags = flow.tags.filter { !($0.hasPrefix("kind:") && ElementKind(rawValue: String($0.dropFirst(5))) != nil) }
            sidecar.components[flow.id] = Sidecar.Component(type: nil, tags: tags.isEmpty ? nil : tags, parentComponent: nil, bidirectional: flow.bidirectional)
            for (end, id) in [("source", flow.source), ("destination", flow.destination)] where !knownEnds.contains(id) {
                plan.notes.append("\(flow.path).\(end): '\(id)' is not a component; the flow keeps it as its \(end == "source" ? "from" : "to")")
            }
            if existingIDs.contains(flow.id) {
                plan.skipped.append((flow.id, "element already in \(InventoryParser.elementsFile)"))
                continue
            }
            elements.append(Element(id: flow.id, kind: .dataFlow, name: flow.name, description: flow.description, from: flow.source, to: flow.destination))
        }
        if !elements.isEmpty {
            do {
                let bytes = try ElementsFileEditor.append(elements, to: elementsBytes)
                plan.elementsFile = .init(path: InventoryParser.elementsFile, bytes: bytes)
            } catch {
                throw InteropError("\(error)")
            }
            plan.elementsAdded = elements.map(\.id)
        }

        // Threats: one file each, on the first component or flow that references it.
        var references: [String: [(owner: String, ref: Document.ThreatRef)]] = [:]
        for component in document.components { for ref in component.threats { references[ref.threatID, default: []].append((component.id, ref)) } }
        for flow in document.flows { for ref in flow.threats { references[ref.threatID, default: []].append((flow.id, ref)) } }
        let mitigationsByID = Dictionary(document.mitigations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for mitigation in document.mitigations {
            sidecar.mitigations[mitigation.id] = Sidecar.MitigationFacts(name: mitigation.name, description: mitigation.description, riskReduction: mitigation.riskReduction)
        }
        let imported = Dictionary(sidecar.threats.compactMap { key, facts in model.threat(id: key) != nil ? (facts.id, key) : nil },
                                  uniquingKeysWith: { first, _ in first })
        var next = firstID
        for threat in document.threats {
            if let existing = imported[threat.id] {
                plan.skipped.append((threat.id, "already imported as \(existing)"))
                continue
            }
            let id = config.idPrefix + String(next).leftPadded(to: idWidth)
            next += 1
            let refs = references[threat.id] ?? []
            var notes: [String] = []
            // Status and mitigations: from the references; without any, from tmrepo's own attributes.
            var status = refs.first?.ref.status ?? (threat.attributes["tmrepo:status"] as? String).flatMap(ThreatStatus.init(rawValue:)) ?? .open
            if Set(refs.map(\.ref.status)).count > 1 {
                notes.append("its references disagree on the state; took \(status.rawValue) from \(refs[0].ref.path)")
            }
            var mitigationRefs = refs.flatMap(\.ref.mitigations).map { ($0.id, $0.status) }
            if refs.isEmpty, let listed = threat.attributes["tmrepo:mitigations"] as? [[String: Any]] {
                mitigationRefs = listed.compactMap { item in
                    guard let mitigationID = item["mitigation"] as? String, mitigationsByID[mitigationID] != nil else { return nil }
                    return (mitigationID, (item["state"] as? String).flatMap { mitigationStates[$0.lowercased().filter(\.isLetter)] } ?? .planned)
                }
            }
            var seen = Set<String>()
            mitigationRefs = mitigationRefs.filter { seen.insert($0.0).inserted }
            if let kept = threat.attributes["tmrepo:status"] as? String, let exact = ThreatStatus(rawValue: kept), threatState(exact) == threatState(status) {
                status = exact
            }
            // STRIDE: the categories tmrepo knows; others are kept as tags; none → inferred and marked.
            var stride: [StrideCategory] = []
            var tags = threat.tags
            for name in threat.categories {
                if let found = category(name) {
                    if !stride.contains(found) { stride.append(found) }
                } else if !tags.contains("category:" + name) {
                    tags.append("category:" + name)
                }
            }
            stride = StrideCategory.allCases.filter(stride.contains)
            if stride.isEmpty {
                let (guessed, basis) = StrideInference.infer(text: threat.name + " " + (threat.description ?? ""), goals: [])
                stride = guessed
                notes.append("no STRIDE category; \(basis == .keywords ? "inferred \(guessed.map(\.letter).joined()) from its words" : "set to \(guessed.map(\.letter).joined())") and tagged \(ThreatParser.strideInferredTag)")
                if !tags.contains(ThreatParser.strideInferredTag) { tags.append(ThreatParser.strideInferredTag) }
            }
            let severity = (threat.attributes["tmrepo:severity"] as? String).flatMap(Severity.init(rawValue:))
                ?? self.severity(impact: threat.impact, likelihood: threat.likelihood)
            let threatOwner = (threat.attributes["tmrepo:owner"] as? String).flatMap { InteropJSON.isBlank($0) ? nil : $0 } ?? owner
            if threatOwner == nil && status.needsOwner { plan.ownerless.append(id) }
            if refs.count > 1 { notes.append("referenced by \(refs.count) components or flows; its element is \(refs[0].owner), the others are kept for the export") }
            var partial: [String: [String]] = [:]
            for (element, ref) in refs where Set(ref.mitigations.map(\.id)) != Set(mitigationRefs.map(\.0)) {
                partial[element] = ref.mitigations.map(\.id)
            }
            sidecar.threats[id] = Sidecar.ThreatFacts(id: threat.id, likelihood: threat.likelihood, impact: threat.impact,
                                                      cwes: threat.cwes.isEmpty ? nil : threat.cwes,
                                                      alsoOn: refs.count > 1 ? refs.dropFirst().map(\.owner) : nil,
                                                      referenceMitigations: partial.isEmpty ? nil : partial)

            func scalar(_ value: String) -> String { YAMLScalar.render(value) }
            func list(_ values: [String]) -> String { "[" + values.map { YAMLScalar.isPlainSafe($0) && !$0.contains(",") && !$0.contains(":") ? $0 : YAMLScalar.quoted($0) }.joined(separator: ", ") + "]" }
            let title = ThreatComposer.oneLine(threat.name, limit: .max)
            var lines = ["---", "id: \(id)", "title: \(scalar(title))", "stride: \(list(stride.map(\.rawValue)))"]
            if let element = refs.first?.owner { lines.append("element: \(scalar(element))") }
            lines += ["severity: \(severity.rawValue)", "status: \(status.rawValue)", "owner:" + (threatOwner.map { " " + scalar($0) } ?? "")]
            if !mitigationRefs.isEmpty {
                lines.append("mitigations:")
                for (mitigationID, mitigationStatus) in mitigationRefs {
                    let name = mitigationsByID[mitigationID].map { ThreatComposer.oneLine($0.name, limit: .max) } ?? mitigationID
                    lines += ["  - id: \(scalar(mitigationID))", "    title: \(scalar(name))", "    status: \(mitigationStatus.rawValue)"]
                }
            }
            if !tags.isEmpty { lines.append("tags: \(list(tags))") }
            lines.append("---")
            let body = threat.description.map { "\n" + $0.trimmingCharacters(in: .whitespacesAndNewlines) + "\n" } ?? ""
            let bytes = Array((lines.joined(separator: "\n") + "\n" + body).utf8)
            guard bytes.count <= Limits.maximumFileBytes else {
                throw InteropError(at: threat.path, "the threat file would be \(bytes.count) bytes, more than the \(Limits.maximumFileBytes) a threat file may hold")
            }
            plan.notes += notes.map { "\(id) (\(threat.path)): \($0)" }
            plan.threatFiles.append(.init(path: config.threatsDirectory + id + "-" + ThreatTemplate.slug(title) + ".md", bytes: bytes))
        }
        if sidecar != (existing ?? Sidecar()) {
            plan.sidecar = .init(path: sidecarPath, bytes: sidecar.encoded())
        }
        return plan
    }
}
