/// Threat ids compare without regard to letter case (`t-0042` in a trailer names `T-0042`):
/// this is the one place that decides how.
public enum ThreatID {
    /// The form two ids that name the same threat share. ASCII-only folding: ids are a prefix
    /// and digits, and a Unicode look-alike must not become another id.
    public static func key(_ id: String) -> String {
        guard id.utf8.contains(where: { $0 >= 97 && $0 <= 122 }) else { return id }   // most ids: nothing to fold
        return String(decoding: id.utf8.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }, as: UTF8.self)
    }

    public static func same(_ lhs: String, _ rhs: String) -> Bool { key(lhs) == key(rhs) }
}
