/// What tmrepo reads from a SARIF 2.1.0 log written by any producer (checkov, cfn-lint,
/// cfn_nag, cdk-nag…): per run, the tool and its rules; per result, the rule, level, message
/// and first physical location.
public struct SARIFLog: Sendable, Equatable {
    public struct Rule: Sendable, Equatable {
        public var id: String
        public var name: String?
        public var shortDescription: String?
        public var helpUri: String?
        /// GitHub's `properties.security-severity` (0–10), when the producer sets it.
        public var securitySeverity: Double?
        public var level: String?
    }

    public struct Result: Sendable, Equatable {
        public var ruleId: String
        /// `error`, `warning`, `note` or `none` (the rule's default level when the result has none).
        public var level: String?
        public var message: String
        /// The artifact URI as written (`file:///…`, relative, with `%20`…).
        public var uri: String?
        public var line: Int
        /// Where in the log: `$.runs[0].results[3]`.
        public var jsonPath: String
    }

    public struct Run: Sendable, Equatable {
        public var tool: String
        public var version: String?
        public var rules: [String: Rule]
        public var results: [Result]
    }

    public var runs: [Run]
}

public struct SARIFError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    /// `$.runs[0].results[2].locations`, or the line and column of a syntax error.
    public var location: String
    public var message: String
    public var description: String { "\(path): \(location): \(message)" }
}

public enum SARIFReader {
    /// At most this many results per log are read (a larger log is refused, not truncated).
    public static let maximumResults = 200_000

    public static func parse(path: String, bytes: [UInt8], limits: BoundedJSON.Limits = .standard) throws(SARIFError) -> SARIFLog {
        let root: JSONValue
        do {
            root = try BoundedJSON.parse(bytes, limits: limits)
        } catch {
            throw SARIFError(path: path, location: error.line > 0 ? "line \(error.line), column \(error.column)" : "$", message: "not JSON: \(error.message)")
        }
        func fail(_ at: String, _ message: String) -> SARIFError { SARIFError(path: path, location: at, message: message) }
        guard root.isObject else { throw fail("$", "expected a SARIF log (an object), found \(root.kindName)") }
        if let version = root["version"] {
            guard version.string == "2.1.0" else { throw fail("$.version", "SARIF version \(version.string.map { "\"\($0)\"" } ?? version.kindName) is not 2.1.0") }
        } else {
            throw fail("$.version", "missing: a SARIF 2.1.0 log says \"version\": \"2.1.0\"")
        }
        guard let runs = root["runs"]?.array else {
            throw fail("$.runs", root["runs"] == nil ? "missing" : "expected an array, found \(root["runs"]!.kindName)")
        }
        var out: [SARIFLog.Run] = []
        var total = 0
        for (runIndex, run) in runs.enumerated() {
            let at = "$.runs[\(runIndex)]"
            guard run.isObject else { throw fail(at, "expected an object, found \(run.kindName)") }
            guard let driver = run["tool"]?["driver"], driver.isObject else { throw fail("\(at).tool.driver", "missing or not an object") }
            guard let name = driver["name"]?.string else { throw fail("\(at).tool.driver.name", "missing or not a string") }
            var rules: [String: SARIFLog.Rule] = [:]
            var ruleOrder: [String] = []
            if let list = driver["rules"] {
                guard let items = list.array else { throw fail("\(at).tool.driver.rules", "expected an array, found \(list.kindName)") }
                for (index, rule) in items.enumerated() {
                    guard let id = rule["id"]?.string else { throw fail("\(at).tool.driver.rules[\(index)].id", "missing or not a string") }
                    let severity = rule["properties"]?["security-severity"]
                    rules[id] = SARIFLog.Rule(
                        id: id, name: rule["name"]?.string, shortDescription: rule["shortDescription"]?["text"]?.string,
                        helpUri: rule["helpUri"]?.string, securitySeverity: severity?.string.flatMap(Double.init) ?? severity?.double,
                        level: rule["defaultConfiguration"]?["level"]?.string)
                    ruleOrder.append(id)
                }
            }
            var results: [SARIFLog.Result] = []
            if let list = run["results"] {
                guard let items = list.array else { throw fail("\(at).results", "expected an array, found \(list.kindName)") }
                total += items.count
                guard total <= maximumResults else { throw fail("\(at).results", "more than \(maximumResults) results") }
                for (index, result) in items.enumerated() {
                    let here = "\(at).results[\(index)]"
                    guard result.isObject else { throw fail(here, "expected an object, found \(result.kindName)") }
                    var ruleId = result["ruleId"]?.string ?? result["rule"]?["id"]?.string
                    if ruleId == nil, let ruleIndex = result["ruleIndex"]?.int ?? result["rule"]?["index"]?.int {
                        guard ruleOrder.indices.contains(ruleIndex) else { throw fail("\(here).ruleIndex", "\(ruleIndex) names no rule of the run") }
                        ruleId = ruleOrder[ruleIndex]
                    }
                    guard let ruleId else { throw fail("\(here).ruleId", "missing: a result must name its rule") }
                    if let level = result["level"], level.string == nil { throw fail("\(here).level", "expected a string, found \(level.kindName)") }
                    guard let message = result["message"] else { throw fail("\(here).message", "missing") }
                    let text = message["text"]?.string ?? message["markdown"]?.string ?? ""
                    var uri: String?
                    var line = 0
                    if let locations = result["locations"] {
                        guard let list = locations.array else { throw fail("\(here).locations", "expected an array, found \(locations.kindName)") }
                        if let physical = list.first?["physicalLocation"] {
                            if let artifact = physical["artifactLocation"], let value = artifact["uri"] {
                                guard let text = value.string else { throw fail("\(here).locations[0].physicalLocation.artifactLocation.uri", "expected a string, found \(value.kindName)") }
                                uri = text
                            }
                            if let start = physical["region"]?["startLine"] {
                                guard let number = start.int, number >= 0 else { throw fail("\(here).locations[0].physicalLocation.region.startLine", "expected a line number, found \(start.kindName)") }
                                line = number
                            }
                        }
                    }
                    results.append(SARIFLog.Result(ruleId: ruleId, level: result["level"]?.string ?? rules[ruleId]?.level, message: text,
                                                   uri: uri, line: line, jsonPath: here))
                }
            }
            out.append(SARIFLog.Run(tool: name, version: driver["semanticVersion"]?.string ?? driver["version"]?.string, rules: rules, results: results))
        }
        return SARIFLog(runs: out)
    }
}

/// Turns a scanner's SARIF results into findings on the templates: each result goes to the
/// resource whose span holds its line, and through it to the element; its rule to STRIDE by
/// `ScannerRules`. Results outside every template or resource are kept, with no resource.
public enum SARIFImport {
    public static func findings(_ log: SARIFLog, templates: [CloudFormationTemplate], system: DiscoveredSystem?) -> [VulnerabilityFinding] {
        var elements: [ResourceLink: String] = [:]
        for element in system?.elements ?? [] {
            if let link = element.resource { elements[link] = element.id }
        }
        var scans: [String: TemplateScan] = [:]
        // Resources by first line, per template, for a binary search per result (logs can hold 200,000 results).
        var spans: [String: [TemplateResource]] = [:]
        var out: [VulnerabilityFinding] = []
        for run in log.runs {
            let tool = ScannerRules.toolName(run.tool)
            for result in run.results {
                let rule = run.rules[result.ruleId]
                let template = result.uri.flatMap { match(uri: $0, templates: templates) }
                var logicalId: String?
                var type: String?
                var element: String?
                if let template, result.line > 0 {
                    // The innermost resource whose span holds the line (spans do not nest, but be safe).
                    let sorted = spans[template.path] ?? {
                        let made = template.resources.sorted { $0.lines.lowerBound < $1.lines.lowerBound }
                        spans[template.path] = made
                        return made
                    }()
                    if let resource = Self.resource(holding: result.line, in: sorted) {
                        logicalId = resource.logicalId
                        type = resource.type
                        let scan = scans[template.path] ?? {
                            let made = TemplateScan(template: template, elements: elements, today: .earliest)
                            made.collectRoles()
                            scans[template.path] = made
                            return made
                        }()
                        element = scan.element(for: resource.logicalId)
                    }
                }
                let stride = ScannerRules.stride(result.ruleId)
                out.append(VulnerabilityFinding(
                    tool: tool, rule: result.ruleId, severity: ScannerRules.severity(level: result.level, securitySeverity: rule?.securitySeverity),
                    stride: stride ?? [], strideMapped: stride != nil, path: template?.path ?? normalized(result.uri ?? ""), line: result.line,
                    logicalId: logicalId, resourceType: type, property: nil, element: element,
                    message: result.message.isEmpty ? (rule?.shortDescription ?? rule?.name ?? result.ruleId) : result.message))
            }
        }
        // Sorted as VulnerabilityFinding.order sorts, with each key built once.
        return out.map { ($0, $0.key.description) }
            .sorted { ($0.0.path, $0.0.line, $0.0.rule, $0.1) < ($1.0.path, $1.0.line, $1.0.rule, $1.1) }
            .map(\.0)
    }

    /// The resource whose span holds `line`: the last one starting at or before it (spans of
    /// entries under `Resources` do not overlap).
    static func resource(holding line: Int, in sorted: [TemplateResource]) -> TemplateResource? {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle].lines.lowerBound <= line { low = middle + 1 } else { high = middle }
        }
        guard low > 0, sorted[low - 1].lines.contains(line) else { return nil }
        return sorted[low - 1]
    }

    /// `file:///work/repo/template.yaml`, `./template.yaml`, `%20` → a plain path.
    static func normalized(_ uri: String) -> String {
        var text = uri
        if text.hasPrefix("file://") { text = String(text.dropFirst(7)) }
        while text.hasPrefix("./") { text = String(text.dropFirst(2)) }
        if text.contains("%") { text = text.removingPercentEncodingSafely }
        return text
    }

    /// The template a URI names: the same path, or one ending in the other at a `/`. The longest match wins.
    static func match(uri: String, templates: [CloudFormationTemplate]) -> CloudFormationTemplate? {
        let path = normalized(uri)
        let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
        var best: CloudFormationTemplate?
        for template in templates {
            let candidate = template.path
            let matches = candidate == path || candidate == trimmed || path.hasSuffix("/" + candidate) || candidate.hasSuffix("/" + trimmed)
            if matches, best.map({ candidate.count > $0.path.count }) ?? true { best = template }
        }
        return best
    }
}

extension String {
    /// `%XX` decoded where it forms UTF-8; left as written otherwise.
    var removingPercentEncodingSafely: String {
        var bytes: [UInt8] = []
        let source = Array(utf8)
        var index = 0
        while index < source.count {
            if source[index] == UInt8(ascii: "%"), index + 2 < source.count,
               let value = UInt8(String(decoding: source[index + 1...index + 2], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return String(validating: bytes, as: UTF8.self) ?? self
    }
}
