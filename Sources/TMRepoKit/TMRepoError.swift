import TMGit
import ThreatModel

/// Every failure a user can see, with the message they read and the exit code scripts rely on.
/// Exit codes (README, "Exit codes"): 0 ok, 1 findings, 2 usage/config/repository error,
/// 3 git history incomplete (shallow clone, missing objects).
public enum TMRepoError: Error, CustomStringConvertible {
    case modelNotFound(searchedFrom: String)
    case configInvalid([Diagnostic])
    case threatNotFound(String)
    case fileExists(String)
    case unknownTemplate(String, available: [String])
    case invalidArgument(String)
    case notAGitRepository(String)
    case emptyHistory
    case shallowClone(String)
    case missingObject(String)
    case git(GitError)
    case editFailed(path: String, reason: String)
    case io(path: String, reason: String)

    /// Values quoted from arguments, files and git are escaped: one message line cannot become
    /// several (a forged `::error` annotation in CI, say) or drive the terminal.
    public var description: String {
        let safe = TextEscaping.field
        switch self {
        case .modelNotFound(let from):
            return "no threat model found: no \(ModelConfig.fileName) in \(safe(from)) or any folder above it (run 'tmrepo init', or pass --root)"
        case .configInvalid(let diagnostics):
            return "the model's configuration is invalid:\n" + diagnostics.map { "  " + $0.formatted }.joined(separator: "\n")
        case .threatNotFound(let id):
            return "no threat with id '\(safe(id))' in this model"
        case .fileExists(let path):
            return "\(safe(path)) already exists (use --force to overwrite)"
        case let .unknownTemplate(name, available):
            return "no template named '\(safe(name))'; available: \(available.joined(separator: ", "))"
        case .invalidArgument(let message):
            return safe(message)
        case .notAGitRepository(let path):
            return "\(safe(path)) is not inside a git repository; history commands need one (git init, then commit the model)"
        case .emptyHistory:
            return "the repository has no commits yet; commit the threat model first"
        case .shallowClone(let path):
            return "\(safe(path)) is a shallow clone: review state and staleness need the full history. "
                + "Fetch it with 'git fetch --unshallow' (in GitHub Actions: actions/checkout with 'fetch-depth: 0')"
        case .missingObject(let what):
            return "the git history is incomplete: \(safe(what)) is missing from the object database "
                + "(a partial clone or a damaged repository); fetch the full history and try again"
        case .git(let error):
            return "git: \(safe("\(error)"))"
        case let .editFailed(path, reason):
            return "\(safe(path)): \(safe(reason))"
        case let .io(path, reason):
            return "\(safe(path)): \(safe(reason))"
        }
    }

    public var exitCode: Int32 {
        switch self {
        case .shallowClone, .missingObject: 3
        default: 2
        }
    }

    /// Maps a libgit2 failure that means "history is incomplete" to the dedicated error.
    static func from(_ error: GitError) -> TMRepoError {
        if error.code == .notFound, error.operation.hasPrefix("read ") || error.operation.hasPrefix("walk") {
            return .missingObject(error.operation.replacingOccurrences(of: "read ", with: ""))
        }
        return .git(error)
    }
}
