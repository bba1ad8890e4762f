/// How bad a threat is. Declared from worst to mildest, so `<` means "more severe".
public enum Severity: String, CaseIterable, Sendable, Comparable, Codable {
    case critical, high, medium, low, info

    public var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

public enum ThreatStatus: String, CaseIterable, Sendable, Codable {
    case open, mitigated, accepted, transferred, closed

    /// Open and mitigated threats are still being worked on and need an owner.
    public var needsOwner: Bool { self == .open || self == .mitigated }
}

/// The six STRIDE categories, in the order of the acronym.
public enum StrideCategory: String, CaseIterable, Sendable, Codable {
    case spoofing
    case tampering
    case repudiation
    case informationDisclosure = "information-disclosure"
    case denialOfService = "denial-of-service"
    case elevationOfPrivilege = "elevation-of-privilege"

    /// The category's letter in "STRIDE".
    public var letter: String {
        switch self {
        case .spoofing: "S"
        case .tampering: "T"
        case .repudiation: "R"
        case .informationDisclosure: "I"
        case .denialOfService: "D"
        case .elevationOfPrivilege: "E"
        }
    }

    public var title: String {
        switch self {
        case .spoofing: "Spoofing"
        case .tampering: "Tampering"
        case .repudiation: "Repudiation"
        case .informationDisclosure: "Information disclosure"
        case .denialOfService: "Denial of service"
        case .elevationOfPrivilege: "Elevation of privilege"
        }
    }
}

public enum MitigationStatus: String, CaseIterable, Sendable, Codable {
    case planned, implemented, verified, dropped
}

/// The four kinds of element in a data-flow diagram, which decide the STRIDE categories that apply.
public enum ElementKind: String, CaseIterable, Sendable, Codable {
    case externalEntity = "external-entity"
    case process
    case dataStore = "data-store"
    case dataFlow = "data-flow"

    /// The classic STRIDE-per-element applicability table (Shostack / Microsoft SDL).
    public var applicableCategories: [StrideCategory] {
        switch self {
        case .externalEntity: [.spoofing, .repudiation]
        case .process: StrideCategory.allCases
        case .dataStore: [.tampering, .repudiation, .informationDisclosure, .denialOfService]
        case .dataFlow: [.tampering, .informationDisclosure, .denialOfService]
        }
    }
}

extension CaseIterable where Self: RawRepresentable, RawValue == String {
    /// "a, b, c" for error messages.
    static var choices: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
