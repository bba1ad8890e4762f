import Testing
@testable import TMRepoKit

struct TrailerScanTests {
    @Test(arguments: [
        ("Fix\\n\\nReviewed-threat: T-1", true), ("reviewed-threat: t-1", true), ("REVIEWED-THREAT: T-1", true),
        ("reviewed-threviewed-threat: T-1", true), ("rreviewed-threat", true), ("Reviewed threat: T-1", false),
        ("Review the threat", false), ("", false), ("reviewed-threa", false),
    ])
    func findsTheTrailerKeyInAnyCase(message: String, expected: Bool) {
        #expect(HistoryWalker.mentionsReviewTrailer(message.replacingOccurrences(of: "\\\\n", with: "\\n")) == expected)
    }
}
