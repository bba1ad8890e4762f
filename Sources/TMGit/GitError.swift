import CLibgit2

/// A failed libgit2 call, with libgit2's own message read right after the call
/// (libgit2 keeps the last error per thread, so it must be read at once).
public struct GitError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        case notFound
        case exists
        case ambiguous
        case unbornBranch
        case bareRepository
        case locked
        case other(Int32)

        init(_ raw: Int32) {
            switch raw {
            case GIT_ENOTFOUND.rawValue: self = .notFound
            case GIT_EEXISTS.rawValue: self = .exists
            case GIT_EAMBIGUOUS.rawValue: self = .ambiguous
            case GIT_EUNBORNBRANCH.rawValue: self = .unbornBranch
            case GIT_EBAREREPO.rawValue: self = .bareRepository
            case GIT_ELOCKED.rawValue: self = .locked
            default: self = .other(raw)
            }
        }
    }

    public let code: Code
    /// What tmrepo was doing, e.g. "read tree 1a2b3c".
    public let operation: String
    /// libgit2's message, or a generic one when it gave none.
    public let message: String

    public init(code: Code, operation: String, message: String) {
        self.code = code
        self.operation = operation
        self.message = message
    }

    public var description: String { "\(operation): \(message)" }
}

/// Turns a libgit2 return code into a thrown `GitError`; returns the code when it is not negative.
@discardableResult
func check(_ result: Int32, _ operation: @autoclosure () -> String) throws -> Int32 {
    guard result < 0 else { return result }
    let message: String
    if let last = git_error_last(), let text = last.pointee.message {
        message = String(cString: text)
    } else {
        message = "libgit2 error \(result)"
    }
    throw GitError(code: .init(result), operation: operation(), message: message)
}
