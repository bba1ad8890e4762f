import Foundation
import Testing
@testable import ThreatModel

/// A harness, not a test: with TMREPO_TEMPLATE_SURVEY=DIR it reads every template below DIR
/// (files `looksLikeTemplate` accepts), discovers each, and prints how many parsed, how many
/// resources of each kind were found and which types were left unmapped. scripts/survey-templates.py
/// runs it; it is skipped otherwise. (Later: `tmrepo discover --format json` over the same folder.)
struct TemplateSurvey {
    static let directory = ProcessInfo.processInfo.environment["TMREPO_TEMPLATE_SURVEY"]

    @Test(.enabled(if: TemplateSurvey.directory != nil))
    func survey() throws {
        let root = try #require(Self.directory)
        let files = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).sorted()
        var candidates = 0, parsed = 0, resources = 0, flows = 0, elements = 0
        var failures: [String: Int] = [:], roles: [String: Int] = [:], unmapped: [String: Int] = [:], sources: [String: Int] = [:]
        var examples: [String] = []
        let start = Date()
        for file in files {
            let path = root + "/" + file
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = FileManager.default.contents(atPath: path) else { continue }
            let bytes = [UInt8](data)
            guard CloudFormationTemplate.looksLikeTemplate(path: file, bytes: bytes) else { continue }
            candidates += 1
            let result = CloudFormationTemplate.parse(path: file, bytes: bytes)
            guard let template = result.template else {
                let rule = result.diagnostics.first?.rule ?? "?"
                failures[rule, default: 0] += 1
                if examples.count < 15 { examples.append(result.diagnostics.first?.formatted ?? file) }
                continue
            }
            parsed += 1
            resources += template.resources.count
            let system = SystemDiscovery.discover(templates: [template])
            for role in system.roles.values { roles[role.map(\.description) ?? "unmapped", default: 0] += 1 }
            for item in system.unmapped { unmapped[item.type, default: 0] += 1 }
            for flow in system.flows { for source in flow.sources { sources[source.rawValue, default: 0] += 1 } }
            flows += system.flows.count
            elements += system.elements.count
            if ProcessInfo.processInfo.environment["TMREPO_TEMPLATE_SURVEY_VERBOSE"] != nil {
                print("== \(file)")
                for element in system.elements {
                    print("  \(element.kind.rawValue)\t\(element.id)\t[\(element.trustBoundary ?? "")]\t\(element.exposure ?? "")")
                }
                for flow in system.flows {
                    let via = flow.via.isEmpty ? "" : " via \(flow.via.joined(separator: ","))"
                    print("  \(flow.from) -> \(flow.to)\(via)\t\(flow.sources.map(\.rawValue).joined(separator: ","))")
                }
            }
        }
        func table(_ counts: [String: Int], limit: Int = 80) -> String {
            counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(limit).map { "    \($0.value)\t\($0.key)" }.joined(separator: "\n")
        }
        print("""
        template survey of \(root)
          candidates: \(candidates), parsed: \(parsed), not parsed: \(candidates - parsed)
        \(table(failures))
          resources: \(resources); by role:
        \(table(roles))
          elements (with implicit APIs, URLs, callers): \(elements), flows: \(flows); flow evidence:
        \(table(sources))
          unmapped types (\(unmapped.values.reduce(0, +)) resources, \(unmapped.count) types):
        \(table(unmapped))
          first unreadable:
        \(examples.map { "    " + $0 }.joined(separator: "\n"))
          seconds: \(String(format: "%.2f", Date().timeIntervalSince(start)))
        """)
    }
}
