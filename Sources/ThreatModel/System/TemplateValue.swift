/// A value in a CloudFormation or SAM template, the same whichever way it was written: YAML or
/// JSON, short-form intrinsic tags (`!GetAtt A.B`) or long form (`{"Fn::GetAtt": ["A", "B"]}`).
/// Each value keeps the line it starts on; equality and digests ignore positions.
public struct TemplateValue: Sendable, CustomStringConvertible {
    public indirect enum Kind: Sendable, Equatable {
        case string(String)
        /// A number as written (CloudFormation passes numbers on as text).
        case number(String)
        case bool(Bool)
        case null
        case list([TemplateValue])
        /// Keys in the order written (CloudFormation ignores the order; digests sort them).
        case map([TemplateEntry])
        /// `Ref`, `Condition` or `Fn::…`, with its argument as written in long form.
        case intrinsic(name: String, argument: TemplateValue)
    }

    public var kind: Kind
    /// 1-based line where the value starts; 0 when unknown.
    public var line: Int
    public var column: Int

    public init(_ kind: Kind, line: Int = 0, column: Int = 0) {
        self.kind = kind
        self.line = line
        self.column = column
    }

    public var string: String? {
        switch kind {
        case .string(let text), .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        default: nil
        }
    }

    public var list: [TemplateValue]? {
        if case .list(let items) = kind { return items }
        return nil
    }

    public var entries: [TemplateEntry]? {
        if case .map(let entries) = kind { return entries }
        return nil
    }

    /// The value under `key` in a map (the first, if a hostile file repeats it).
    public subscript(key: String) -> TemplateValue? {
        entries?.first(where: { $0.key == key })?.value
    }

    public var isNull: Bool { kind == .null }

    public var intrinsic: (name: String, argument: TemplateValue)? {
        if case .intrinsic(let name, let argument) = kind { return (name, argument) }
        return nil
    }

    /// True for `true`, `"true"` (any case) — template booleans are often written as strings.
    public var isTrue: Bool { string?.lowercased() == "true" }

    public var description: String { TemplateValue.render(self) }

    /// Compact one-line rendering, long form, for messages and tests.
    static func render(_ value: TemplateValue) -> String {
        switch value.kind {
        case .string(let text): "\"\(text)\""
        case .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        case .list(let items): "[" + items.map(render).joined(separator: ", ") + "]"
        case .map(let entries): "{" + entries.map { "\"\($0.key)\": " + render($0.value) }.joined(separator: ", ") + "}"
        case .intrinsic(let name, let argument): "{\"\(name)\": \(render(argument))}"
        }
    }
}

extension TemplateValue: Equatable {
    /// Same value, wherever it was written.
    public static func == (lhs: TemplateValue, rhs: TemplateValue) -> Bool { lhs.kind == rhs.kind }
}

public struct TemplateEntry: Sendable, Equatable {
    public var key: String
    public var value: TemplateValue
    /// Where the key is written (1-based).
    public var keyLine: Int
    public var keyColumn: Int
    /// The last line the entry's text reaches (its key through the end of its value).
    public var lastLine: Int

    public init(key: String, value: TemplateValue, keyLine: Int = 0, keyColumn: Int = 0, lastLine: Int = 0) {
        self.key = key
        self.value = value
        self.keyLine = keyLine
        self.keyColumn = keyColumn
        self.lastLine = lastLine
    }

    public static func == (lhs: TemplateEntry, rhs: TemplateEntry) -> Bool { lhs.key == rhs.key && lhs.value == rhs.value }
}

/// The intrinsic functions, by short-form tag and long-form name.
public enum Intrinsic {
    /// `!Tag` → long-form key. Every short form CloudFormation documents.
    public static let shortForms: [String: String] = [
        "!Ref": "Ref", "!Condition": "Condition",
        "!GetAtt": "Fn::GetAtt", "!Sub": "Fn::Sub", "!If": "Fn::If", "!Join": "Fn::Join", "!Select": "Fn::Select",
        "!FindInMap": "Fn::FindInMap", "!ImportValue": "Fn::ImportValue", "!Split": "Fn::Split", "!Base64": "Fn::Base64",
        "!GetAZs": "Fn::GetAZs", "!Cidr": "Fn::Cidr", "!Equals": "Fn::Equals", "!Not": "Fn::Not", "!And": "Fn::And",
        "!Or": "Fn::Or", "!Transform": "Fn::Transform", "!Length": "Fn::Length", "!ToJsonString": "Fn::ToJsonString",
    ]

    /// Long-form keys: a one-entry map with one of these keys is the function, not a map.
    public static let longForms: Set<String> = Set(shortForms.values)

    /// `!GetAtt A.B.C` and `Fn::GetAtt: A.B.C` mean `["A", "B.C"]`: the logical id ends at the first dot.
    static func normalized(name: String, argument: TemplateValue) -> TemplateValue {
        if name == "Fn::GetAtt", case .string(let text) = argument.kind, let dot = text.firstIndex(of: ".") {
            let parts = [String(text[..<dot]), String(text[text.index(after: dot)...])]
            return TemplateValue(.list(parts.map { TemplateValue(.string($0), line: argument.line, column: argument.column) }),
                                 line: argument.line, column: argument.column)
        }
        return argument
    }
}
