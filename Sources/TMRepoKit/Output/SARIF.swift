import ThreatModel

/// The one SARIF 2.1.0 writer: `tmrepo check` (gate findings) and `tmrepo scan` (vulnerability
/// findings) describe their rules and results with these values and render one log.
public enum SARIFWriter {
    public struct Rule {
        public var id: String
        public var name: String
        public var shortDescription: String
        public var fullDescription: String?
        /// Text and Markdown help (why and how to fix).
        public var help: (text: String, markdown: String)?
        public var helpUri: String?
        public var level: String
        public var properties: [(String, JSON)]

        public init(id: String, name: String, shortDescription: String, fullDescription: String? = nil,
                    help: (text: String, markdown: String)? = nil, helpUri: String? = nil, level: String, properties: [(String, JSON)] = []) {
            self.id = id
            self.name = name
            self.shortDescription = shortDescription
            self.fullDescription = fullDescription
            self.help = help
            self.helpUri = helpUri
            self.level = level
            self.properties = properties
        }
    }

    public struct Result {
        public var ruleId: String
        public var ruleIndex: Int
        public var level: String
        public var message: String
        /// Relative to the repository (`%SRCROOT%`).
        public var path: String
        public var line: Int
        public var partialFingerprints: [(String, String)]
        public var properties: [(String, JSON)]

        public init(ruleId: String, ruleIndex: Int, level: String, message: String, path: String, line: Int,
                    partialFingerprints: [(String, String)], properties: [(String, JSON)] = []) {
            self.ruleId = ruleId
            self.ruleIndex = ruleIndex
            self.level = level
            self.message = message
            self.path = path
            self.line = line
            self.partialFingerprints = partialFingerprints
            self.properties = properties
        }
    }

    /// SARIF `level` for a severity: critical and high are errors, medium a warning, low and info notes.
    public static func level(_ severity: Severity) -> String {
        switch severity {
        case .critical, .high: "error"
        case .medium: "warning"
        case .low, .info: "note"
        }
    }

    /// GitHub code scanning's `security-severity` score for a severity.
    public static func securitySeverity(_ severity: Severity) -> String {
        switch severity {
        case .critical: "9.5"
        case .high: "8.0"
        case .medium: "5.5"
        case .low: "3.0"
        case .info: "0.0"
        }
    }

    public static func log(tool: String = "tmrepo", rules: [Rule], results: [Result], automationId: String?) -> JSON {
        let ruleObjects = rules.map { rule -> JSON in
            var pairs: [(String, JSON)] = [
                ("id", .string(rule.id)), ("name", .string(rule.name)),
                ("shortDescription", .object([("text", .string(rule.shortDescription))])),
            ]
            if let full = rule.fullDescription { pairs.append(("fullDescription", .object([("text", .string(full))]))) }
            if let help = rule.help { pairs.append(("help", .object([("text", .string(help.text)), ("markdown", .string(help.markdown))]))) }
            if let uri = rule.helpUri { pairs.append(("helpUri", .string(uri))) }
            pairs.append(("defaultConfiguration", .object([("level", .string(rule.level))])))
            if !rule.properties.isEmpty { pairs.append(("properties", .object(rule.properties))) }
            return .object(pairs)
        }
        let resultObjects = results.map { result -> JSON in
            var pairs: [(String, JSON)] = [
                ("ruleId", .string(result.ruleId)), ("ruleIndex", .int(result.ruleIndex)), ("level", .string(result.level)),
                ("message", .object([("text", .string(result.message))])),
            ]
            var physical: [(String, JSON)] = [("artifactLocation", .object([("uri", .string(result.path)), ("uriBaseId", .string("%SRCROOT%"))]))]
            if result.line > 0 { physical.append(("region", .object([("startLine", .int(result.line))]))) }
            pairs.append(("locations", .array([.object([("physicalLocation", .object(physical))])])))
            pairs.append(("partialFingerprints", .object(result.partialFingerprints.map { ($0.0, .string($0.1)) })))
            if !result.properties.isEmpty { pairs.append(("properties", .object(result.properties))) }
            return .object(pairs)
        }
        var run: [(String, JSON)] = [
            ("tool", .object([("driver", .object([
                ("name", .string(tool)), ("version", .string(TMRepoVersion.current)),
                ("informationUri", .string("https://github.com/tmrepo/tmrepo")),
                ("rules", .array(ruleObjects)),
            ]))])),
        ]
        if let automationId { run.append(("automationDetails", .object([("id", .string(automationId))]))) }
        run.append(("results", .array(resultObjects)))
        return .object([
            ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")),
            ("version", .string("2.1.0")),
            ("runs", .array([.object(run)])),
        ])
    }
}
