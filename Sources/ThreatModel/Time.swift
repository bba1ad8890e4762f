/// ISO 8601 times as the JSON contract writes them: `2026-08-14T09:30:00Z` (UTC, seconds).
public enum ISOTime {
    public static func format(_ unixTime: Int64) -> String {
        // Clamped to years 1–9999, like Day, so a forged commit time prints instead of trapping.
        let unixTime = min(max(unixTime, Day.earliest.unixTime), Day.latest.unixTime + 86_399)
        let day = Day(unixTime: unixTime)
        let seconds = Int(unixTime - day.unixTime)
        // `YYYY-MM-DDTHH:MM:SSZ`, written as bytes (see `Day.write(into:)`).
        return String(unsafeUninitializedCapacity: 20) { buffer in
            day.write(into: buffer)
            func pair(_ value: Int, at start: Int) {
                buffer[start] = UInt8(ascii: "0") + UInt8(value / 10)
                buffer[start + 1] = UInt8(ascii: "0") + UInt8(value % 10)
            }
            buffer[10] = UInt8(ascii: "T")
            pair(seconds / 3600, at: 11)
            buffer[13] = UInt8(ascii: ":")
            pair(seconds / 60 % 60, at: 14)
            buffer[16] = UInt8(ascii: ":")
            pair(seconds % 60, at: 17)
            buffer[19] = UInt8(ascii: "Z")
            return 20
        }
    }

    /// Parses `YYYY-MM-DD` (midnight UTC), `YYYY-MM-DDTHH:MM[:SS]` with `Z` or `±HH:MM`, or nil.
    public static func parse(_ text: String) -> Int64? {
        if let day = Day(text) { return day.unixTime }
        let parts = text.split(separator: "T", maxSplits: 1)
        guard parts.count == 2, let day = Day(String(parts[0])) else { return nil }
        var rest = Substring(parts[1])
        var offset = 0
        if rest.hasSuffix("Z") || rest.hasSuffix("z") {
            rest = rest.dropLast()
        } else if let sign = rest.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let zone = rest[rest.index(after: sign)...].split(separator: ":")
            guard zone.count == 2, let hours = Int(zone[0]), let minutes = Int(zone[1]),
                  (0...23).contains(hours), (0...59).contains(minutes) else { return nil }
            offset = (hours * 60 + minutes) * 60 * (rest[sign] == "-" ? -1 : 1)
            rest = rest[..<sign]
        } else {
            return nil
        }
        let clock = rest.split(separator: ":")
        guard clock.count == 2 || clock.count == 3, let h = Int(clock[0]), let m = Int(clock[1]),
              (0...23).contains(h), (0...59).contains(m) else { return nil }
        let s = clock.count == 3 ? Int(clock[2]) : 0
        guard let s, (0...60).contains(s) else { return nil }
        return day.unixTime + Int64(h * 3600 + m * 60 + s - offset)
    }
}
