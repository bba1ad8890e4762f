/// Evidence paths and globs: `*` matches within one path segment, `?` one character,
/// `**` any number of segments. A pattern without wildcards also matches everything below it
/// when it names a folder (`services/authorizer` covers `services/authorizer/src/a.ts`; `.` the
/// whole repository).
public struct Glob: Hashable, Sendable {
    public let pattern: String
    private let segments: [Substring]

    public init(_ pattern: String) {
        var trimmed = pattern
        while trimmed.hasPrefix("./") { trimmed.removeFirst(2) }
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.pattern = trimmed
        // "." names the folder it is in, as for git (`src/auth/.` is `src/auth`; `.` the whole tree).
        segments = trimmed.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        let literal = segments.prefix { !$0.contains(where: { "*?[".contains($0) }) }
        literalPrefix = literal.joined(separator: "/")
        hasWildcards = literal.count < segments.count
        takesEverythingBelowPrefix = literal.count == segments.count || (literal.count == segments.count - 1 && segments.last == "**")
    }

    /// The folder every match lies in: the segments before the first wildcard ("" for the whole tree).
    public let literalPrefix: String

    /// Whether every path below the literal prefix matches (`dir`, `dir/**`, or a file path).
    public let takesEverythingBelowPrefix: Bool

    public let hasWildcards: Bool

    public func matches(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        if !hasWildcards {
            return parts.count >= segments.count && zip(parts, segments).allSatisfy { $0 == $1 }
        }
        return Self.match(segments[...], parts[...])
    }

    private static func match(_ pattern: ArraySlice<Substring>, _ path: ArraySlice<Substring>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == "**" {
            let rest = pattern.dropFirst()
            if rest.isEmpty { return true }
            var remaining = path
            while true {
                if match(rest, remaining) { return true }
                guard !remaining.isEmpty else { return false }
                remaining = remaining.dropFirst()
            }
        }
        guard let segment = path.first, matchSegment(Array(first.unicodeScalars)[...], Array(segment.unicodeScalars)[...]) else { return false }
        return match(pattern.dropFirst(), path.dropFirst())
    }

    private static func matchSegment(_ pattern: ArraySlice<Unicode.Scalar>, _ text: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        switch first {
        case "*":
            var remaining = text
            while true {
                if matchSegment(pattern.dropFirst(), remaining) { return true }
                guard !remaining.isEmpty else { return false }
                remaining = remaining.dropFirst()
            }
        case "?":
            return !text.isEmpty && matchSegment(pattern.dropFirst(), text.dropFirst())
        default:
            return text.first == first && matchSegment(pattern.dropFirst(), text.dropFirst())
        }
    }
}
