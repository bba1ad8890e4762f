import Foundation
import ThreatModel

/// Guesses the STRIDE categories of a threat that was imported without them, from the words of
/// its statement. The guess is marked (`tags: [stride-inferred]`) so lint warns until a person
/// confirms it by removing the tag. The table is documented in docs/interop.md.
public enum StrideInference {
    /// Lower-case patterns (regular expressions) per category, in STRIDE order.
    public static let keywords: [(StrideCategory, [String])] = [
        (.spoofing, ["impersonat", "spoof", "\\bforg(e|ed|es|er|ery|ing)\\b", "masquerad", "pretend(s|ing)? to be", "stolen credential", "hijack"]),
        (.tampering, ["tamper", "modif", "inject", "\\bdelet", "\\balter(s|ed|ing|ation)?\\b", "corrupt", "poison", "manipulat", "overwrit"]),
        (.repudiation, ["\\bdeny\\b", "\\bdenies\\b", "repudiat", "without (a )?trace", "cover (their|its|his|her) tracks", "untraceable"]),
        (.informationDisclosure, ["disclos", "leak", "exfiltrat", "eavesdrop", "intercept", "sniff", "\\bread\\b.{0,60}\\bdata\\b", "confidential"]),
        (.denialOfService, ["denial", "exhaust", "flood", "unavailab", "overload", "\\bdos\\b", "\\bddos\\b"]),
        (.elevationOfPrivilege, ["escalat", "privilege", "\\badmin", "bypass", "\\broot access"]),
    ]

    /// How a guess was made.
    public enum Basis: Equatable, Sendable {
        case keywords
        case impactedGoals
        case fallback
    }

    /// The fallback when neither the words nor the impacted goals say anything.
    public static let fallback: [StrideCategory] = [.tampering]

    /// The categories whose keywords occur in `text`, in STRIDE order.
    public static func categories(in text: String) -> [StrideCategory] {
        let lower = text.lowercased()
        return keywords.filter { _, patterns in
            patterns.contains { lower.range(of: $0, options: .regularExpression) != nil }
        }.map(\.0)
    }

    /// Confidentiality → information disclosure, integrity → tampering, availability → denial of service.
    public static func categories(forGoals goals: [String]) -> [StrideCategory] {
        let lower = Set(goals.map { $0.lowercased().trimmingCharacters(in: .whitespaces) })
        var out: [StrideCategory] = []
        if lower.contains("integrity") { out.append(.tampering) }
        if lower.contains("confidentiality") { out.append(.informationDisclosure) }
        if lower.contains("availability") { out.append(.denialOfService) }
        return out
    }

    /// Keywords first, then the impacted goals, then `fallback`.
    public static func infer(text: String, goals: [String]) -> ([StrideCategory], Basis) {
        let words = categories(in: text)
        if !words.isEmpty { return (words, .keywords) }
        let fromGoals = categories(forGoals: goals)
        if !fromGoals.isEmpty { return (fromGoals, .impactedGoals) }
        return (fallback, .fallback)
    }
}
