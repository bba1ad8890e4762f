import Foundation
import ThreatModel

/// Reading an OTM document as hostile input: everything tmrepo maps is checked here, with the
/// JSON path of anything it cannot map; nothing is guessed silently.
extension OpenThreatModel {
    struct Document {
        struct Zone {
            let path: String, id: String, name: String, type: String?, trustRating: Int
        }

        struct MitigationRef {
            let path: String, id: String, status: MitigationStatus
        }

        struct ThreatRef {
            let path: String, threatID: String, status: ThreatStatus, mitigations: [MitigationRef]
        }

        struct Component {
            let path: String, id: String, name: String, type: String, description: String?
            let parentZone: String?, parentComponent: String?
            let tags: [String], threats: [ThreatRef]
        }

        struct Flow {
            let path: String, id: String, name: String, description: String?, source: String, destination: String
            let bidirectional: Bool?, tags: [String], threats: [ThreatRef]
        }

        struct Threat {
            let path: String, id: String, name: String, description: String?
            let categories: [String], cwes: [String], likelihood: Int?, impact: Int, tags: [String]
            let attributes: [String: Any]
        }

        struct Mitigation {
            let path: String, id: String, name: String, description: String?, riskReduction: Int
        }

        var project: Sidecar.Project
        var zones: [Zone] = []
        var components: [Component] = []
        var flows: [Flow] = []
        var threats: [Threat] = []
        var mitigations: [Mitigation] = []
        var notes: [String] = []
    }

    /// A JSON object with typed, path-naming accessors.
    struct Object {
        let path: String
        let values: [String: Any]

        init(_ value: Any?, at path: String) throws {
            guard let values = value as? [String: Any] else { throw InteropError(at: path, "expected an object") }
            self.path = path
            self.values = values
        }

        func has(_ key: String) -> Bool { values[key] != nil && !(values[key] is NSNull) }

        func text(_ key: String) throws -> String {
            guard let value = values[key], !(value is NSNull) else { throw InteropError(at: "\(path).\(key)", "required") }
            guard let text = value as? String else { throw InteropError(at: "\(path).\(key)", "expected text") }
            guard !InteropJSON.isBlank(text) else { throw InteropError(at: "\(path).\(key)", "is blank") }
            return text
        }

        /// A single line (ids, names of elements): line breaks are an error.
        func line(_ key: String) throws -> String {
            let value = try text(key).trimmingCharacters(in: .whitespaces)
            if value.contains(where: \.isNewline) { throw InteropError(at: "\(path).\(key)", "must be one line") }
            return value
        }

        func optionalText(_ key: String) throws -> String? {
            guard has(key) else { return nil }
            guard let text = values[key] as? String else { throw InteropError(at: "\(path).\(key)", "expected text") }
            return InteropJSON.isBlank(text) ? nil : text
        }

        func texts(_ key: String) throws -> [String] {
            guard has(key) else { return [] }
            guard let items = values[key] as? [Any] else { throw InteropError(at: "\(path).\(key)", "expected a list of text") }
            return try items.enumerated().compactMap { offset, item in
                if item is NSNull { return nil }
                guard let text = item as? String else { throw InteropError(at: "\(path).\(key)[\(offset)]", "expected text") }
                return text
            }
        }

        func objects(_ key: String) throws -> [Object] {
            guard has(key) else { return [] }
            guard let items = values[key] as? [Any] else { throw InteropError(at: "\(path).\(key)", "expected a list") }
            return try items.enumerated().compactMap { offset, item in
                try item is NSNull ? nil : Object(item, at: "\(path).\(key)[\(offset)]")
            }
        }

        /// A number from 0 to 100 (OTM ratings and risk), rounded.
        func rating(_ key: String, required: Bool) throws -> Int? {
            guard has(key) else {
                if required { throw InteropError(at: "\(path).\(key)", "required (a number from 0 to 100)") }
                return nil
            }
            guard let number = values[key] as? NSNumber, !(values[key] is String), number.doubleValue.isFinite,
                  (0...100).contains(number.doubleValue) else {
                throw InteropError(at: "\(path).\(key)", "'\(String(describing: values[key]!).prefix(40))' is not a number from 0 to 100")
            }
            return Int(number.doubleValue.rounded())
        }
    }

    /// Parses and checks a whole OTM document (JSON) before anything is planned.
    static func readDocument(_ data: Data) throws -> Document {
        let (raw, notes) = try InteropJSON.read(data, format: "Open Threat Model", options: .init())
        let root = try Object(raw, at: "$")
        guard let version = root.values["otmVersion"] as? String else {
            throw InteropError(at: "$.otmVersion", "required: not an Open Threat Model file")
        }
        guard version.hasPrefix("0.1.") || version.hasPrefix("0.2.") else {
            throw InteropError(at: "$.otmVersion", "unsupported OTM version '\(version.prefix(20))' (tmrepo reads 0.1 and 0.2)")
        }
        let project = try Object(root.values["project"], at: "$.project")
        var document = Document(project: Sidecar.Project(id: try project.line("id"), name: try project.line("name"),
                                                         description: try project.optionalText("description")))
        document.notes = notes

        var ids: [String: String] = [:]
        func unique(_ id: String, _ object: Object) throws {
            if let first = ids[id] { throw InteropError(at: object.path + ".id", "'\(id)' is also the id of \(first)") }
            ids[id] = object.path
        }
        for zone in try root.objects("trustZones") {
            let id = try zone.line("id")
            try unique(id, zone)
            let risk: Object? = try zone.has("risk") ? Object(zone.values["risk"], at: zone.path + ".risk") : nil
            document.zones.append(.init(path: zone.path, id: id, name: try zone.line("name"), type: try zone.optionalText("type"),
                                        trustRating: try risk?.rating("trustRating", required: false) ?? 50))
        }
        var threatIDs: [String: String] = [:]
        for threat in try root.objects("threats") {
            let id = try threat.line("id")
            if let first = threatIDs[id] { throw InteropError(at: threat.path + ".id", "'\(id)' is also the id of \(first)") }
            threatIDs[id] = threat.path
            let risk = try Object(threat.values["risk"], at: threat.path + ".risk")
            let attributes = (threat.values["attributes"] as? [String: Any]) ?? [:]
            document.threats.append(.init(path: threat.path, id: id, name: try threat.text("name"), description: try threat.optionalText("description"),
                                          categories: try threat.texts("categories"), cwes: try threat.texts("cwes"),
                                          likelihood: try risk.rating("likelihood", required: false), impact: try risk.rating("impact", required: true)!,
                                          tags: try threat.texts("tags"), attributes: attributes))
        }
        var mitigationIDs: [String: String] = [:]
        for mitigation in try root.objects("mitigations") {
            let id = try mitigation.line("id")
            if let first = mitigationIDs[id] { throw InteropError(at: mitigation.path + ".id", "'\(id)' is also the id of \(first)") }
            mitigationIDs[id] = mitigation.path
            document.mitigations.append(.init(path: mitigation.path, id: id, name: try mitigation.text("name"),
                                              description: try mitigation.optionalText("description"),
                                              riskReduction: try mitigation.rating("riskReduction", required: false) ?? 50))
        }

        func references(_ owner: Object) throws -> [Document.ThreatRef] {
            try owner.objects("threats").map { ref in
                let threatID = try ref.line("threat")
                guard threatIDs[threatID] != nil else { throw InteropError(at: ref.path + ".threat", "'\(threatID)' is not a threat of $.threats") }
                let state = try ref.text("state")
                guard let status = threatStates[state.lowercased().filter(\.isLetter)] else {
                    throw InteropError(at: ref.path + ".state", "'\(state.prefix(40))' is not a threat state tmrepo knows (exposed, mitigated, accepted, transferred, not-applicable and their usual spellings)")
                }
                let mitigations = try ref.objects("mitigations").map { item in
                    let mitigationID = try item.line("mitigation")
                    guard mitigationIDs[mitigationID] != nil else {
                        throw InteropError(at: item.path + ".mitigation", "'\(mitigationID)' is not a mitigation of $.mitigations")
                    }
                    let state = try item.text("state")
                    guard let status = mitigationStates[state.lowercased().filter(\.isLetter)] else {
                        throw InteropError(at: item.path + ".state", "'\(state.prefix(40))' is not a mitigation state tmrepo knows (required, recommended, implemented, verified, rejected and their usual spellings)")
                    }
                    return Document.MitigationRef(path: item.path, id: mitigationID, status: status)
                }
                return Document.ThreatRef(path: ref.path, threatID: threatID, status: status, mitigations: mitigations)
            }
        }

        let zoneIDs = Set(document.zones.map(\.id))
        let components = try root.objects("components")
        var componentIDs = Set<String>()
        for component in components {
            let id = try component.line("id")
            try unique(id, component)
            componentIDs.insert(id)
        }
        for component in components {
            let parent = try Object(component.values["parent"], at: component.path + ".parent")
            let zone = try parent.has("trustZone") ? parent.line("trustZone") : nil
            let parentComponent = try parent.has("component") ? parent.line("component") : nil
            if let zone, !zoneIDs.contains(zone) { throw InteropError(at: parent.path + ".trustZone", "'\(zone)' is not a trust zone of $.trustZones") }
            if let parentComponent, !componentIDs.contains(parentComponent) {
                throw InteropError(at: parent.path + ".component", "'\(parentComponent)' is not a component of $.components")
            }
            if zone == nil && parentComponent == nil { throw InteropError(at: parent.path, "names neither a trustZone nor a component") }
            document.components.append(.init(path: component.path, id: try component.line("id"), name: try component.line("name"),
                                             type: try component.line("type"), description: try component.optionalText("description"),
                                             parentZone: zone, parentComponent: parentComponent,
                                             tags: try component.texts("tags"), threats: try references(component)))
        }
        for flow in try root.objects("dataflows") {
            let id = try flow.line("id")
            try unique(id, flow)
            let bidirectional = flow.values["bidirectional"] as? Bool
            document.flows.append(.init(path: flow.path, id: id, name: try flow.line("name"), description: try flow.optionalText("description"),
                                        source: try flow.line("source"), destination: try flow.line("destination"),
                                        bidirectional: bidirectional, tags: try flow.texts("tags"), threats: try references(flow)))
        }
        return document
    }
}
