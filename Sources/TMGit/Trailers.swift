import CLibgit2

/// A `Key: value` line from the trailer block (the last paragraph) of a commit message.
public struct Trailer: Sendable, Equatable {
    public let key: String
    public let value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// Parses trailers the way git does (libgit2 implements git's interpret-trailers rules).
public func messageTrailers(_ message: String) throws -> [Trailer] {
    _ = libgit2Runtime   // callable before any repository is opened
    var array = git_message_trailer_array()
    try check(git_message_trailers(&array, message), "parse commit message trailers")
    defer { git_message_trailer_array_free(&array) }
    var out: [Trailer] = []
    for index in 0..<array.count {
        let trailer = array.trailers[index]
        out.append(Trailer(key: String(cString: trailer.key), value: String(cString: trailer.value)))
    }
    return out
}
