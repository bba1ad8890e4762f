/// A Markdown file with YAML front matter (threat files, catalog items), read up to its fields:
/// decoded, split, composed and found to be a mapping, or the one diagnostic that says why not.
/// The readers of each kind of file take it from there.
struct FrontMatterDocument {
    let root: YNode
    let pairs: [(key: String, keyNode: YNode, value: YNode)]
    let body: String
    let reader: YAMLReader

    /// What the messages call the file: `noun` ("threat file"), and what an empty front matter lacks.
    struct Wording {
        let noun: String
        let emptyHint: String
    }

    /// Why a file could not be read up to its fields.
    struct Unreadable: Error {
        let diagnostics: [Diagnostic]
    }

    static func read(path: String, bytes: [UInt8], wording: Wording) -> Result<FrontMatterDocument, Unreadable> {
        func fail(_ line: Int, _ rule: LintRule, _ message: String) -> Result<FrontMatterDocument, Unreadable> {
            .failure(Unreadable(diagnostics: [Diagnostic(path: path, line: line, column: line == 0 ? 0 : 1, rule: rule, severity: .error, message: message)]))
        }
        let source: SourceText
        switch SourceText.decode(bytes) {
        case .success(let decoded): source = decoded
        case .failure(.tooLarge(let size)):
            return fail(0, .fileTooLarge, "file is \(size) bytes; \(wording.noun)s are limited to \(Limits.maximumFileBytes) bytes")
        case .failure(.notUTF8(let offset, let line)):
            return fail(line, .notUtf8, "file is not valid UTF-8 (first bad byte at offset \(offset))")
        }
        let split: FrontMatterSplit
        switch FrontMatterSplit.split(source.text) {
        case .success(let found): split = found
        case .failure(.missing):
            return fail(1, .frontMatterMissing, "no front matter: a \(wording.noun) starts with a '---' line, then YAML, then '---'")
        case .failure(.unterminated(let line)):
            return fail(line, .frontMatterUnterminated, "front matter opened here is never closed with a '---' line")
        }
        let reader = YAMLReader(path: path, lineOffset: split.yamlLineOffset)
        let root: YNode
        switch reader.compose(split.yaml) {
        case .failure(let diagnostic): return .failure(Unreadable(diagnostics: [diagnostic]))
        case .success(nil): return fail(2, .frontMatterEmpty, "front matter is empty; it needs at least \(wording.emptyHint)")
        case .success(let node?): root = node
        }
        guard let pairs = root.orderedPairs else {
            var fields = FieldReader(reader: reader)
            fields.error(root, .frontMatterNotMapping, "front matter must be a mapping of fields, found \(root.kindName)")
            return .failure(Unreadable(diagnostics: fields.diagnostics))
        }
        return .success(FrontMatterDocument(root: root, pairs: pairs, body: split.body, reader: reader))
    }
}
