import Testing
@testable import ThreatModel

/// Dates and times are written digit by digit into a buffer; what is written reads back as the
/// same moment, in the fixed-width form, across the whole range a commit date may claim.
struct TimeFormatTests {
    @Test func formattedTimesReadBackAsTheSameMoment() {
        var state: UInt64 = 0x5EED
        let low = Day.earliest.unixTime, span = UInt64(Day.latest.unixTime + 86_399 - low)
        let fixed: [Int64] = [0, -1, 86_399, 86_400, 951_782_400, 1_767_225_599, Day.earliest.unixTime, Day.latest.unixTime + 86_399]
        var samples = fixed
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            samples.append(low + Int64((state >> 11) % span))
        }
        for time in samples {
            let text = ISOTime.format(time)
            #expect(text.utf8.count == 20 && text.hasSuffix("Z"), "\(time) → \(text)")
            #expect(ISOTime.parse(text) == time, "\(time) → \(text)")
            let day = Day(unixTime: time)
            #expect(Day(day.description) == day, "\(day.year)-\(day.month)-\(day.day) → \(day.description)")
        }
        #expect(ISOTime.format(0) == "1970-01-01T00:00:00Z")
        #expect(ISOTime.format(951_827_696) == "2000-02-29T12:34:56Z")
        #expect(Day(year: 7, month: 3, day: 9)!.description == "0007-03-09")
    }
}
