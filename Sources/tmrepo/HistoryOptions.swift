import ArgumentParser
import Foundation
import ThreatModel
import TMRepoKit

/// Options of the commands that read git history.
struct HistoryOptions: ParsableArguments {
    @Option(help: "Evaluate as of this date or time (YYYY-MM-DD or ISO 8601); default: now. Makes answers reproducible.")
    var asOf: String?

    /// Seconds since 1970 for --as-of (or $TMREPO_AS_OF, which hooks and CI can set), or the clock.
    func moment() throws -> Int64 {
        try asOfMoment(asOf)
    }
}

/// The moment an `--as-of` value names; without one, $TMREPO_AS_OF, and without that the clock.
func asOfMoment(_ option: String?) throws -> Int64 {
    if let option { return try parseMoment(option, option: "--as-of") }
    if let text = ProcessInfo.processInfo.environment["TMREPO_AS_OF"], !text.isEmpty { return try parseMoment(text, option: "TMREPO_AS_OF") }
    return Int64(Date().timeIntervalSince1970)
}

/// A date (YYYY-MM-DD, midnight UTC) or ISO 8601 time from an option, with an error that names the option.
func parseMoment(_ text: String, option: String) throws -> Int64 {
    guard let parsed = ISOTime.parse(text) else {
        throw TMRepoError.invalidArgument("\(option) '\(text)' is not a date (YYYY-MM-DD) or an ISO 8601 time")
    }
    return parsed
}

extension ModelOptions {
    /// The model in git: found from the work tree, or (in a bare repository) at the repository's root.
    func location() throws -> ModelLocation {
        do {
            return try ModelLocation.find(store: try store())
        } catch TMRepoError.modelNotFound(let from) {
            // No model on disk: a bare repository holds it only in commits.
            if let location = try? ModelLocation.find(store: nil, prefix: root ?? ""), location.isBare {
                return location
            }
            throw TMRepoError.modelNotFound(searchedFrom: from)
        }
    }
}

extension StatusFormat: ExpressibleByArgument {}
