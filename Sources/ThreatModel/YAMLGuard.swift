internal import CYaml

/// Limits on the shape of YAML in model files, checked on libyaml's event stream before any
/// tree is built. Anchors and aliases are refused outright: an alias bomb ("billion laughs")
/// is a few hundred bytes that composes into billions of nodes, and model files never need
/// them. Depth and node count are capped so that hostile nesting or sheer size costs bounded
/// time, memory and stack.
public enum YAMLLimits {
    public static let maximumDepth = 64
    public static let maximumNodes = 100_000

    public struct Refusal: Equatable, Sendable {
        /// 1-based, within the YAML text.
        public let line: Int
        public let column: Int
        public let rule: LintRule
        public let message: String
    }

    /// The first limit `yaml` breaks, or nil. Syntax errors are left to the composer, which
    /// reports them with its own wording.
    public static func check(_ yaml: String) -> Refusal? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(yaml.utf8)
        if bytes.isEmpty { return nil }
        return bytes.withUnsafeMutableBufferPointer { buffer -> Refusal? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var depth = 0, nodes = 0
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    // libyaml's own nesting cap can trip first, while it scans ahead in flow context.
                    let problem = parser.problem.map { String(cString: $0) } ?? ""
                    guard problem.contains("nesting level") else { return nil }
                    return Refusal(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1,
                                   rule: .yamlTooDeep, message: "YAML nested more than \(maximumDepth) levels deep")
                }
                defer { yaml_event_delete(&event) }
                let line = Int(event.start_mark.line) + 1, column = Int(event.start_mark.column) + 1
                func refuse(_ rule: LintRule, _ message: String) -> Refusal {
                    Refusal(line: line, column: column, rule: rule, message: message)
                }
                var anchor: UnsafeMutablePointer<yaml_char_t>?
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_ALIAS_EVENT:
                    return refuse(.yamlAlias, "YAML alias '*\(text(event.data.alias.anchor))': anchors and aliases are not allowed in model files (write the value out)")
                case YAML_SCALAR_EVENT:
                    anchor = event.data.scalar.anchor
                    nodes += 1
                case YAML_SEQUENCE_START_EVENT:
                    anchor = event.data.sequence_start.anchor
                    nodes += 1
                    depth += 1
                case YAML_MAPPING_START_EVENT:
                    anchor = event.data.mapping_start.anchor
                    nodes += 1
                    depth += 1
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    depth -= 1
                default:
                    break
                }
                if let anchor {
                    return refuse(.yamlAlias, "YAML anchor '&\(text(anchor))': anchors and aliases are not allowed in model files (write the value out)")
                }
                if depth > maximumDepth {
                    return refuse(.yamlTooDeep, "YAML nested more than \(maximumDepth) levels deep")
                }
                if nodes > maximumNodes {
                    return refuse(.yamlTooLarge, "YAML with more than \(maximumNodes) values")
                }
            }
        }
    }

    private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
    }

    private static func strlen(_ pointer: UnsafeMutablePointer<yaml_char_t>) -> Int {
        var count = 0
        while pointer[count] != 0 { count += 1 }
        return count
    }
}
