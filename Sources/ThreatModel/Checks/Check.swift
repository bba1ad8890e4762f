/// Every built-in vulnerability check `tmrepo scan` runs over templates: a stable id (`TM-…`,
/// never reused or renamed: threat files and SARIF fingerprints name it), what it looks for, the
/// STRIDE categories the weakness enables, its default severity, why it matters, how to fix it,
/// and the equivalent rule ids of other scanners. docs/checks.md lists exactly these (a test
/// keeps them equal).
public enum Check: String, CaseIterable, Sendable, Comparable {
    case iamWildcardAction = "TM-IAM-001"
    case iamWildcardResourceWrite = "TM-IAM-002"
    case iamPassRoleAnyRole = "TM-IAM-003"
    case iamNotActionOrResource = "TM-IAM-004"
    case iamManagedAdminPolicy = "TM-IAM-005"
    case lambdaPermissionUnscoped = "TM-IAM-006"
    case secretInEnvironment = "TM-SEC-001"
    case secretResolvedIntoEnvironment = "TM-SEC-002"
    case apiRouteWithoutAuthorizer = "TM-API-001"
    case apiStageWithoutThrottling = "TM-API-002"
    case apiStageWithoutAccessLog = "TM-API-003"
    case functionUrlWithoutAuth = "TM-API-004"
    case noCloudTrail = "TM-LOG-001"
    case bucketWithoutPublicAccessBlock = "TM-DATA-001"
    case resourcePolicyAnyPrincipal = "TM-DATA-002"
    case storeWithoutEncryption = "TM-DATA-003"
    case deprecatedRuntime = "TM-RUN-001"

    public static func < (lhs: Check, rhs: Check) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Rule ids of other scanners that look for the same weakness (possibly more or less of it).
    public struct Equivalents: Sendable, Equatable {
        public var checkov: [String] = []
        public var cfnNag: [String] = []
        public var cdkNag: [String] = []

        public var isEmpty: Bool { checkov.isEmpty && cfnNag.isEmpty && cdkNag.isEmpty }
        /// Every id, for mapping a scanner's result to the built-in check it repeats.
        public var all: [String] { checkov + cfnNag + cdkNag }
    }

    public var title: String {
        switch self {
        case .iamWildcardAction: "IAM policy allows every action of a service (`*` or `service:*`)"
        case .iamWildcardResourceWrite: "IAM policy allows write or permission-management actions on every resource (`Resource: \"*\"`)"
        case .iamPassRoleAnyRole: "IAM policy allows `iam:PassRole` on every role"
        case .iamNotActionOrResource: "IAM policy allows with `NotAction` or `NotResource`"
        case .iamManagedAdminPolicy: "Function role has an AWS managed administrator or power-user policy"
        case .lambdaPermissionUnscoped: "Lambda permission lets a service or anyone invoke without `SourceArn`/`SourceAccount`"
        case .secretInEnvironment: "Secret written into a Lambda environment variable"
        case .secretResolvedIntoEnvironment: "Secret resolved into a Lambda environment variable at deployment"
        case .apiRouteWithoutAuthorizer: "API route or method with no authorizer"
        case .apiStageWithoutThrottling: "API stage without throttling"
        case .apiStageWithoutAccessLog: "API stage without access logging"
        case .functionUrlWithoutAuth: "Lambda function URL with `AuthType: NONE`"
        case .noCloudTrail: "No CloudTrail trail in the system"
        case .bucketWithoutPublicAccessBlock: "S3 bucket without a complete public access block"
        case .resourcePolicyAnyPrincipal: "Resource policy allows any principal (`*`) without a condition"
        case .storeWithoutEncryption: "Data store without encryption settings"
        case .deprecatedRuntime: "Lambda runtime past its deprecation date"
        }
    }

    public var stride: [StrideCategory] {
        switch self {
        case .iamWildcardAction, .iamWildcardResourceWrite, .iamNotActionOrResource: [.tampering, .informationDisclosure, .elevationOfPrivilege]
        case .iamPassRoleAnyRole, .iamManagedAdminPolicy: [.elevationOfPrivilege]
        case .lambdaPermissionUnscoped: [.spoofing, .elevationOfPrivilege]
        case .secretInEnvironment, .secretResolvedIntoEnvironment: [.informationDisclosure, .spoofing]
        case .apiRouteWithoutAuthorizer, .functionUrlWithoutAuth: [.spoofing, .informationDisclosure, .elevationOfPrivilege]
        case .apiStageWithoutThrottling: [.denialOfService]
        case .apiStageWithoutAccessLog, .noCloudTrail: [.repudiation]
        case .bucketWithoutPublicAccessBlock, .resourcePolicyAnyPrincipal: [.informationDisclosure, .tampering]
        case .storeWithoutEncryption: [.informationDisclosure]
        case .deprecatedRuntime: [.tampering, .elevationOfPrivilege]
        }
    }

    /// The severity a finding gets unless the check says why one finding is worse or milder
    /// (docs/checks.md lists those cases).
    public var defaultSeverity: Severity {
        switch self {
        case .iamWildcardAction, .iamPassRoleAnyRole, .iamManagedAdminPolicy, .secretInEnvironment, .apiRouteWithoutAuthorizer,
             .functionUrlWithoutAuth, .resourcePolicyAnyPrincipal: .high
        case .iamWildcardResourceWrite, .iamNotActionOrResource, .lambdaPermissionUnscoped, .secretResolvedIntoEnvironment,
             .apiStageWithoutThrottling, .deprecatedRuntime: .medium
        case .apiStageWithoutAccessLog, .bucketWithoutPublicAccessBlock, .storeWithoutEncryption: .low
        case .noCloudTrail: .info
        }
    }

    public var why: String {
        switch self {
        case .iamWildcardAction: "A function that can call every action of a service (or of every service) turns any code-execution or dependency flaw into control of that service: data read, changed or deleted far beyond what the function needs."
        case .iamWildcardResourceWrite: "Write or permission-management actions on `*` reach every table, bucket, queue or role of that service in the account, including other applications'."
        case .iamPassRoleAnyRole: "`iam:PassRole` on `*` lets the principal hand any role, including administrator roles, to a service it can configure: a classic privilege escalation."
        case .iamNotActionOrResource: "`Allow` with `NotAction`/`NotResource` grants everything except a list, including actions and resources that did not exist when it was written."
        case .iamManagedAdminPolicy: "AdministratorAccess, PowerUserAccess or IAMFullAccess on a function role gives whoever runs code in the function the whole account."
        case .lambdaPermissionUnscoped: "A permission for a service principal without `SourceArn`/`SourceAccount` lets that service invoke the function on behalf of any account's resource (confused deputy); `*` lets anyone invoke it."
        case .secretInEnvironment: "A secret written in the template (or passed as a parameter that is echoed) is in git, in the CloudFormation template and parameters, and in the function's configuration, readable by everyone who can read any of them."
        case .secretResolvedIntoEnvironment: "A dynamic reference (`{{resolve:secretsmanager:…}}`, `{{resolve:ssm-secure:…}}`) or a `NoEcho` parameter keeps the secret out of git, but deployment writes its value into the function's configuration, readable with `lambda:GetFunctionConfiguration` and not rotated with the secret."
        case .apiRouteWithoutAuthorizer: "Anyone on the internet can call the route; unless the code authenticates every request itself, callers are not who they claim."
        case .apiStageWithoutThrottling: "Without stage or usage-plan throttling one client can use the account-wide API Gateway limit shared by every API in the region, and drive the Lambda concurrency and cost behind it."
        case .apiStageWithoutAccessLog: "Without access logs nobody can tell afterwards who called what: requests can be denied and incidents not reconstructed."
        case .functionUrlWithoutAuth: "The function URL can be called by anyone; the function's own code is the only check."
        case .noCloudTrail: "Without a trail, control-plane actions (role changes, policy edits, secret reads) leave no durable record. It may be configured at organization level: record that as an acceptance."
        case .bucketWithoutPublicAccessBlock: "Without a complete public access block, one ACL or bucket-policy change makes the bucket public; new buckets block public access by default, so this is about a setting turned off or left to account defaults."
        case .resourcePolicyAnyPrincipal: "A bucket, queue or topic policy that allows `*` without a condition lets every AWS account (or anonymous users) read, write or publish."
        case .storeWithoutEncryption: "Without explicit settings the store is unencrypted (SNS) or encrypted only with an AWS-owned key whose use you cannot restrict or audit (S3, SQS, DynamoDB)."
        case .deprecatedRuntime: "A deprecated runtime no longer receives security patches; after the block dates functions can no longer be created or updated, so a fix cannot even be deployed."
        }
    }

    public var fix: String {
        switch self {
        case .iamWildcardAction: "List the actions the function calls (or use a SAM policy template such as DynamoDBCrudPolicy)."
        case .iamWildcardResourceWrite: "Name the resources (`!GetAtt Table.Arn`, `!Sub ${Bucket.Arn}/*`) instead of `*`."
        case .iamPassRoleAnyRole: "Name the roles that may be passed and add an `iam:PassedToService` condition."
        case .iamNotActionOrResource: "Write `Action` and `Resource` lists of what is allowed."
        case .iamManagedAdminPolicy: "Replace the managed policy with statements (or SAM policy templates) for what the function does."
        case .lambdaPermissionUnscoped: "Add `SourceArn` (the bucket, rule, topic or API that invokes) and `SourceAccount`; never `Principal: \"*\"`."
        case .secretInEnvironment: "Store the secret in Secrets Manager or SSM SecureString, pass its ARN or name, and read it at run time (the Parameters and Secrets Lambda extension caches it)."
        case .secretResolvedIntoEnvironment: "Pass the secret's ARN or name instead and read the value at run time."
        case .apiRouteWithoutAuthorizer: "Set a default authorizer on the API (SAM `Auth.DefaultAuthorizer`, `AuthorizationType` on the method or route); mark routes public on purpose with SAM `Auth: {Authorizer: NONE}` or `Metadata: {tmrepo: {public: <reason>}}`."
        case .apiStageWithoutThrottling: "Set `ThrottlingRateLimit`/`ThrottlingBurstLimit` in the stage's `MethodSettings` (REST) or `DefaultRouteSettings` (HTTP, WebSocket), or attach a usage plan with `Throttle`."
        case .apiStageWithoutAccessLog: "Set `AccessLogSetting` (REST) or `AccessLogSettings` (HTTP, WebSocket) with a log group destination."
        case .functionUrlWithoutAuth: "Use `AuthType: AWS_IAM` (sign requests, or put CloudFront with origin access control in front), or verify a signature in code and record that as an acceptance."
        case .noCloudTrail: "Add an `AWS::CloudTrail::Trail` (multi-region, log file validation), or accept the finding naming the organization trail."
        case .bucketWithoutPublicAccessBlock: "Set `PublicAccessBlockConfiguration` with all four settings `true`."
        case .resourcePolicyAnyPrincipal: "Name the principals (accounts, roles, service principals with `aws:SourceArn`), or add a condition such as `aws:PrincipalOrgID` or `aws:SourceVpce`."
        case .storeWithoutEncryption: "Set `BucketEncryption`, `SSESpecification`, `KmsMasterKeyId` or `SqsManagedSseEnabled`, with a customer managed KMS key where access must be auditable."
        case .deprecatedRuntime: "Move to the successor runtime named in the finding."
        }
    }

    public var equivalents: Equivalents {
        switch self {
        case .iamWildcardAction: Equivalents(checkov: ["CKV_AWS_63", "CKV_AWS_62"], cfnNag: ["F3", "F4", "F5"], cdkNag: ["AwsSolutions-IAM5"])
        case .iamWildcardResourceWrite: Equivalents(checkov: ["CKV_AWS_111", "CKV_AWS_109"], cfnNag: ["W11", "W12", "W13"], cdkNag: ["AwsSolutions-IAM5"])
        case .iamPassRoleAnyRole: Equivalents(checkov: ["CKV_AWS_110"], cfnNag: ["F38", "F39", "F40"])
        case .iamNotActionOrResource: Equivalents(cfnNag: ["W15", "W16", "W17", "W21", "W22", "W23"])
        case .iamManagedAdminPolicy: Equivalents(cfnNag: ["W43"], cdkNag: ["AwsSolutions-IAM4"])
        case .lambdaPermissionUnscoped: Equivalents(checkov: ["CKV_AWS_364", "CKV_AWS_301"], cfnNag: ["F13", "W24"])
        case .secretInEnvironment: Equivalents(checkov: ["CKV_AWS_45"])
        case .secretResolvedIntoEnvironment: Equivalents()
        case .apiRouteWithoutAuthorizer: Equivalents(checkov: ["CKV_AWS_59"], cfnNag: ["W59"], cdkNag: ["AwsSolutions-APIG4", "AwsSolutions-COG4"])
        case .apiStageWithoutThrottling: Equivalents(cfnNag: ["W64"])
        case .apiStageWithoutAccessLog: Equivalents(checkov: ["CKV_AWS_76", "CKV_AWS_95"], cfnNag: ["W69"], cdkNag: ["AwsSolutions-APIG1"])
        case .functionUrlWithoutAuth: Equivalents(checkov: ["CKV_AWS_258"])
        case .noCloudTrail: Equivalents()
        case .bucketWithoutPublicAccessBlock: Equivalents(checkov: ["CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"])
        case .resourcePolicyAnyPrincipal: Equivalents(checkov: ["CKV_AWS_70"], cfnNag: ["F15", "F16", "F18", "F20", "F21"])
        case .storeWithoutEncryption: Equivalents(checkov: ["CKV_AWS_19", "CKV_AWS_26", "CKV_AWS_27", "CKV_AWS_119"], cfnNag: ["W41", "W47", "W48", "W74"], cdkNag: ["AwsSolutions-SNS2", "AwsSolutions-SQS2"])
        case .deprecatedRuntime: Equivalents(checkov: ["CKV_AWS_363"], cdkNag: ["AwsSolutions-L1"])
        }
    }

    /// Where it is documented.
    public var documentation: String { "docs/checks.md#" + rawValue.lowercased() }
}
