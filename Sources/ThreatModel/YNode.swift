import Yams

/// A position in YAML text (1-based line, column in Unicode scalars), as libyaml reports it.
public struct YMark: Hashable, Sendable {
    public let line: Int
    public let column: Int
}

/// A composed YAML node with positions. tmrepo's readers work on this tree, which comes either
/// from the fast reader below (the plain block style threat files are written in) or from
/// libyaml through Yams for everything else; both give the same tree for the same text.
public indirect enum YNode: Sendable, Equatable {
    public enum Style: Sendable, Equatable { case plain, singleQuoted, doubleQuoted, literal, folded }

    case scalar(String, Style, YMark)
    case mapping([YPair], YMark)
    case sequence([YNode], YMark)

    public var mark: YMark {
        switch self {
        case .scalar(_, _, let mark), .mapping(_, let mark), .sequence(_, let mark): mark
        }
    }

    public var string: String? {
        if case .scalar(let text, _, _) = self { return text }
        return nil
    }

    var orderedPairs: [(key: String, keyNode: YNode, value: YNode)]? {
        guard case .mapping(let pairs, _) = self else { return nil }
        return pairs.map { (key: $0.key.string ?? "", keyNode: $0.key, value: $0.value) }
    }

    var isNullScalar: Bool {
        guard case .scalar(let text, let style, _) = self else { return false }
        guard style == .plain else { return false }
        switch text {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    var kindName: String {
        switch self {
        case .scalar: "a single value"
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }

    /// Converts a Yams node (aliases become a scalar naming them, so they are reported, not followed).
    init(_ node: Node) {
        func mark(_ value: Mark?) -> YMark { YMark(line: value?.line ?? 0, column: value?.column ?? 0) }
        switch node {
        case .scalar(let scalar):
            let style: Style
            switch scalar.style {
            case .singleQuoted: style = .singleQuoted
            case .doubleQuoted: style = .doubleQuoted
            case .literal: style = .literal
            case .folded: style = .folded
            default: style = .plain
            }
            self = .scalar(scalar.string, style, mark(scalar.mark))
        case .mapping(let mapping):
            self = .mapping(mapping.map { YPair(key: YNode($0.key), value: YNode($0.value)) }, mark(mapping.mark))
        case .sequence(let sequence):
            self = .sequence(sequence.map { YNode($0) }, mark(sequence.mark))
        case .alias(let alias):
            self = .scalar("*" + alias.anchor.rawValue, .doubleQuoted, mark(alias.mark))
        }
    }
}

public struct YPair: Sendable, Equatable {
    public let key: YNode
    public let value: YNode
}
