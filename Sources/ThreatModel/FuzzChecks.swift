import Yams

/// Properties the fuzzer (Fuzz/, scripts/fuzz.sh) and the mutation test check on any input.
/// Each returns a description of the first property broken, or nil; a crash is a failure too.
@_spi(Fuzzing) public enum FuzzChecks {
    /// Every check, on `bytes` read as a threat file, a config, the inventories and bare YAML.
    public static func all(_ bytes: [UInt8]) -> String? {
        threatFile(bytes) ?? modelFiles(bytes) ?? fastReaderAgreesWithLibyaml(String(decoding: bytes, as: UTF8.self)) ?? escaping(bytes)
    }

    /// Parsing never crashes; a file that parses cleanly can be reviewed, and the review reads back.
    public static func threatFile(_ bytes: [UInt8]) -> String? {
        let parsed = ThreatParser.parse(path: "threats/T-0001-x.md", bytes: bytes)
        if case .success(let decoded) = SourceText.decode(bytes), case .success(let split) = FrontMatterSplit.split(decoded.text),
           let mismatch = fastReaderAgreesWithLibyaml(split.yaml) {
            return mismatch
        }
        guard let threat = parsed.threat, parsed.diagnostics.isEmpty, var editor = try? ThreatFileEditor(bytes: bytes) else { return nil }
        let day = Day(year: 2026, month: 2, day: 3)!
        guard (try? editor.setReviewed(on: day, by: "fuzz@example.com")) != nil else { return nil }
        let again = ThreatParser.parse(path: "threats/T-0001-x.md", bytes: editor.bytes)
        guard let reread = again.threat else {
            return "a clean threat file no longer parses after setReviewed: \(again.diagnostics.map(\.formatted))"
        }
        if reread.reviewed?.on != day || reread.reviewed?.by != "fuzz@example.com" {
            return "setReviewed did not read back: \(String(describing: reread.reviewed))"
        }
        if reread.id != threat.id || reread.title != threat.title || reread.mitigations.map(\.id) != threat.mitigations.map(\.id) {
            return "setReviewed changed other fields"
        }
        return nil
    }

    /// The config and inventory readers never crash, whatever the text.
    public static func modelFiles(_ bytes: [UInt8]) -> String? {
        _ = ModelConfig.parse(bytes: bytes)
        _ = InventoryParser.parseElements(bytes: bytes)
        _ = InventoryParser.parseAssets(bytes: bytes)
        return nil
    }

    /// Whenever the fast reader answers, libyaml (through Yams) must build the same tree.
    public static func fastReaderAgreesWithLibyaml(_ yaml: String) -> String? {
        guard let fast = FastYAML.compose(yaml) else { return nil }
        // Inputs past the limits are refused before libyaml composes; the fast reader refuses them too.
        if let refusal = YAMLLimits.check(yaml) { return "the fast reader read YAML the limits refuse: \(refusal.message)" }
        let slow: YNode?
        do {
            slow = try Yams.compose(yaml: yaml).map(YNode.init)
        } catch {
            return "the fast reader read YAML libyaml rejects (\(error)): \(yaml.debugDescription.prefix(300))"
        }
        return fast == slow ? nil : "the fast reader's tree differs from libyaml's for \(yaml.debugDescription.prefix(300))"
    }

    /// Escaped text never holds a character a terminal would obey.
    public static func escaping(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        if TextEscaping.field(text).unicodeScalars.contains(where: TextEscaping.needsEscape) { return "field() left a control character" }
        if TextEscaping.multiline(text).unicodeScalars.contains(where: { TextEscaping.needsEscape($0) && $0 != "\n" && $0 != "\t" }) {
            return "multiline() left a control character"
        }
        let output = Array(TextEscaping.terminalOutput(text).unicodeScalars)
        for (index, scalar) in output.enumerated() where TextEscaping.needsEscape(scalar) && scalar != "\n" && scalar != "\t" {
            if scalar == "\r" && index + 1 < output.count && output[index + 1] == "\n" { continue }
            return "terminalOutput() left \(String(scalar.value, radix: 16))"
        }
        if case .success(let cadence) = Cadence.parse(text) { _ = cadence.after(Day.latest); _ = cadence.before(Day.earliest) }
        _ = Day(text)
        _ = ISOTime.parse(text)
        return nil
    }
}
