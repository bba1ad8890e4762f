/// Runs the built-in checks (`Check`) over parsed templates: pure, values in and findings out.
/// The date of "today" is a parameter (the core has no clock): it decides which runtimes are
/// past their deprecation date.
public enum TemplateScanner {
    /// Every finding of every check over `templates`, in template and line order. `system` (the
    /// discovery of the same templates) names the element each finding belongs to; without it
    /// findings name none.
    public static func scan(templates: [CloudFormationTemplate], system: DiscoveredSystem?, today: Day,
                            checks: Set<Check> = Set(Check.allCases)) -> [VulnerabilityFinding] {
        var elements: [ResourceLink: String] = [:]
        for element in system?.elements ?? [] {
            if let link = element.resource { elements[link] = element.id }
        }
        var findings: [VulnerabilityFinding] = []
        for template in templates {
            let scan = TemplateScan(template: template, elements: elements, today: today)
            scan.run()
            findings += scan.findings
        }
        if let first = templates.map(\.path).sorted().first,
           !templates.contains(where: { $0.resources.contains { $0.type == "AWS::CloudTrail::Trail" } }) {
            findings.append(VulnerabilityFinding(
                rule: Check.noCloudTrail.rawValue, severity: Check.noCloudTrail.defaultSeverity, stride: Check.noCloudTrail.stride,
                path: first, line: 0, logicalId: nil,
                message: "no AWS::CloudTrail::Trail in the \(templates.count) template\(templates.count == 1 ? "" : "s") scanned; if an organization trail covers the account, accept this finding naming it"))
        }
        return findings.filter { finding in finding.check.map(checks.contains) ?? true }.sorted(by: VulnerabilityFinding.order)
    }
}

/// The checks over one template.
final class TemplateScan {
    let template: CloudFormationTemplate
    let elements: [ResourceLink: String]
    let today: Day
    var findings: [VulnerabilityFinding] = []
    /// Role logical id → the functions and state machines that assume it.
    var roleUsers: [String: [String]] = [:]
    var lambdaRoles: Set<String> = []
    /// APIs a usage plan with `Throttle` names (computed once: a template may have thousands of stages).
    lazy var throttledByUsagePlan: Set<String> = {
        var out: Set<String> = []
        for resource in template.resources where resource.type == "AWS::ApiGateway::UsagePlan" && resource.properties["Throttle"] != nil {
            for stage in resource.properties["ApiStages"]?.list ?? [] { out.formUnion(targets(stage["ApiId"])) }
        }
        return out
    }()

    init(template: CloudFormationTemplate, elements: [ResourceLink: String], today: Day) {
        self.template = template
        self.elements = elements
        self.today = today
    }

    static let functionTypes: Set<String> = ["AWS::Lambda::Function", "AWS::Serverless::Function"]

    func run() {
        collectRoles()
        for resource in template.resources {
            let properties = template.effectiveProperties(resource)
            switch resource.type {
            case "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group":
                for (index, policy) in (properties["Policies"]?.list ?? []).enumerated() {
                    if let document = policy["PolicyDocument"] {
                        identityStatements(document, resource: resource, path: "Policies[\(index)].PolicyDocument")
                    }
                }
                if resource.type == "AWS::IAM::Role" { managedPolicies(properties["ManagedPolicyArns"], resource: resource, path: "ManagedPolicyArns") }
            case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
                if let document = properties["PolicyDocument"] { identityStatements(document, resource: resource, path: "PolicyDocument") }
            case "AWS::Serverless::Function", "AWS::Serverless::StateMachine":
                samPolicies(properties["Policies"], resource: resource)
            case "AWS::Lambda::Permission":
                lambdaPermission(resource, properties)
            case "AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy":
                resourcePolicy(resource, properties)
            default: break
            }
            if Self.functionTypes.contains(resource.type) {
                environment(resource, properties)
                runtime(resource, properties)
            }
            apiChecks(resource, properties)
            dataStore(resource, properties)
        }
        implicitApis()
    }

    // MARK: Findings and elements

    func add(_ check: Check, _ resource: TemplateResource?, logicalId: String? = nil, line: Int, property: String?,
             severity: Severity? = nil, subject: String? = nil, _ message: String) {
        let id = logicalId ?? resource?.logicalId
        findings.append(VulnerabilityFinding(
            rule: check.rawValue, severity: severity ?? check.defaultSeverity, stride: check.stride, path: template.path,
            line: line > 0 ? line : (resource?.lines.lowerBound ?? 0), logicalId: id,
            resourceType: id == resource?.logicalId ? resource?.type : (id.flatMap { template.resource($0)?.type } ?? resource?.type),
            property: property, element: element(for: subject ?? id), message: message))
    }

    /// The element a resource belongs to: its own; for a role or policy, the first function that
    /// uses it; for a permission, URL or policy, the resource it is about.
    func element(for logicalId: String?) -> String? {
        guard let logicalId else { return nil }
        if let own = elements[ResourceLink(path: template.path, logicalId: logicalId)] { return own }
        for user in roleUsers[logicalId] ?? [] {
            if let id = elements[ResourceLink(path: template.path, logicalId: user)] { return id }
        }
        return nil
    }

    /// Logical ids a value refers to (`!Ref`, `!GetAtt`, `!Sub`).
    func targets(_ value: TemplateValue?) -> [String] {
        guard let value else { return [] }
        return template.references(in: value, extra: ["ServerlessRestApi", "ServerlessHttpApi"])
    }

    func collectRoles() {
        for resource in template.resources {
            let properties = template.effectiveProperties(resource)
            switch resource.type {
            case "AWS::Lambda::Function", "AWS::Serverless::Function", "AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine":
                for role in targets(properties["Role"] ?? properties["RoleArn"]) {
                    roleUsers[role, default: []].append(resource.logicalId)
                    if Self.functionTypes.contains(resource.type) { lambdaRoles.insert(role) }
                }
            case "AWS::IAM::Role":
                let services = (resource.properties["AssumeRolePolicyDocument"].map { Self.strings(in: $0) } ?? [])
                if services.contains(where: { $0.hasPrefix("lambda.amazonaws.com") }) { lambdaRoles.insert(resource.logicalId) }
            default: break
            }
        }
        // A policy's findings belong to the functions of the roles it is attached to.
        for resource in template.resources where resource.type == "AWS::IAM::Policy" || resource.type == "AWS::IAM::ManagedPolicy" {
            for role in targets(resource.properties["Roles"]) {
                roleUsers[resource.logicalId, default: []] += roleUsers[role] ?? []
            }
        }
    }

    // MARK: Value helpers

    /// Literal strings in a value: the string itself, or the literal items of a list.
    static func literals(_ value: TemplateValue?) -> [String] {
        guard let value else { return [] }
        if let text = value.string { return [text] }
        return value.list?.compactMap(\.string) ?? []
    }

    /// Every literal string anywhere in a value (also inside functions), bounded.
    static func strings(in value: TemplateValue, depth: Int = 0) -> [String] {
        guard depth < 64 else { return [] }
        switch value.kind {
        case .string(let text): return [text]
        case .list(let items): return items.flatMap { strings(in: $0, depth: depth + 1) }
        case .map(let entries): return entries.flatMap { strings(in: $0.value, depth: depth + 1) }
        case .intrinsic(_, let argument): return strings(in: argument, depth: depth + 1)
        default: return []
        }
    }

    /// `Statement` as a list (a single statement may be written as a map).
    static func statements(_ document: TemplateValue) -> [(TemplateValue, Int)] {
        guard let statement = document["Statement"] else { return [] }
        if let items = statement.list { return items.enumerated().map { ($0.element, $0.offset) } }
        return statement.entries != nil ? [(statement, 0)] : []
    }

    static func statementPath(_ base: String, _ statement: TemplateValue, _ index: Int) -> String {
        if let sid = statement["Sid"]?.string, !sid.isEmpty { return "\(base).Statement[Sid=\(sid)]" }
        return "\(base).Statement[\(index)]"
    }

    static func isAllow(_ statement: TemplateValue) -> Bool { statement["Effect"]?.string == "Allow" }

    static func isPublic(_ resource: TemplateResource) -> String? {
        guard let marker = resource.metadata?["tmrepo"]?["public"], !marker.isNull else { return nil }
        return marker.string ?? "marked public"
    }
}
