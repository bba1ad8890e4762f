import Yams

/// Parses YAML into Yams nodes and reports problems with *file* positions,
/// so every message points at the line a person sees in their editor.
struct YAMLReader {
    let path: String
    /// Added to libyaml's line numbers (front matter starts below the `---` line).
    let lineOffset: Int

    func compose(_ yaml: String) -> Result<YNode?, Diagnostic> {
        if let fast = FastYAML.compose(yaml) { return .success(fast) }
        // Before libyaml composes a tree: aliases would expand, and nesting would recurse.
        if let refusal = YAMLLimits.check(yaml) {
            return .failure(Diagnostic(path: path, line: refusal.line + lineOffset, column: refusal.column, severity: .error,
                                       rule: refusal.rule.rawValue, message: refusal.message))
        }
        do {
            return .success(try Yams.compose(yaml: yaml).map(YNode.init))
        } catch let error as YamlError {
            return .failure(diagnostic(for: error))
        } catch {
            return .failure(Diagnostic(path: path, line: 0, column: 0, severity: .error, rule: LintRule.yamlSyntax.rawValue,
                                       message: "YAML could not be read: \(error)"))
        }
    }

    private func diagnostic(for error: YamlError) -> Diagnostic {
        func make(_ mark: Mark?, _ text: String, rule: LintRule = .yamlSyntax) -> Diagnostic {
            Diagnostic(path: path, line: (mark?.line ?? 0) + (mark == nil ? 0 : lineOffset), column: mark?.column ?? 0,
                       severity: .error, rule: rule.rawValue, message: text)
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let contextText = context.map { " (\($0.text) at line \($0.mark.line + lineOffset))" } ?? ""
            return make(mark, "YAML syntax error: \(problem)\(contextText)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return make(context.mark, "duplicate key \(keys) in a mapping", rule: .duplicateKey)
        case let .reader(problem, _, _, _):
            return make(nil, "YAML could not be read: \(problem)")
        default:
            return make(nil, "YAML could not be read: \(error)")
        }
    }

    func location(_ node: YNode) -> SourceLocation {
        let mark = node.mark
        guard mark.line > 0 else { return .wholeFile }
        return SourceLocation(line: mark.line + lineOffset, column: mark.column)
    }
}

/// Reads typed fields out of one YAML mapping, collecting a diagnostic for each problem
/// instead of stopping at the first, with the field's name in every message.
struct FieldReader {
    let reader: YAMLReader
    /// "" at top level, or e.g. "mitigations[2]." for nested fields.
    let context: String
    private(set) var diagnostics: [Diagnostic] = []

    init(reader: YAMLReader, context: String = "") {
        self.reader = reader
        self.context = context
    }

    mutating func append(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    mutating func error(_ node: YNode, _ rule: LintRule, _ message: String) {
        let at = reader.location(node)
        diagnostics.append(Diagnostic(path: reader.path, line: at.line, column: at.column, rule: rule, severity: .error, message: message))
    }

    mutating func warning(_ node: YNode, _ rule: LintRule, _ message: String) {
        let at = reader.location(node)
        diagnostics.append(Diagnostic(path: reader.path, line: at.line, column: at.column, rule: rule, severity: .warning, message: message))
    }

    mutating func string(_ node: YNode, field: String) -> String? {
        guard let text = node.string, !node.isNullScalar else {
            error(node, .invalidType, "\(context)\(field): expected text, found \(node.isNullScalar ? "nothing" : node.kindName)")
            return nil
        }
        return text
    }

    mutating func singleLine(_ node: YNode, field: String) -> String? {
        guard let text = string(node, field: field) else { return nil }
        let trimmed = text.trimmingCharacters(in: " \t")
        if trimmed.isEmpty {
            error(node, .invalidValue, "\(context)\(field): must not be empty")
            return nil
        }
        if trimmed.utf8.contains(0x0A) {
            error(node, .invalidValue, "\(context)\(field): must be one line")
        }
        return trimmed
    }

    mutating func enumValue<E: RawRepresentable & CaseIterable>(_ node: YNode, field: String, as type: E.Type) -> E? where E.RawValue == String {
        guard let text = string(node, field: field) else { return nil }
        guard let value = E(rawValue: text) else {
            error(node, .invalidValue, "\(context)\(field): '\(text)' is not one of \(E.choices)")
            return nil
        }
        return value
    }

    /// A list of enum values (`[critical, high]`); each unknown one is an error naming the choices.
    mutating func enumList<E: RawRepresentable & CaseIterable>(_ node: YNode, field: String, as type: E.Type) -> [E]? where E.RawValue == String {
        guard let items = stringList(node, field: field) else { return nil }
        var values: [E] = []
        for (text, item) in items {
            if let value = E(rawValue: text) {
                values.append(value)
            } else {
                error(item, .invalidValue, "\(context)\(field): '\(text)' is not one of \(E.choices)")
            }
        }
        return values
    }

    /// A list of scalars; a single scalar is accepted as a list of one.
    mutating func stringList(_ node: YNode, field: String) -> [(String, YNode)]? {
        switch node {
        case .sequence(let sequence, _):
            var out: [(String, YNode)] = []
            for item in sequence {
                if let text = string(item, field: field) { out.append((text, item)) }
            }
            return out
        case .scalar where !node.isNullScalar:
            return string(node, field: field).map { [($0, node)] }
        default:
            if node.isNullScalar { return [] }
            error(node, .invalidType, "\(context)\(field): expected a list, found \(node.kindName)")
            return nil
        }
    }

    mutating func day(_ node: YNode, field: String) -> Day? {
        guard let text = string(node, field: field) else { return nil }
        guard let day = Day(text) else {
            error(node, .invalidDate, "\(context)\(field): '\(text)' is not a date (YYYY-MM-DD)")
            return nil
        }
        return day
    }

    mutating func cadence(_ node: YNode, field: String) -> Cadence? {
        guard let text = string(node, field: field) else { return nil }
        switch Cadence.parse(text) {
        case .success(let cadence):
            return cadence
        case .failure(.tooLong):
            error(node, .invalidDuration, "\(context)\(field): '\(text)' is longer than \(Cadence.maximumYears) years")
            return nil
        case .failure(.notADuration):
            error(node, .invalidDuration, "\(context)\(field): '\(text)' is not a duration (e.g. 30d, 12w, 6m, 1y)")
            return nil
        }
    }

    mutating func bool(_ node: YNode, field: String) -> Bool? {
        guard let text = string(node, field: field) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            error(node, .invalidValue, "\(context)\(field): '\(text)' is not true or false")
            return nil
        }
    }

    /// Warns about a key that looks like a misspelt known one; other unknown keys are kept silently.
    mutating func checkUnknown(_ key: String, keyNode: YNode, known: [String]) {
        guard !known.contains(key) else { return }
        // Lengths more than 2 apart cannot be within distance 2: skip the quadratic comparison (long hostile keys).
        if let close = known.first(where: { abs($0.count - key.count) <= 2 && editDistance($0, key) <= 2 }) {
            warning(keyNode, .unknownField, "\(context)\(key): unknown field; did you mean '\(close)'? (kept as is)")
        }
    }
}

/// Levenshtein distance, for "did you mean" hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        // A Character in `set` starts and ends with one of its bytes (all ASCII here); when
        // neither end byte is one, there is nothing to trim (the common case, and cheap).
        if let first = utf8.first, let last = utf8.last, first < 0x80, last < 0x80,
           !set.utf8.contains(first), !set.utf8.contains(last), first != 0x0D, last != 0x0A {
            return self
        }
        let chars = Set(set)
        var scalars = Substring(self)
        while let first = scalars.first, chars.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, chars.contains(last) { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
