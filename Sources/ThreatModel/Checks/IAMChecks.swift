/// Least privilege: identity policy statements (roles, users, groups, policies, SAM `Policies`),
/// AWS managed administrator policies on function roles, and Lambda permissions.
extension TemplateScan {
    /// Verbs that change something or manage permissions (`Put…`, `Delete…`, `Attach…`).
    static let writeVerbs = ["Put", "Create", "Delete", "Update", "Modify", "Attach", "Detach", "Add", "Remove", "Set", "Write",
                             "Send", "Publish", "Start", "Stop", "Terminate", "Run", "Execute", "Pass", "Upload", "Copy",
                             "Replace", "Reboot", "Enable", "Disable", "Import", "Associate", "Disassociate", "Grant",
                             "Revoke", "Change", "Register", "Deregister", "Reset", "Rotate", "BatchWrite", "BatchDelete",
                             "BatchPut", "BatchUpdate", "Tag", "Untag", "Purge", "Restore", "Upgrade", "Apply", "Cancel", "Sign",
                             "Encrypt", "ReEncrypt", "Generate", "Submit", "Transact", "Abort", "Complete"]

    /// Actions that support no resource-level permissions (the IAM service authorization
    /// reference lists `*` as their only resource), so `Resource: "*"` is the only way to grant them.
    static let resourcelessActions: Set<String> = [
        "xray:puttracesegments", "xray:puttelemetryrecords", "xray:getsamplingrules", "xray:getsamplingtargets",
        "xray:getsamplingstatisticsummaries", "cloudwatch:putmetricdata", "cloudwatch:getmetricdata",
        "ec2:createnetworkinterface", "ec2:deletenetworkinterface", "ec2:describenetworkinterfaces",
        "ec2:assignprivateipaddresses", "ec2:unassignprivateipaddresses", "ec2:describeinstances",
        "logs:createloggroup", "logs:createlogstream", "logs:putlogevents", "sts:getcalleridentity",
        "kms:generaterandom", "secretsmanager:getrandompassword", "ssm:describeparameters", "s3:listallmybuckets",
        "ecr:getauthorizationtoken", "sns:listtopics", "sqs:listqueues", "lambda:listfunctions", "iot:describeendpoint",
        "rekognition:detectlabels", "rekognition:detectfaces", "rekognition:detecttext", "rekognition:detectmoderationlabels",
        "rekognition:detectprotectiveequipment", "rekognition:recognizecelebrities", "rekognition:comparefaces",
        "textract:analyzedocument", "textract:detectdocumenttext", "textract:startdocumenttextdetection",
        "textract:startdocumentanalysis", "textract:analyzeexpense", "textract:startexpenseanalysis", "textract:analyzeid",
        "polly:synthesizespeech", "polly:startspeechsynthesistask", "transcribe:starttranscriptionjob",
        "transcribe:startstreamtranscription", "transcribe:startstreamtranscriptionwebsocket",
        "aws-marketplace:meterusage", "pricing:getproducts",
        // CloudWatch Logs vended log delivery (Step Functions, API Gateway, Pipes logging): `*` only.
        "logs:createlogdelivery", "logs:getlogdelivery", "logs:updatelogdelivery", "logs:deletelogdelivery",
        "logs:listlogdeliveries", "logs:putresourcepolicy", "logs:describeresourcepolicies", "logs:describeloggroups",
        "cognito-idp:listuserpools", "ce:getcostandusage", "translate:translatetext", "translate:translatedocument",
    ]

    /// Services whose actions support no resource-level permissions at all.
    static let resourcelessServices: Set<String> = ["comprehend", "translate", "xray", "textract", "polly", "pricing", "ce", "cur",
                                                    "health", "support", "trustedadvisor", "tag", "resource-groups"]

    static func verb(_ action: String) -> (service: String, verb: String)? {
        let parts = action.split(separator: ":", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        return (parts[0].lowercased(), String(parts[1]))
    }

    static func isServiceWildcard(_ action: String) -> Bool {
        action == "*" || (verb(action).map { $0.verb == "*" } ?? false)
    }

    /// Services whose `Invoke…` actions run code or workflows that write (IAM's access level
    /// "Write"); elsewhere (`bedrock:InvokeModel`, `sagemaker:InvokeEndpoint`) invoking reads.
    static let invokeWrites: Set<String> = ["lambda", "execute-api", "states"]

    static func isWriteOrPermissionManagement(_ action: String) -> Bool {
        guard let (service, verb) = verb(action) else { return action == "*" }
        if resourcelessServices.contains(service) || resourcelessActions.contains(action.lowercased()) { return false }
        if invokeWrites.contains(service), verb.hasPrefix("Invoke") { return true }
        guard let star = verb.firstIndex(of: "*") else {
            return writeVerbs.contains { verb.hasPrefix($0) }
        }
        let prefix = String(verb[..<star])
        if prefix.isEmpty { return true }
        return writeVerbs.contains { $0.hasPrefix(prefix) || prefix.hasPrefix($0) }
    }

    static func isPassRole(_ action: String) -> Bool {
        guard let (service, verb) = verb(action), service == "iam" else { return false }
        guard let star = verb.firstIndex(of: "*") else { return verb.lowercased() == "passrole" }
        let prefix = verb[..<star].lowercased()
        return !prefix.isEmpty && "passrole".hasPrefix(prefix)
    }

    /// Every statement of an identity policy document.
    func identityStatements(_ document: TemplateValue, resource: TemplateResource, path: String) {
        for (statement, index) in Self.statements(document) where Self.isAllow(statement) {
            let property = Self.statementPath(path, statement, index)
            let line = statement.line
            if statement["NotAction"] != nil || statement["NotResource"] != nil {
                let which = statement["NotAction"] != nil ? "NotAction" : "NotResource"
                add(.iamNotActionOrResource, resource, line: line, property: property,
                    "\(resource.logicalId) \(property): Allow with \(which) grants everything but what it lists")
            }
            let actions = Self.literals(statement["Action"])
            let resources = Self.literals(statement["Resource"])
            let anyResource = resources.contains("*")
            let wildcards = actions.filter(Self.isServiceWildcard)
            if !wildcards.isEmpty {
                let admin = wildcards.contains("*") && anyResource
                add(.iamWildcardAction, resource, line: line, property: property,
                    severity: admin ? .critical : (anyResource ? .high : .medium),
                    "\(resource.logicalId) \(property): Action \(wildcards.map { "\"\($0)\"" }.joined(separator: ", "))" +
                    (admin ? " on Resource \"*\": full administrator" : anyResource ? " on Resource \"*\"" : ""))
            }
            guard anyResource else { continue }
            let passRole = actions.filter { !Self.isServiceWildcard($0) && Self.isPassRole($0) }
            if !passRole.isEmpty {
                add(.iamPassRoleAnyRole, resource, line: line, property: property,
                    "\(resource.logicalId) \(property): \(passRole.joined(separator: ", ")) on Resource \"*\" can pass any role")
            }
            // A condition may scope `*` (by tag, by namespace): not judged here.
            guard statement["Condition"] == nil else { continue }
            let writes = actions.filter { !Self.isServiceWildcard($0) && !Self.isPassRole($0) && Self.isWriteOrPermissionManagement($0) }
            if !writes.isEmpty {
                let shown = writes.prefix(5).joined(separator: ", ") + (writes.count > 5 ? " and \(writes.count - 5) more" : "")
                add(.iamWildcardResourceWrite, resource, line: line, property: property,
                    "\(resource.logicalId) \(property): \(shown) on Resource \"*\"")
            }
        }
    }

    static let adminPolicies = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"]

    /// `arn:…:iam::aws:policy/AdministratorAccess` (literal or `!Sub`), or the bare name SAM accepts.
    static func adminPolicy(_ value: TemplateValue, bareNames: Bool) -> String? {
        var text = value.string
        if text == nil, let (name, argument) = value.intrinsic, name == "Fn::Sub" { text = argument.string ?? argument.list?.first?.string }
        guard let text else { return nil }
        for policy in adminPolicies {
            if text.hasSuffix(":iam::aws:policy/" + policy) || (bareNames && text == policy) { return policy }
        }
        return nil
    }

    func managedPolicies(_ value: TemplateValue?, resource: TemplateResource, path: String) {
        guard lambdaRoles.contains(resource.logicalId), let items = value?.list else { return }
        for (index, item) in items.enumerated() {
            if let policy = Self.adminPolicy(item, bareNames: false) {
                add(.iamManagedAdminPolicy, resource, line: item.line, property: "\(path)[\(index)]",
                    "\(resource.logicalId): function role has the AWS managed policy \(policy)")
            }
        }
    }

    /// SAM `Policies`: a managed policy name or ARN, an inline document, a policy template, or a list of them.
    func samPolicies(_ value: TemplateValue?, resource: TemplateResource) {
        guard let value else { return }
        let items: [(TemplateValue, String)]
        if let list = value.list {
            items = list.enumerated().map { ($0.element, "Policies[\($0.offset)]") }
        } else {
            items = [(value, "Policies")]
        }
        for (item, path) in items {
            if let policy = Self.adminPolicy(item, bareNames: true), Self.functionTypes.contains(resource.type) {
                add(.iamManagedAdminPolicy, resource, line: item.line, property: path,
                    "\(resource.logicalId): Policies names the AWS managed policy \(policy)")
            } else if item["Statement"] != nil {
                identityStatements(item, resource: resource, path: path)
            }
            // A one-key map is a SAM policy template: scoped to the resource it names.
        }
    }

    /// `AWS::Lambda::Permission`: a service principal without `SourceArn`/`SourceAccount`, or anyone.
    func lambdaPermission(_ resource: TemplateResource, _ properties: TemplateValue) {
        // A function URL's permission: judged by TM-API-004 on the URL's AuthType.
        guard properties["FunctionUrlAuthType"] == nil, let principal = properties["Principal"]?.string else { return }
        let scoped = properties["SourceArn"] != nil || properties["SourceAccount"] != nil || properties["PrincipalOrgID"] != nil
            || properties["EventSourceToken"] != nil
        let function = targets(properties["FunctionName"]).first
        let line = properties["Principal"]?.line ?? resource.lines.lowerBound
        if principal == "*" && !scoped {
            add(.lambdaPermissionUnscoped, resource, line: line, property: "Principal", severity: .high, subject: function ?? resource.logicalId,
                "\(resource.logicalId): Principal \"*\" lets anyone invoke \(function ?? "the function") (no SourceArn, SourceAccount or PrincipalOrgID)")
        } else if principal.hasSuffix(".amazonaws.com") && !scoped {
            add(.lambdaPermissionUnscoped, resource, line: line, property: "Principal", subject: function ?? resource.logicalId,
                "\(resource.logicalId): \(principal) may invoke \(function ?? "the function") for any account's resource (no SourceArn or SourceAccount)")
        }
    }
}
