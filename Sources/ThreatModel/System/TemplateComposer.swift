internal import CYaml

/// Reads template text (YAML or JSON — libyaml reads both) straight from libyaml's event stream
/// into `TemplateValue`s, in one pass that also enforces the hostile-input limits of `YAMLLimits`
/// (no anchors or aliases, depth ≤ 64, ≤ 100,000 values), resolves the intrinsic tags and keeps
/// start and end lines, which Yams' tree does not have.
struct TemplateComposer {
    let path: String

    struct Failure: Error {
        let diagnostic: Diagnostic
    }

    /// A collection being read. A class, so appending to the innermost one is in place (no
    /// copy per item: a 100,000-item list stays linear).
    private final class Frame {
        let isMapping: Bool
        var items: [TemplateValue] = []
        var entries: [TemplateEntry] = []
        /// Key → its line, for duplicate checks without a scan.
        var keys: [String: Int] = [:]
        var pendingKey: (text: String, line: Int, column: Int)?
        let tag: String?
        let line: Int
        let column: Int
        let flow: Bool
        var lastLine: Int

        init(isMapping: Bool, tag: String?, line: Int, column: Int, flow: Bool) {
            self.isMapping = isMapping
            self.tag = tag
            self.line = line
            self.column = column
            self.flow = flow
            self.lastLine = line
        }

        var wantsKey: Bool { isMapping && pendingKey == nil }
    }

    /// Lines that hold nothing but blanks or a comment, 1-based (index 0 unused): a folded
    /// scalar's end mark lies past them, and they are not part of it.
    private let blankOrComment: [Bool]

    init(path: String, text: String = "") {
        self.path = path
        var flags = [false]
        var onlyBlank = true, sawHash = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\n"):
                flags.append(onlyBlank || sawHash)
                onlyBlank = true
                sawHash = false
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): break
            case UInt8(ascii: "#") where onlyBlank: sawHash = true; onlyBlank = false
            default: onlyBlank = false
            }
        }
        flags.append(onlyBlank || sawHash)
        blankOrComment = flags
    }

    /// The document's root value, or nil for an empty document.
    func compose(_ text: String) -> Result<TemplateValue?, Diagnostic> {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            return .failure(error(0, 0, .yamlSyntax, "YAML reader could not start"))
        }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        if bytes.isEmpty { return .success(nil) }
        return bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            do {
                return .success(try run(&parser))
            } catch let failure as Failure {
                return .failure(failure.diagnostic)
            } catch {
                return .failure(self.error(0, 0, .yamlSyntax, "\(error)"))
            }
        }
    }

    private func error(_ line: Int, _ column: Int, _ rule: LintRule, _ message: String) -> Diagnostic {
        Diagnostic(path: path, line: line, column: column, rule: rule, message: message)
    }

    private func fail(_ line: Int, _ column: Int, _ rule: LintRule, _ message: String) -> Failure {
        Failure(diagnostic: error(line, column, rule, message))
    }

    private func run(_ parser: inout yaml_parser_t) throws -> TemplateValue? {
        var stack: [Frame] = []
        var root: TemplateValue?
        var nodes = 0
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else {
                let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
                let line = Int(parser.problem_mark.line) + 1, column = Int(parser.problem_mark.column) + 1
                if problem.contains("nesting level") {
                    throw fail(line, column, .yamlTooDeep, "YAML nested more than \(YAMLLimits.maximumDepth) levels deep")
                }
                var context = ""
                if let text = parser.context.map({ String(cString: $0) }) {
                    context = " (\(text) at line \(Int(parser.context_mark.line) + 1))"
                }
                throw fail(line, column, .yamlSyntax, "YAML syntax error: \(problem)\(context)")
            }
            defer { yaml_event_delete(&event) }
            let line = Int(event.start_mark.line) + 1, column = Int(event.start_mark.column) + 1
            let endLine = Self.lastLine(start: event.start_mark, end: event.end_mark)
            var finished: (value: TemplateValue, lastLine: Int)?
            switch event.type {
            case YAML_DOCUMENT_END_EVENT, YAML_STREAM_END_EVENT:
                return root
            case YAML_ALIAS_EVENT:
                throw fail(line, column, .yamlAlias, "YAML alias '*\(Self.text(event.data.alias.anchor))': anchors and aliases are not allowed in templates (write the value out)")
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                try refuseAnchor(scalar.anchor, line, column)
                nodes += 1
                try count(nodes, line, column)
                let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: Int(scalar.length)), as: UTF8.self)
                let plain = scalar.style == YAML_PLAIN_SCALAR_STYLE
                let tag = scalar.tag.map { Self.text($0) }
                // A key is always text; resolve scalars only as values.
                if let frame = stack.last, frame.wantsKey {
                    if let tag, !tag.hasPrefix("tag:yaml.org,2002:") {
                        throw fail(line, column, .templateUnknownTag, "tag '\(tag)' on a mapping key: keys must be plain text")
                    }
                    frame.pendingKey = (text, line, column)
                    frame.lastLine = max(frame.lastLine, endLine)
                    continue
                }
                var last = endLine
                if scalar.style == YAML_LITERAL_SCALAR_STYLE {
                    // The content's own lines: the end mark lies past trailing blank lines and comments.
                    let breaks = text.utf8.reduce(0) { $1 == 10 ? $0 + 1 : $0 }
                    last = line + breaks + (text.isEmpty || text.hasSuffix("\n") ? 0 : 1)
                } else if scalar.style == YAML_FOLDED_SCALAR_STYLE {
                    while last > line, last < blankOrComment.count, blankOrComment[last] { last -= 1 }
                }
                finished = (try Self.resolve(text, plain: plain, tag: tag, line: line, column: column, composer: self), last)
            case YAML_SEQUENCE_START_EVENT:
                let start = event.data.sequence_start
                try refuseAnchor(start.anchor, line, column)
                nodes += 1
                try count(nodes, line, column)
                try requireValuePosition(stack, line, column)
                stack.append(Frame(isMapping: false, tag: start.tag.map { Self.text($0) }, line: line, column: column,
                                   flow: start.style == YAML_FLOW_SEQUENCE_STYLE))
                try depth(stack.count, line, column)
                continue
            case YAML_MAPPING_START_EVENT:
                let start = event.data.mapping_start
                try refuseAnchor(start.anchor, line, column)
                nodes += 1
                try count(nodes, line, column)
                try requireValuePosition(stack, line, column)
                stack.append(Frame(isMapping: true, tag: start.tag.map { Self.text($0) }, line: line, column: column,
                                   flow: start.style == YAML_FLOW_MAPPING_STYLE))
                try depth(stack.count, line, column)
                continue
            case YAML_SEQUENCE_END_EVENT:
                guard let frame = stack.popLast() else { continue }
                let value = TemplateValue(.list(frame.items), line: frame.line, column: frame.column)
                finished = (try apply(frame.tag, to: value), frame.flow ? max(frame.lastLine, endLine) : frame.lastLine)
            case YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast() else { continue }
                let entries = frame.entries, tag = frame.tag, startLine = frame.line, startColumn = frame.column
                var value = TemplateValue(.map(entries), line: startLine, column: startColumn)
                if tag == nil, entries.count == 1, let only = entries.first,
                   Intrinsic.longForms.contains(only.key) || (only.key == "Condition" && only.value.kind.isText) {
                    value = TemplateValue(.intrinsic(name: only.key, argument: Intrinsic.normalized(name: only.key, argument: only.value)),
                                          line: startLine, column: startColumn)
                }
                finished = (try apply(tag, to: value), frame.flow ? max(frame.lastLine, endLine) : frame.lastLine)
            default:
                continue
            }
            guard let done = finished else { continue }
            if stack.isEmpty {
                root = done.value
            } else {
                try add(done.value, lastLine: done.lastLine, to: &stack)
            }
        }
    }

    private func refuseAnchor(_ anchor: UnsafeMutablePointer<yaml_char_t>?, _ line: Int, _ column: Int) throws {
        if let anchor {
            throw fail(line, column, .yamlAlias, "YAML anchor '&\(Self.text(anchor))': anchors and aliases are not allowed in templates (write the value out)")
        }
    }

    private func count(_ nodes: Int, _ line: Int, _ column: Int) throws {
        if nodes > YAMLLimits.maximumNodes {
            throw fail(line, column, .yamlTooLarge, "YAML with more than \(YAMLLimits.maximumNodes) values")
        }
    }

    private func depth(_ depth: Int, _ line: Int, _ column: Int) throws {
        if depth > YAMLLimits.maximumDepth {
            throw fail(line, column, .yamlTooDeep, "YAML nested more than \(YAMLLimits.maximumDepth) levels deep")
        }
    }

    private func requireValuePosition(_ stack: [Frame], _ line: Int, _ column: Int) throws {
        if let frame = stack.last, frame.wantsKey {
            throw fail(line, column, .invalidType, "a list or mapping used as a mapping key: keys must be text")
        }
    }

    private func add(_ value: TemplateValue, lastLine: Int, to stack: inout [Frame]) throws {
        guard let frame = stack.last else { return }
        frame.lastLine = max(frame.lastLine, lastLine)
        guard frame.isMapping else {
            frame.items.append(value)
            return
        }
        guard let key = frame.pendingKey else { return }
        if let first = frame.keys[key.text] {
            throw fail(key.line, key.column, .duplicateKey, "duplicate key '\(key.text)' in a mapping (first at line \(first))")
        }
        frame.keys[key.text] = key.line
        frame.entries.append(TemplateEntry(key: key.text, value: value, keyLine: key.line, keyColumn: key.column, lastLine: max(lastLine, key.line)))
        frame.pendingKey = nil
    }

    /// A collection's tag: an intrinsic (`!If [c, a, b]`, `!Sub [text, {vars}]`), a standard YAML tag, or an error.
    private func apply(_ tag: String?, to value: TemplateValue) throws -> TemplateValue {
        guard let tag, tag != "!", !tag.hasPrefix("tag:yaml.org,2002:") else { return value }
        guard let name = Intrinsic.shortForms[tag] else { throw unknownTag(tag, value.line, value.column) }
        return TemplateValue(.intrinsic(name: name, argument: Intrinsic.normalized(name: name, argument: value)), line: value.line, column: value.column)
    }

    func unknownTag(_ tag: String, _ line: Int, _ column: Int) -> Failure {
        fail(line, column, .templateUnknownTag,
             "unknown tag '\(tag)': not a CloudFormation intrinsic function (\(Intrinsic.shortForms.keys.sorted().joined(separator: " ")))")
    }

    private static func resolve(_ text: String, plain: Bool, tag: String?, line: Int, column: Int, composer: TemplateComposer) throws -> TemplateValue {
        if let tag, tag != "!" {
            if let name = Intrinsic.shortForms[tag] {
                let argument = TemplateValue(.string(text), line: line, column: column)
                return TemplateValue(.intrinsic(name: name, argument: Intrinsic.normalized(name: name, argument: argument)), line: line, column: column)
            }
            guard tag.hasPrefix("tag:yaml.org,2002:") else { throw composer.unknownTag(tag, line, column) }
            if tag.hasSuffix(":str") { return TemplateValue(.string(text), line: line, column: column) }
        } else if tag == "!" {
            return TemplateValue(.string(text), line: line, column: column)
        }
        guard plain else { return TemplateValue(.string(text), line: line, column: column) }
        let kind: TemplateValue.Kind
        switch text {
        case "", "~", "null", "Null", "NULL": kind = .null
        case "true", "True", "TRUE": kind = .bool(true)
        case "false", "False", "FALSE": kind = .bool(false)
        default: kind = isNumber(text) ? .number(text) : .string(text)
        }
        return TemplateValue(kind, line: line, column: column)
    }

    static func isNumber(_ text: String) -> Bool {
        var scalars = Substring(text).unicodeScalars[...]
        if let first = scalars.first, first == "-" || first == "+" { scalars = scalars.dropFirst() }
        var digits = 0, dots = 0, exponent = false
        var previous: Unicode.Scalar = " "
        for scalar in scalars {
            switch scalar {
            case "0"..."9": digits += 1
            case "." where !exponent: dots += 1
            case "e" where digits > 0 && !exponent, "E" where digits > 0 && !exponent: exponent = true
            case "-" where previous == "e" || previous == "E", "+" where previous == "e" || previous == "E": break
            default: return false
            }
            previous = scalar
        }
        return digits > 0 && dots <= 1 && previous != "e" && previous != "E"
    }

    /// The 1-based last line a node reaches: its end mark, or the line before when the end mark
    /// sits at the start of the next line (block scalars end there).
    private static func lastLine(start: yaml_mark_t, end: yaml_mark_t) -> Int {
        if end.column == 0 && end.line > start.line { return Int(end.line) }
        return Int(end.line) + 1
    }

    private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>) -> String {
        var count = 0
        while pointer[count] != 0 { count += 1 }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }
}

extension TemplateValue.Kind {
    var isText: Bool {
        if case .string = self { return true }
        return false
    }
}
