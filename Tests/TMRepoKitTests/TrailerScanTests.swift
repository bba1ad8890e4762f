import Testing
@testable import TMRepoKit

/// The cheap pre-scan for the trailer key, and the ids git's trailer rules then give.
struct TrailerScanTests {
    @Test(arguments: [
        ("Fix\n\nReviewed-threat: T-1", true), ("reviewed-threat: t-1", true), ("REVIEWED-THREAT: T-1", true),
        // An overlapping false start must not hide the real key.
        ("reviewed-threviewed-threat: T-1", true), ("rreviewed-threat", true),
        ("Reviewed threat: T-1", false), ("Review the threat", false), ("", false), ("reviewed-threa", false),
        ("Reviewed-thread: T-1", false),
    ])
    func findsTheTrailerKeyInAnyCase(message: String, expected: Bool) {
        #expect(HistoryWalker.mentionsReviewTrailer(message) == expected)
    }

    @Test(arguments: [
        ("Review\n\nReviewed-threat: T-1", ["T-1"]),
        ("Review\n\nReviewed-threat: T-1, T-2\nreviewed-threat: t-3", ["T-1", "T-2", "t-3"]),
        // Only the last paragraph holds trailers, as git reads them.
        ("Review\n\nReviewed-threat: T-1\n\nA closing remark.", []),
        // A subject line is not a trailer.
        ("Reviewed-threat: T-1", []),
        ("Review\n\nSigned-off-by: A <a@example.com>\nReviewed-threat: T-9", ["T-9"]),
        ("Review\n\nReviewed-threat:", []),
    ])
    func readsIdsTheWayGitReadsTrailers(message: String, expected: [String]) throws {
        #expect(try HistoryWalker.reviewedIDs(in: message) == expected)
    }
}
