/// What a threat file says, reduced to a digest of its parsed values: every front-matter field
/// but `reviewed`, then the body. YAML style (block, flow, JSON), key order, quoting and comments
/// do not change it; any change of a value does. SHA-256 (truncated to 128 bits), because the
/// merge gate decides "no material change" from it and a contributor must not be able to forge
/// a collision.
public struct MaterialDigest: Hashable, Sendable {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public static let none = MaterialDigest(high: 0, low: 0)

    /// The digest of a parsed front matter (`root`) and body, leaving out the top-level keys in `ignoring`.
    public init(frontMatter root: YNode, body: String, ignoring: Set<String> = ["reviewed"]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(body.utf8.count + 1024)
        Self.canonical(root, ignoring: ignoring, into: &bytes)
        bytes.append(0xFF)
        bytes.append(contentsOf: body.utf8)
        let digest = ContentHash.sha256(bytes)
        func word(_ offset: Int) -> UInt64 { digest[offset..<offset + 8].reduce(0) { $0 << 8 | UInt64($1) } }
        self.init(high: word(0), low: word(8))
    }

    /// A self-delimiting encoding of a node's value: null, scalar text, lists in order, mappings
    /// sorted by key (key order carries no meaning).
    private static func canonical(_ node: YNode, ignoring: Set<String> = [], into out: inout [UInt8]) {
        func length(_ count: Int) {
            var value = UInt64(count)
            for _ in 0..<8 {
                out.append(UInt8(value & 0xFF))
                value >>= 8
            }
        }
        if node.isNullScalar {
            out.append(0)
            return
        }
        switch node {
        case .scalar(let text, _, _):
            out.append(1)
            length(text.utf8.count)
            out.append(contentsOf: text.utf8)
        case .sequence(let items, _):
            out.append(2)
            length(items.count)
            for item in items { canonical(item, into: &out) }
        case .mapping(let pairs, _):
            var encoded: [([UInt8], [UInt8])] = []
            for pair in pairs {
                if let key = pair.key.string, ignoring.contains(key) { continue }
                var key: [UInt8] = [], value: [UInt8] = []
                canonical(pair.key, into: &key)
                canonical(pair.value, into: &value)
                encoded.append((key, value))
            }
            encoded.sort { $0.0.lexicographicallyPrecedes($1.0) }
            out.append(3)
            length(encoded.count)
            for (key, value) in encoded {
                out += key
                out += value
            }
        }
    }
}
