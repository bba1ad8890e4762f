import Testing
import Foundation
import TestSupport
@testable import ThreatModel

/// `system:` and the system policy keys in `.tmrepo.yml`.
struct SystemSettingsTests {
    @Test func readsTemplatesKindsAndPolicy() {
        let text = """
        system:
          templates: [template.yaml, "infra/**/*.yaml"]
          resource_kinds:
            AWS::Batch::JobQueue: data-flow
            Custom::AuditHook: none
        policy:
          block_unmodeled: [process, data-store]
          block_changed_elements: [critical]
        """
        let (config, problems) = ModelConfig.parse(bytes: Array(text.utf8))
        #expect(problems.isEmpty, "\(problems)")
        #expect(config.system.templates == ["template.yaml", "infra/**/*.yaml"])
        #expect(config.system.resourceKinds["AWS::Batch::JobQueue"] == .element(.dataFlow))
        #expect(config.system.resourceKinds["Custom::AuditHook"] == .supporting)
        #expect(config.system.resourceKinds["AWS::SQS::Queue"] == nil)
        #expect(config.policy.blockUnmodeled == [.process, .dataStore])
        #expect(config.policy.blockChangedElements == [.critical])
        #expect(ModelConfig().policy.blockUnmodeled.isEmpty && ModelConfig().system.templates.isEmpty)
    }

    @Test func reportsEachBadValueWithItsLine() {
        let text = """
        system:
          templates: [../elsewhere.yaml]
          resource_kinds:
            Queue: data-flow
            AWS::SQS::Queue: pipe
          templats: x
        policy:
          block_unmodeled: [lambda]
          block_changed_elements: [urgent]
        """
        let (_, problems) = ModelConfig.parse(bytes: Array(text.utf8))
        let byLine = Dictionary(grouping: problems, by: \.line)
        #expect(byLine[2]?.first?.message.contains("inside the model root") == true)
        #expect(byLine[4]?.first?.message.contains("not a resource type") == true)
        #expect(byLine[5]?.first?.message.contains("'pipe' is not one of") == true)
        #expect(byLine[6]?.first?.message.contains("did you mean 'templates'") == true)
        #expect(byLine[8]?.first?.message.contains("policy.block_unmodeled: 'lambda'") == true)
        #expect(byLine[9]?.first?.message.contains("policy.block_changed_elements: 'urgent'") == true)
    }
}

/// docs/system.md shows the resource table as it is in the code.
struct SystemDocumentationTests {
    @Test func theDocumentedTableIsTheBuiltInOne() throws {
        let text = try String(contentsOfFile: SourceTree.root + "/docs/system.md", encoding: .utf8)
        for (type, role) in ResourceMapping.defaultTable {
            let row = text.split(separator: "\n").first { $0.contains("`\(type)`") }
            #expect(row != nil, "\(type) is not in docs/system.md")
            let label = role.description == "none" ? "none (not an element)" : role.description
            #expect(row?.hasPrefix("| \(label) |") == true, "\(type) is documented in the wrong row")
        }
    }
}
