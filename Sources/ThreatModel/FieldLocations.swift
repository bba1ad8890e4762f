/// Where each top-level field of a file starts, kept as a list sorted by field name. A threat has
/// a dozen or so; reading 10k threats from the cache built a dictionary for each (hashing every
/// name), where appending to a list in the cache's order (already sorted) costs nothing. Lookups
/// happen only for diagnostics, and a binary search over a dozen names is as fast as a hash.
public struct FieldLocations: Hashable, Sendable, ExpressibleByDictionaryLiteral {
    /// Sorted by field, each field once.
    public private(set) var entries: [(field: String, location: SourceLocation)] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, SourceLocation)...) {
        for (field, location) in elements { self[field] = location }
    }

    public var count: Int { entries.count }

    public subscript(field: String) -> SourceLocation? {
        get {
            let at = position(of: field)
            return at < entries.count && entries[at].field == field ? entries[at].location : nil
        }
        set {
            // Fields usually arrive in order (the cache writes them sorted): appended at once.
            if let last = entries.last?.field, last < field {
                if let newValue { entries.append((field, newValue)) }
                return
            }
            let at = position(of: field)
            let present = at < entries.count && entries[at].field == field
            switch (present, newValue) {
            case (true, let value?): entries[at].location = value
            case (true, nil): entries.remove(at: at)
            case (false, let value?): entries.insert((field, value), at: at)
            case (false, nil): break
            }
        }
    }

    /// The first position whose field is not before `field`.
    private func position(of field: String) -> Int {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].field < field { low = mid + 1 } else { high = mid }
        }
        return low
    }

    public static func == (lhs: FieldLocations, rhs: FieldLocations) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.field == $1.field && $0.location == $1.location }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(entries.count)
        for entry in entries {
            hasher.combine(entry.field)
            hasher.combine(entry.location)
        }
    }
}
