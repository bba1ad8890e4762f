/// A calendar date (`YYYY-MM-DD`) with no time of day or zone: what threat files write.
/// Arithmetic is done on days since 1970-01-01 (proleptic Gregorian), so no clock or
/// locale is involved and results are the same on every machine.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...Day.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The UTC day containing a moment given as seconds since 1970.
    /// Times outside years 1–9999 (a forged commit date, say) give the first or last day.
    public init(unixTime: Int64) {
        let days = Int(unixTime >= 0 ? unixTime / 86_400 : (unixTime / 86_400 - (unixTime % 86_400 == 0 ? 0 : 1)))
        self.init(daysSinceEpoch: days)
    }

    /// The first day of year 1 and the last of year 9999, as days since 1970-01-01.
    static let earliestDays = -719_162, latestDays = 2_932_896
    public static let earliest = Day(daysSinceEpoch: earliestDays)
    public static let latest = Day(daysSinceEpoch: latestDays)

    /// Saturates at years 1 and 9999, so arithmetic on any input stays in range and never traps.
    public init(daysSinceEpoch: Int) {
        // Howard Hinnant's civil_from_days.
        let z = min(max(daysSinceEpoch, Day.earliestDays), Day.latestDays) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        month = m
        day = d
    }

    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Midnight UTC at the start of this day, in seconds since 1970.
    public var unixTime: Int64 { Int64(daysSinceEpoch) * 86_400 }

    public func adding(days: Int) -> Day {
        let (sum, overflow) = daysSinceEpoch.addingReportingOverflow(days)
        return Day(daysSinceEpoch: overflow ? (days > 0 ? Int.max : Int.min) : sum)
    }

    /// Adds calendar months, clamping the day to the month's length (Jan 31 + 1m = Feb 28/29),
    /// and the result to years 1–9999.
    public func adding(months: Int) -> Day {
        let span = 12 * 10_000
        let total = min(max(year * 12 + (month - 1) + min(max(months, -span), span), 12), 9999 * 12 + 11)
        let y = total / 12, m = total % 12 + 1
        return Day(year: y, month: m, day: min(day, Day.daysIn(month: m, year: y)))!
    }

    public var description: String {
        String(unsafeUninitializedCapacity: 10) { buffer in
            write(into: buffer)
            return 10
        }
    }

    /// Writes `YYYY-MM-DD` into the first 10 bytes of `buffer` (reports print tens of thousands of
    /// dates: digits into a buffer, not interpolated strings).
    func write(into buffer: UnsafeMutableBufferPointer<UInt8>) {
        func digits(_ value: Int, _ width: Int, at start: Int) {
            var rest = value
            for position in stride(from: start + width - 1, through: start, by: -1) {
                buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
        }
        digits(year, 4, at: 0)
        buffer[4] = UInt8(ascii: "-")
        digits(month, 2, at: 5)
        buffer[7] = UInt8(ascii: "-")
        digits(day, 2, at: 8)
    }

    public static func < (lhs: Day, rhs: Day) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = Day(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a YYYY-MM-DD date: \(text)"))
        }
        self = parsed
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A review cadence or other span written as `30d`, `12w`, `6m` or `1y`.
public struct Cadence: Hashable, Sendable, CustomStringConvertible {
    public enum Unit: String, Sendable {
        case days = "d", weeks = "w", months = "m", years = "y"

        var maximumCount: Int {
            switch self {
            case .days: 36_525
            case .weeks: 5_218
            case .months: 12 * Cadence.maximumYears
            case .years: Cadence.maximumYears
            }
        }
    }

    public let count: Int
    public let unit: Unit

    /// The longest span tmrepo accepts, per unit: 100 years. Anything longer is a typo, and
    /// would push dates past the calendar tmrepo reads.
    public static let maximumYears = 100

    /// `count` is clamped to 0…100 years' worth, so arithmetic on any value stays in range.
    public init(count: Int, unit: Unit) {
        self.count = min(max(count, 0), unit.maximumCount)
        self.unit = unit
    }

    public enum ParseFailure: Error, Equatable { case notADuration, tooLong }

    /// Parses `<positive integer><d|w|m|y>` of at most 100 years.
    public static func parse(_ text: String) -> Result<Cadence, ParseFailure> {
        guard let last = text.last, let unit = Unit(rawValue: String(last)) else { return .failure(.notADuration) }
        let digits = text.dropLast()
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return .failure(.notADuration) }
        let significant = digits.drop { $0 == "0" }
        // More digits than any allowed count has: too long, without parsing a number that may not fit in Int.
        guard significant.count <= 6, let count = Int(significant.isEmpty ? "0" : String(significant)) else { return .failure(.tooLong) }
        guard count > 0 else { return .failure(.notADuration) }
        guard count <= unit.maximumCount else { return .failure(.tooLong) }
        return .success(Cadence(count: count, unit: unit))
    }

    public init?(_ text: String) {
        guard case .success(let cadence) = Cadence.parse(text) else { return nil }
        self = cadence
    }

    /// The day this cadence after `day` falls on (months and years are calendar months).
    public func after(_ day: Day) -> Day {
        switch unit {
        case .days: day.adding(days: count)
        case .weeks: day.adding(days: 7 * count)
        case .months: day.adding(months: count)
        case .years: day.adding(months: 12 * count)
        }
    }

    /// The day this cadence before `day` falls on.
    public func before(_ day: Day) -> Day {
        switch unit {
        case .days: day.adding(days: -count)
        case .weeks: day.adding(days: -7 * count)
        case .months: day.adding(months: -count)
        case .years: day.adding(months: -12 * count)
        }
    }

    public var description: String { "\(count)\(unit.rawValue)" }
}
