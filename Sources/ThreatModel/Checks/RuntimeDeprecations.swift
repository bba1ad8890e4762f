/// When each Lambda runtime is deprecated (no more security patches) and when AWS blocks
/// creating and then updating functions on it.
///
/// Source: AWS Lambda developer guide, "Lambda runtimes"
/// (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html), as carried in cfn-lint
/// 1.51.0's `data/AdditionalSpecs/LmbdRuntimeLifecycle.json`; read 2026-11-30. Update both the
/// table and `readOn` together. One correction to that file: .NET runtimes name `dotnet10` as
/// successor, since `dotnet9` is not a managed Lambda runtime (container images only).
public enum RuntimeDeprecations {
    public struct Entry: Sendable, Equatable {
        public var runtime: String
        public var deprecated: Day
        public var createBlocked: Day
        public var updateBlocked: Day
        public var successor: String?
    }

    public static let source = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"
    public static let readOn = Day("2026-11-30")!

    /// runtime, deprecated, create blocked, update blocked, successor.
    static let rows: [(String, String, String, String, String?)] = [
        ("dotnet6", "2024-12-20", "2026-06-01", "2026-07-01", "dotnet10"),
        ("dotnet8", "2026-11-10", "2026-12-10", "2027-01-11", "dotnet10"),
        ("dotnetcore1.0", "2019-06-27", "2019-06-30", "2019-07-30", "dotnet10"),
        ("dotnetcore2.0", "2019-05-30", "2019-04-30", "2019-05-30", "dotnet10"),
        ("dotnetcore2.1", "2022-01-05", "2022-01-05", "2022-04-13", "dotnet10"),
        ("dotnetcore3.1", "2023-04-03", "2023-04-03", "2023-05-03", "dotnet10"),
        ("go1.x", "2024-01-08", "2024-02-08", "2026-07-01", "provided.al2023"),
        ("java11", "2026-06-30", "2026-07-31", "2026-08-31", "java25"),
        ("java17", "2026-06-30", "2026-07-31", "2026-08-31", "java25"),
        ("java21", "2029-06-30", "2029-07-31", "2029-08-31", "java25"),
        ("java25", "2029-06-30", "2029-07-31", "2029-08-31", nil),
        ("java8", "2024-01-08", "2024-02-08", "2026-07-01", "java25"),
        ("java8.al2", "2026-06-30", "2026-07-31", "2026-08-31", "java25"),
        ("nodejs", "2016-08-30", "2016-09-30", "2016-10-31", "nodejs24.x"),
        ("nodejs10.x", "2021-07-30", "2021-07-30", "2022-02-14", "nodejs24.x"),
        ("nodejs12.x", "2023-03-31", "2023-03-31", "2023-04-30", "nodejs24.x"),
        ("nodejs14.x", "2023-12-04", "2024-01-09", "2026-07-01", "nodejs24.x"),
        ("nodejs16.x", "2024-06-12", "2026-06-01", "2026-07-01", "nodejs24.x"),
        ("nodejs18.x", "2025-09-01", "2026-06-01", "2026-07-01", "nodejs24.x"),
        ("nodejs20.x", "2026-04-30", "2026-06-01", "2026-07-01", "nodejs24.x"),
        ("nodejs22.x", "2027-04-30", "2027-06-01", "2027-07-01", "nodejs24.x"),
        ("nodejs24.x", "2028-04-30", "2028-06-01", "2028-07-01", nil),
        ("nodejs4.3", "2020-03-05", "2020-02-03", "2020-03-05", "nodejs24.x"),
        ("nodejs4.3-edge", "2020-03-05", "2019-03-31", "2019-04-30", "nodejs24.x"),
        ("nodejs6.10", "2019-08-12", "2019-07-12", "2019-08-12", "nodejs24.x"),
        ("nodejs8.10", "2020-03-06", "2020-02-04", "2020-03-06", "nodejs24.x"),
        ("provided", "2024-01-08", "2024-02-08", "2026-07-01", "provided.al2023"),
        ("provided.al2", "2026-06-30", "2026-07-31", "2026-08-31", "provided.al2023"),
        ("provided.al2023", "2029-06-30", "2029-07-31", "2029-08-31", nil),
        ("python2.7", "2021-07-15", "2021-07-15", "2022-05-30", "python3.14"),
        ("python3.10", "2026-06-30", "2026-07-31", "2026-08-31", "python3.14"),
        ("python3.11", "2026-06-30", "2026-07-31", "2026-08-31", "python3.14"),
        ("python3.12", "2028-10-31", "2028-11-30", "2029-01-10", "python3.14"),
        ("python3.13", "2029-06-30", "2029-07-31", "2029-08-31", "python3.14"),
        ("python3.14", "2029-06-30", "2029-07-31", "2029-08-31", nil),
        ("python3.6", "2022-07-18", "2022-07-18", "2022-08-29", "python3.14"),
        ("python3.7", "2023-12-04", "2024-01-09", "2026-03-09", "python3.14"),
        ("python3.8", "2024-10-14", "2026-06-01", "2026-07-01", "python3.14"),
        ("python3.9", "2025-12-15", "2026-06-01", "2026-07-01", "python3.14"),
        ("ruby2.5", "2021-07-30", "2021-07-30", "2022-03-31", "ruby3.4"),
        ("ruby2.7", "2023-12-07", "2024-01-09", "2026-07-01", "ruby3.4"),
        ("ruby3.2", "2026-03-31", "2026-06-01", "2026-07-01", "ruby3.4"),
        ("ruby3.3", "2027-03-31", "2027-04-30", "2027-05-31", "ruby3.4"),
        ("ruby3.4", "2028-03-31", "2028-04-30", "2028-05-31", nil),
    ]

    public static let table: [String: Entry] = {
        var out: [String: Entry] = [:]
        for (runtime, deprecated, create, update, successor) in rows {
            out[runtime] = Entry(runtime: runtime, deprecated: Day(deprecated)!, createBlocked: Day(create)!, updateBlocked: Day(update)!, successor: successor)
        }
        return out
    }()

    public static func entry(_ runtime: String) -> Entry? { table[runtime.lowercased()] }
}
