import Testing
@testable import ThreatModel

/// `discover` appends to elements.yml: what a person wrote stays byte for byte, the new entries
/// read back as the elements they were, in the list's own indentation.
struct ElementsFileEditorTests {
    static let refund = Element(id: "refund-function", kind: .process, name: "RefundFunction (AWS::Serverless::Function)",
                                resource: ResourceLink(path: "infra/template.yaml", logicalId: "RefundFunction"))
    static let queue = Element(id: "refund-queue", kind: .dataFlow, name: "Refunds: queue #1", from: "refund-function",
                               to: "ledger", resource: ResourceLink(path: "infra/template.yaml", logicalId: "RefundQueue"))

    func appended(_ text: String, _ elements: [Element] = [refund, queue]) throws -> String {
        String(decoding: try ElementsFileEditor.append(elements, to: Array(text.utf8)), as: UTF8.self)
    }

    func reread(_ text: String) -> [Element] {
        let (elements, problems) = InventoryParser.parseElements(bytes: Array(text.utf8))
        #expect(problems.isEmpty, "\(problems)")
        return elements
    }

    @Test func keepsEveryByteAndAppendsInTheListsIndentation() throws {
        let original = """
        # The shop's DFD — hand-written, keep my comments
        elements:
            -   id: api   # four-space list, content at 8
                kind: process
                name: 'API'

            # trailing comment inside the list
        assets_note: not ours
        """ + "\n"
        let result = try appended(original)
        // The original lines are all there, in order, unchanged.
        let kept = result.split(separator: "\n", omittingEmptySubsequences: false).filter { original.contains($0) }
        #expect(kept.joined(separator: "\n").count >= original.count - 1)
        #expect(result.hasPrefix(String(original.prefix(upTo: original.range(of: "# trailing")!.lowerBound))))
        #expect(result.contains("    -   id: refund-function\n        kind: process\n"))
        #expect(result.hasSuffix("assets_note: not ours\n"))
        let elements = reread(result)
        #expect(elements.map(\.id) == ["api", "refund-function", "refund-queue"])
        #expect(elements[1].resource == Self.refund.resource)
        #expect(elements[2].name == Self.queue.name && elements[2].from == "refund-function" && elements[2].to == "ledger")
    }

    @Test func appendsAtTheEndOfAListThatEndsTheFile() throws {
        let original = "elements:\n  - id: api\n    kind: process\n    name: API"  // no final newline
        let result = try appended(original, [Self.refund])
        #expect(result.hasPrefix(original + "\n"))
        #expect(reread(result).map(\.id) == ["api", "refund-function"])
    }

    @Test func startsAFileAndAnEmptyList() throws {
        #expect(reread(String(decoding: try ElementsFileEditor.append([Self.refund], to: nil), as: UTF8.self)).map(\.id) == ["refund-function"])
        let empty = "# nothing yet\nelements:\n"
        let result = try appended(empty, [Self.refund])
        #expect(result.hasPrefix(empty))
        #expect(reread(result).map(\.id) == ["refund-function"])
        // A bare list at the top level is a list too.
        #expect(reread(try appended("- id: api\n  kind: process\n", [Self.refund])).map(\.id) == ["api", "refund-function"])
    }

    @Test func keepsWindowsLineEndingsAndTheByteOrderMark() throws {
        let original: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("elements:\r\n  - id: api\r\n    kind: process\r\n".utf8)
        let result = try ElementsFileEditor.append([Self.refund], to: original)
        #expect(Array(result.prefix(original.count)) == original)
        let added = Array(result.dropFirst(original.count))
        let lineFeeds = added.indices.filter { added[$0] == 0x0A }
        #expect(!lineFeeds.isEmpty && lineFeeds.allSatisfy { $0 > 0 && added[$0 - 1] == 0x0D })
        #expect(String(decoding: result, as: UTF8.self).contains("  - id: refund-function\r\n    kind: process\r\n"))
    }

    @Test func refusesWhatItCannotExtendWithoutRewriting() {
        #expect(throws: ElementsFileEditor.EditError.self) { try appended("elements: [{id: a, kind: process}]\n") }
        #expect(throws: ElementsFileEditor.EditError.self) { try appended("assets:\n  - id: x\n") }
        #expect(throws: ElementsFileEditor.EditError.self) { try appended("elements: &a [1]\nother: *a\n") }
        #expect(throws: ElementsFileEditor.EditError.self) { try appended("elements:\n  - id: [unclosed\n") }
    }

    @Test func quotesHostileNames() throws {
        var hostile = Self.refund
        hostile.name = "name: with \"quotes\" #not-a-comment\nand a newline"
        let result = try appended("elements:\n  - id: api\n    kind: process\n", [hostile])
        #expect(reread(result).last?.name == "name: with \"quotes\" #not-a-comment and a newline")
    }

    @Test func resourceLinksAreCheckedWhenRead() {
        let (_, problems) = InventoryParser.parseElements(bytes: Array("elements:\n  - id: a\n    kind: process\n    resource: ../outside.yaml#Fn\n".utf8))
        #expect(problems.contains { $0.line == 4 && $0.message.contains("resource:") })
        #expect(ResourceLink(reference: "t.yaml") == nil && ResourceLink(reference: "#Fn") == nil && ResourceLink(reference: "a/t.yaml#Fn-1") == nil)
        #expect(ResourceLink(reference: "a/t.yaml#Fn1") == ResourceLink(path: "a/t.yaml", logicalId: "Fn1"))
    }
}
