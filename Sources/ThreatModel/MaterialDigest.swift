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
            // Sorted by the encoded key (a stable sort: equal keys keep their order); the values
            // are encoded straight into `out`, after their keys.
            var keyed: [(key: [UInt8], value: YNode)] = []
            keyed.reserveCapacity(pairs.count)
            for pair in pairs {
                if let key = pair.key.string, ignoring.contains(key) { continue }
                var key: [UInt8] = []
                canonical(pair.key, into: &key)
                keyed.append((key, pair.value))
            }
            keyed.sort { $0.key.lexicographicallyPrecedes($1.key) }
            out.append(3)
            length(keyed.count)
            for (key, value) in keyed {
                out += key
                canonical(value, into: &out)
            }
        }
    }
}
