/// Other scanners' rules mapped to STRIDE, as docs/checks.md ("Scanner rules") documents them:
/// first every rule a built-in check lists as its equivalent takes that check's categories, then
/// the table below. A rule in neither is "not mapped": its findings are kept with no category.
public enum ScannerRules {
    /// Rules that no built-in check repeats, by the category of weakness they report.
    public static let table: [String: [StrideCategory]] = {
        var out: [String: [StrideCategory]] = [:]
        func map(_ ids: [String], _ categories: [StrideCategory]) { for id in ids { out[id] = categories } }
        // Logging and audit trails.
        map(["CKV_AWS_18", "CKV_AWS_35", "CKV_AWS_36", "CKV_AWS_66", "CKV_AWS_67", "CKV_AWS_73", "CKV_AWS_84", "CKV_AWS_86",
             "CKV_AWS_92", "CKV_AWS_252", "CKV_AWS_338", "W35", "W84", "W86", "AwsSolutions-S1", "AwsSolutions-APIG6",
             "AwsSolutions-CFR3", "AwsSolutions-ELB2"], [.repudiation])
        // Encryption at rest and in transit, key management.
        map(["CKV_AWS_107", "CKV_AWS_108", "CKV_AWS_7", "CKV_AWS_64", "CKV_AWS_158", "CKV_AWS_173", "CKV_AWS_149", "CKV_AWS_166",
             "CKV_AWS_160", "CKV_AWS_145", "W61", "W76", "W51", "AwsSolutions-S10", "AwsSolutions-SQS4", "AwsSolutions-SNS3",
             "AwsSolutions-DDB4", "AwsSolutions-SMG4", "AwsSolutions-KMS5"], [.informationDisclosure])
        // Availability: concurrency limits, dead-letter queues, recovery, caching.
        map(["CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_28", "CKV_AWS_120", "W92", "W58", "AwsSolutions-DDB3", "AwsSolutions-SQS3",
             "AwsSolutions-APIG2"], [.denialOfService])
        // Network placement and exposure.
        map(["CKV_AWS_117", "W89", "CKV_AWS_20", "CKV_AWS_57", "AwsSolutions-APIG3", "AwsSolutions-CFR1",
             "AwsSolutions-CFR2"], [.informationDisclosure, .tampering])
        // Code integrity and recovery from overwrites (signing, versioning).
        map(["CKV_AWS_272", "CKV_AWS_21"], [.tampering])
        // cfn-lint: deprecated runtimes (as TM-RUN-001).
        map(["W2531", "E2531", "W2533", "E2533"], Check.deprecatedRuntime.stride)
        return out
    }()

    /// The built-in check a scanner rule repeats, when one does.
    public static func equivalentCheck(_ rule: String) -> Check? { equivalentIndex[rule] }

    /// Scanner rule → the first built-in check that lists it.
    static let equivalentIndex: [String: Check] = {
        var out: [String: Check] = [:]
        for check in Check.allCases {
            for rule in check.equivalents.all where out[rule] == nil { out[rule] = check }
        }
        return out
    }()

    /// STRIDE categories of a scanner rule; nil when it is not mapped.
    public static func stride(_ rule: String) -> [StrideCategory]? {
        if let check = equivalentCheck(rule) { return check.stride }
        return table[rule]
    }

    /// SARIF level (or GitHub's `security-severity` score, preferred) → severity.
    public static func severity(level: String?, securitySeverity: Double?) -> Severity {
        if let score = securitySeverity {
            switch score {
            case 9...: return .critical
            case 7..<9: return .high
            case 4..<7: return .medium
            case 0.1..<4: return .low
            default: return .info
            }
        }
        switch level {
        case "error": return .high
        case "warning", nil: return .medium
        case "note": return .low
        default: return .info
        }
    }

    /// `Checkov` → `checkov`, `cfn-lint` stays, `cfn_nag` stays.
    public static func toolName(_ name: String) -> String {
        let lowered = name.lowercased()
        return lowered == "tmrepo" ? "tmrepo (imported)" : lowered
    }
}
