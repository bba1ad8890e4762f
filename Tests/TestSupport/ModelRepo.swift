import Foundation

/// A threat-model git repository built with the git CLI, for history tests.
public final class ModelRepo: @unchecked Sendable {
    public let dir: TempDir
    public let git: GitDriver
    /// The model root inside the repository ("" or "sub/dir/").
    public let prefix: String

    public static let config = """
    review_cadence: {critical: 30d, high: 60d, medium: 90d, low: 180d, info: 365d}
    owners:
      team-a: [alice@example.com, bob@example.com]
    policy:
      independent_review: true

    """

    public init(prefix: String = "", config: String = ModelRepo.config) throws {
        dir = try TempDir("history")
        git = try GitDriver.initialize(dir.path)
        self.prefix = prefix
        try dir.write(prefix + ".tmrepo.yml", config)
    }

    public var root: String { prefix.isEmpty ? dir.path : dir.url(String(prefix.dropLast())) }

    /// A threat file's text.
    public static func threat(_ id: String, title: String = "A threat", severity: String = "high", status: String = "open",
                              owner: String = "team-a", reviewed: (String, String)? = nil,
                              mitigations: [(id: String, status: String, evidence: String, verified: String?)] = [],
                              body: String = "Body.") -> String {
        var lines = ["---", "id: \(id)", "title: \(title)", "stride: [spoofing]", "severity: \(severity)", "status: \(status)", "owner: \(owner)"]
        if let (on, by) = reviewed { lines += ["reviewed:", "  on: \(on)", "  by: \(by)"] }
        if !mitigations.isEmpty {
            lines.append("mitigations:")
            for mitigation in mitigations {
                lines += ["  - id: \(mitigation.id)", "    title: Mitigation \(mitigation.id)", "    status: \(mitigation.status)",
                          "    evidence: [\(mitigation.evidence)]"]
                if let verified = mitigation.verified { lines.append("    verified: \(verified)") }
            }
        }
        lines += ["---", "", body, ""]
        return lines.joined(separator: "\n")
    }

    public func write(_ path: String, _ text: String) throws { try dir.write(prefix + path, text) }
    public func writeRoot(_ path: String, _ text: String) throws { try dir.write(path, text) }
    public func remove(_ path: String) throws { try dir.remove(prefix + path) }

    /// Commits everything with the given message, ISO date and author email; returns the commit id.
    @discardableResult
    public func commit(_ message: String, _ date: String, by email: String = "alice@example.com") throws -> String {
        try git.commitAll(message, date: date, author: (email.components(separatedBy: "@")[0], email))
    }
}
