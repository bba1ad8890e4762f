import Foundation
import Testing
import TestSupport
@testable import ThreatModel

/// The built-in checks: each fires on a bad resource and stays quiet once it is fixed, in YAML
/// and JSON, SAM and plain CloudFormation; the registry and docs/checks.md agree.
struct ScanCheckTests {
    static let today = Day("2026-11-30")!

    static func findings(_ text: String, path: String = "template.yaml", today: Day = today) -> [VulnerabilityFinding] {
        let parsed = CloudFormationTemplate.parse(path: path, bytes: Array(text.utf8))
        guard let template = parsed.template else {
            Issue.record("template does not parse: \(parsed.diagnostics.map(\.formatted))")
            return []
        }
        let system = SystemDiscovery.discover(templates: [template])
        return TemplateScanner.scan(templates: [template], system: system, today: today)
    }

    /// The checks that fire, without the system-wide CloudTrail one (tested on its own).
    static func rules(_ text: String, path: String = "template.yaml", today: Day = today) -> [String] {
        findings(text, path: path, today: today).map(\.rule).filter { $0 != Check.noCloudTrail.rawValue }
    }

    static let sam = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n"
    static let cfn = "AWSTemplateFormatVersion: '2010-09-09'\n"

    /// A SAM function with the given extra properties (indented under Properties).
    static func function(_ extra: String, name: String = "Fn", runtime: String = "python3.13") -> String {
        """
          \(name):
            Type: AWS::Serverless::Function
            Properties:
              Runtime: \(runtime)
              Handler: app.handler
              CodeUri: src/
        \(extra.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }.joined(separator: "\n"))

        """
    }

    // MARK: Registry and documentation

    @Test func idsAreUniqueAndWellFormed() {
        let ids = Check.allCases.map(\.rawValue)
        #expect(Set(ids).count == ids.count)
        for check in Check.allCases {
            #expect(check.rawValue.wholeMatch(of: /TM-[A-Z]+-\d{3}/) != nil, "\(check.rawValue)")
            #expect(!check.title.isEmpty && !check.why.isEmpty && !check.fix.isEmpty && !check.stride.isEmpty)
        }
    }

    /// docs/checks.md lists exactly the checks there are, each with its default severity and STRIDE letters.
    @Test func theDocumentationListsEveryCheck() throws {
        let text = try String(contentsOfFile: SourceTree.root + "/docs/checks.md", encoding: .utf8)
        var documented: [String: (String, String)] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `TM-") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            documented[cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = (cells[1], cells[2])
        }
        #expect(Set(documented.keys) == Set(Check.allCases.map(\.rawValue)))
        for check in Check.allCases {
            #expect(documented[check.rawValue]?.0 == check.defaultSeverity.rawValue, "\(check.rawValue) severity")
            #expect(documented[check.rawValue]?.1 == check.stride.map(\.letter).joined(separator: " "), "\(check.rawValue) STRIDE")
            #expect(text.contains("### \(check.rawValue)\n"), "\(check.rawValue) has its own section")
        }
    }

    // MARK: The example shop

    /// The shop's template is cfn-lint clean but for its runtime: the only findings are the
    /// deprecated runtime on each function, the payment webhook's open function URL, and the
    /// queue policy open to any principal that threat T-0009 describes.
    @Test func theExampleShopHasOnlyItsRealWeaknesses() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: SourceTree.example + "/template.yaml")))
        let found = Self.findings(String(decoding: bytes, as: UTF8.self))
        let summary = found.map { "\($0.rule) \($0.logicalId ?? "-")" }.sorted()
        #expect(summary == ["TM-API-004 PaymentWebhookFunction", "TM-DATA-002 OrderQueuePolicy", "TM-RUN-001 AuthorizerFunction", "TM-RUN-001 FulfilmentFunction",
                            "TM-RUN-001 OrderFunction", "TM-RUN-001 PaymentWebhookFunction", "TM-RUN-001 RefundFunction"], "\(found.map(\.message))")
        let url = try #require(found.first { $0.rule == "TM-API-004" })
        #expect(url.line == 107 && url.element == "payment-webhook-function-url" && url.severity == .high)
        #expect(url.key.description == "TM-API-004 template.yaml#PaymentWebhookFunction FunctionUrlConfig.AuthType")
        let runtime = try #require(found.first { $0.rule == "TM-RUN-001" })
        #expect(runtime.line == 22, "the Globals line that sets it")
        #expect(runtime.severity == .high, "updates blocked since 2026-07-01")
        // Before the deprecation date, nothing.
        #expect(!Self.rules(String(decoding: bytes, as: UTF8.self), today: Day("2026-04-29")!).contains("TM-RUN-001"))
    }

    // MARK: IAM

    @Test func wildcardActions() {
        let bad = Self.sam + "Resources:\n" + Self.function("""
        Policies:
          - Statement:
              - Effect: Allow
                Action: "s3:*"
                Resource: "*"
        """)
        let found = Self.findings(bad)
        #expect(found.filter { $0.rule == "TM-IAM-001" }.count == 1)
        #expect(found.first { $0.rule == "TM-IAM-001" }?.severity == .high)
        #expect(found.first { $0.rule == "TM-IAM-001" }?.property == "Policies[0].Statement[0]")
        #expect(found.first { $0.rule == "TM-IAM-001" }?.element == "fn")
        let scoped = bad.replacingOccurrences(of: "Resource: \"*\"", with: "Resource: !GetAtt Table.Arn")
        #expect(Self.findings(scoped).first { $0.rule == "TM-IAM-001" }?.severity == .medium)
        let fixed = bad.replacingOccurrences(of: "\"s3:*\"", with: "[s3:GetObject]")
        #expect(!Self.rules(fixed).contains("TM-IAM-001"))
        // Plain CloudFormation, JSON, a managed policy attached to a role: Action * on * is an administrator.
        let json = """
        {"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
          "P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"Roles": [{"Ref": "R"}],
            "PolicyDocument": {"Statement": {"Sid": "All", "Effect": "Allow", "Action": ["*"], "Resource": "*"}}}}}}
        """
        let admin = Self.findings(json, path: "stack.json").first { $0.rule == "TM-IAM-001" }
        #expect(admin?.severity == .critical && admin?.property == "PolicyDocument.Statement[Sid=All]" && admin?.logicalId == "P")
        #expect(Self.rules(json.replacingOccurrences(of: "\"Allow\"", with: "\"Deny\""), path: "stack.json").isEmpty)
    }

    @Test func writeOnEveryResource() {
        let role = """
        Resources:
          Role:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: {}
              Policies:
                - PolicyName: p
                  PolicyDocument:
                    Statement:
                      - Effect: Allow
                        Action: [dynamodb:PutItem, dynamodb:GetItem]
                        Resource: "*"
        """
        #expect(Self.rules(Self.cfn + role) == ["TM-IAM-002"])
        // Read-only, resourceless actions, a condition, named resources: quiet.
        #expect(Self.rules(Self.cfn + role.replacingOccurrences(of: "dynamodb:PutItem, ", with: "")).isEmpty)
        #expect(Self.rules(Self.cfn + role.replacingOccurrences(of: "[dynamodb:PutItem, dynamodb:GetItem]",
                                                                   with: "[xray:PutTraceSegments, logs:PutLogEvents, cloudwatch:PutMetricData, ec2:CreateNetworkInterface]")).isEmpty)
        #expect(Self.rules(Self.cfn + role.replacingOccurrences(of: "Resource: \"*\"", with: "Resource: \"*\"\n                Condition: {StringEquals: {aws:ResourceTag/app: shop}}")).isEmpty)
        #expect(Self.rules(Self.cfn + role.replacingOccurrences(of: "Resource: \"*\"", with: "Resource: !GetAtt Table.Arn")).isEmpty)
        // Found in the survey: Step Functions' log delivery actions support only `*`; invoking a model reads.
        #expect(Self.rules(Self.cfn + role.replacingOccurrences(of: "[dynamodb:PutItem, dynamodb:GetItem]",
                                                                   with: "[logs:CreateLogDelivery, logs:UpdateLogDelivery, logs:DeleteLogDelivery, logs:PutResourcePolicy, bedrock:InvokeModel]")).isEmpty)
        #expect(Self.rules(Self.cfn + role.replacingOccurrences(of: "dynamodb:PutItem", with: "lambda:InvokeFunction")) == ["TM-IAM-002"])
        // A wildcard verb that includes writes counts.
        #expect(Self.rules(Self.cfn + role.replacingOccurrences(of: "dynamodb:PutItem", with: "sqs:Send*")) == ["TM-IAM-002"])
    }

    @Test func passRoleAndNotAction() {
        let text = Self.cfn + """
        Resources:
          Policy:
            Type: AWS::IAM::Policy
            Properties:
              PolicyName: p
              Roles: [x]
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: iam:PassRole
                    Resource: "*"
                  - Effect: Allow
                    NotAction: iam:*
                    Resource: "*"
        """
        #expect(Self.rules(text).sorted() == ["TM-IAM-003", "TM-IAM-004"])
        let fixed = text.replacingOccurrences(of: "Action: iam:PassRole\n            Resource: \"*\"", with: "Action: iam:PassRole\n            Resource: !GetAtt WorkerRole.Arn")
            .replacingOccurrences(of: "NotAction: iam:*", with: "Action: s3:GetObject")
        #expect(Self.rules(fixed).isEmpty, "\(Self.findings(fixed).map(\.message))")
    }

    @Test func managedAdministratorPolicies() {
        let sam = Self.sam + "Resources:\n" + Self.function("Policies:\n  - AdministratorAccess\n  - DynamoDBCrudPolicy: {TableName: t}")
        #expect(Self.rules(sam) == ["TM-IAM-005"])
        #expect(Self.rules(Self.sam + "Resources:\n" + Self.function("Policies: arn:aws:iam::aws:policy/PowerUserAccess")) == ["TM-IAM-005"])
        #expect(Self.rules(Self.sam + "Resources:\n" + Self.function("Policies:\n  - AWSLambdaBasicExecutionRole")).isEmpty)
        let role = Self.cfn + """
        Resources:
          Role:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement:
                  - Effect: Allow
                    Principal: {Service: [lambda.amazonaws.com]}
                    Action: sts:AssumeRole
              ManagedPolicyArns:
                - !Sub arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess
        """
        #expect(Self.rules(role) == ["TM-IAM-005"])
        // Not a function's role: a deployment role's business, not reported here.
        #expect(Self.rules(role.replacingOccurrences(of: "lambda.amazonaws.com", with: "codebuild.amazonaws.com")).isEmpty)
        #expect(Self.rules(role.replacingOccurrences(of: "AdministratorAccess", with: "service-role/AWSLambdaBasicExecutionRole")).isEmpty)
    }

    @Test func lambdaPermissions() {
        let text = Self.cfn + """
        Resources:
          Perm:
            Type: AWS::Lambda::Permission
            Properties:
              Action: lambda:InvokeFunction
              FunctionName: !Ref Fn
              Principal: s3.amazonaws.com
        """
        #expect(Self.findings(text).first { $0.rule == "TM-IAM-006" }?.severity == .medium)
        #expect(Self.rules(text + "\n      SourceAccount: !Ref AWS::AccountId").isEmpty)
        #expect(Self.rules(text + "\n      SourceArn: !GetAtt Bucket.Arn").isEmpty)
        let anyone = text.replacingOccurrences(of: "s3.amazonaws.com", with: "\"*\"")
        #expect(Self.findings(anyone).first { $0.rule == "TM-IAM-006" }?.severity == .high)
        #expect(Self.rules(anyone + "\n      FunctionUrlAuthType: NONE").isEmpty, "a function URL's permission: TM-API-004's business")
        #expect(Self.rules(text.replacingOccurrences(of: "s3.amazonaws.com", with: "\"123456789012\"")).isEmpty)
    }

    // MARK: Secrets

    @Test func secretsInEnvironment() {
        func env(_ variables: String, globals: Bool = false, parameters: String = "") -> [VulnerabilityFinding] {
            envAll(variables, globals: globals, parameters: parameters).filter { $0.rule != Check.noCloudTrail.rawValue }
        }
        func envAll(_ variables: String, globals: Bool, parameters: String) -> [VulnerabilityFinding] {
            let block = "Environment:\n  Variables:\n" + variables.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
            if globals {
                return Self.findings(Self.sam + parameters + "Globals:\n  Function:\n" + block.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\nResources:\n" + Self.function("MemorySize: 128"))
            }
            return Self.findings(Self.sam + parameters + "Resources:\n" + Self.function(block))
        }
        #expect(env("DB_PASSWORD: hunter2-long").map(\.rule) == ["TM-SEC-001"])
        #expect(env("stripeApiKey: sk_test_abcdef").map(\.rule) == ["TM-SEC-001"])
        #expect(env("SOMETHING: AKIAIOSFODNN7EXAMPLE").map(\.rule) == ["TM-SEC-001"], "a credential whatever its name")
        #expect(env("GITHUB_TOKEN: '{{resolve:secretsmanager:gh:SecretString:token}}'").map(\.rule) == ["TM-SEC-002"])
        #expect(env("GITHUB_TOKEN: !Sub '{{resolve:ssm-secure:/gh/token}}'").map(\.rule) == ["TM-SEC-002"])
        let plain = "Parameters:\n  Pass:\n    Type: String\n"
        #expect(env("DB_PASSWORD: !Ref Pass", parameters: plain).map(\.rule) == ["TM-SEC-001"])
        #expect(env("DB_URL_SECRET: !Sub 'postgres://u:${Pass}@db'", parameters: plain).map(\.rule) == ["TM-SEC-001"])
        #expect(env("DB_PASSWORD: !Ref Pass", parameters: plain + "    NoEcho: true\n").map(\.rule) == ["TM-SEC-002"])
        let inGlobals = env("API_SECRET: abcdefgh12345", globals: true)
        #expect(inGlobals.map(\.rule) == ["TM-SEC-001"] && inGlobals.first?.line == 7 && inGlobals.first?.logicalId == "Fn")
        // Names, ARNs, paths, settings and references are not secrets.
        for quiet in ["DB_SECRET_ARN: arn:aws:secretsmanager:eu-west-1:1:secret:x", "SECRET_NAME: shop/db", "TOKEN_TABLE: tokens",
                      "PASSWORD_PARAM: /shop/db/password", "SECRET: !Ref DbSecret", "TOKEN: !GetAtt Secret.Arn", "API_KEY: ''",
                      "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '2773'", "KMS_KEY_ID: abcd-1234", "TOKEN_EXPIRY_SECONDS: '3600'",
                      "ENABLE_SECRETS: 'true'", "LOG_LEVEL: info", "API_TOKEN: !ImportValue shared-token-arn"] {
            #expect(env(quiet).isEmpty, "\(quiet)")
        }
        // Plain CloudFormation, JSON.
        let json = """
        {"Resources": {"F": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "nodejs22.x", "Handler": "i.h", "Role": "arn:aws:iam::1:role/r",
          "Code": {"ZipFile": "x"}, "Environment": {"Variables": {"CLIENT_SECRET": "s3cr3t-value-123"}}}}}}
        """
        #expect(Self.rules(json, path: "f.json") == ["TM-SEC-001"])
        #expect(Self.rules(json.replacingOccurrences(of: "\"s3cr3t-value-123\"", with: "{\"Ref\": \"ClientSecret\"}"), path: "f.json").isEmpty)
    }

    // MARK: API Gateway and function URLs

    @Test func samRoutesWithoutAuthorizers() {
        let api = Self.sam + """
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
              MethodSettings: [{ResourcePath: "/*", HttpMethod: "*", ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20}]
              AccessLogSetting: {DestinationArn: !GetAtt Logs.Arn, Format: x}

        """
        let events = """
        Events:
          Get:
            Type: Api
            Properties: {RestApiId: !Ref Api, Path: /orders, Method: get}
          Preflight:
            Type: Api
            Properties: {RestApiId: !Ref Api, Path: /orders, Method: options}
        """
        let bad = Self.findings(api + Self.function(events)).filter { $0.rule != Check.noCloudTrail.rawValue }
        #expect(bad.map(\.rule).filter { $0 != "TM-LOG-001" } == ["TM-API-001"], "OPTIONS is never reported")
        #expect(bad.first?.element == "api" && bad.first?.logicalId == "Fn" && bad.first?.property == "Events.Get")
        let withDefault = api.replacingOccurrences(of: "StageName: prod", with: "StageName: prod\n      Auth: {DefaultAuthorizer: AWS_IAM}")
        #expect(Self.rules(withDefault + Self.function(events)).isEmpty)
        // Per-event auth, and a route public on purpose (reported at info).
        #expect(Self.rules(api + Self.function(events.replacingOccurrences(of: "Method: get}", with: "Method: get, Auth: {Authorizer: AWS_IAM}}"))).isEmpty)
        let open = Self.findings(withDefault + Self.function(events.replacingOccurrences(of: "Method: get}", with: "Method: get, Auth: {Authorizer: NONE}}")))
        #expect(open.filter { $0.rule == "TM-API-001" }.map(\.severity) == [.info])
        // The API SAM generates: Globals decide.
        let implicit = Self.sam + "Resources:\n" + Self.function("Events:\n  Get:\n    Type: Api\n    Properties: {Path: /, Method: get}")
        #expect(Set(Self.rules(implicit)) == ["TM-API-001", "TM-API-002", "TM-API-003"])
        #expect(Self.findings(implicit).first { $0.rule == "TM-API-002" }?.logicalId == "ServerlessRestApi")
        let globals = Self.sam + """
        Globals:
          Api:
            Auth: {DefaultAuthorizer: Cognito, Authorizers: {Cognito: {UserPoolArn: x}}}
            MethodSettings: [{ResourcePath: "/*", HttpMethod: "*", ThrottlingBurstLimit: 5}]
            AccessLogSetting: {DestinationArn: arn:aws:logs:x, Format: y}

        """
        #expect(Self.rules(globals + "Resources:\n" + Self.function("Events:\n  Get:\n    Type: Api\n    Properties: {Path: /, Method: get}")).isEmpty)
        // HTTP APIs.
        let http = Self.sam + "Resources:\n" + Self.function("Events:\n  Any:\n    Type: HttpApi")
        #expect(Set(Self.rules(http)) == ["TM-API-001", "TM-API-002", "TM-API-003"])
    }

    @Test func cloudFormationMethodsAndRoutes() throws {
        let url = URL(fileURLWithPath: SourceTree.fixtures + "/templates/weak/stack.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        let found = Self.findings(text, path: "stack.json")
        let routes = found.filter { $0.rule == "TM-API-001" }
        #expect(routes.map(\.logicalId) == ["GetOrders", "PostEvents"], "OPTIONS CorsOrders is not reported")
        #expect(routes.first?.element == "api")
        #expect(Set(found.filter { $0.rule == "TM-API-002" }.compactMap(\.logicalId)) == ["ProdStage", "HttpStage"])
        #expect(Set(found.filter { $0.rule == "TM-API-003" }.compactMap(\.logicalId)) == ["ProdStage", "HttpStage"])
        // Fixed: authorizers, throttling and logs.
        let fixed = text
            .replacingOccurrences(of: "\"HttpMethod\": \"GET\",\n        \"AuthorizationType\": \"NONE\"", with: "\"HttpMethod\": \"GET\",\n        \"AuthorizationType\": \"AWS_IAM\"")
            .replacingOccurrences(of: "\"RouteKey\": \"POST /events\"", with: "\"RouteKey\": \"POST /events\", \"AuthorizationType\": \"JWT\"")
            .replacingOccurrences(of: "\"StageName\": \"prod\"", with: "\"StageName\": \"prod\", \"MethodSettings\": [{\"HttpMethod\": \"*\", \"ResourcePath\": \"/*\", \"ThrottlingRateLimit\": 5}], \"AccessLogSetting\": {\"DestinationArn\": \"arn:aws:logs:x\"}")
            .replacingOccurrences(of: "\"AutoDeploy\": true", with: "\"AutoDeploy\": true, \"DefaultRouteSettings\": {\"ThrottlingBurstLimit\": 5}, \"AccessLogSettings\": {\"DestinationArn\": \"arn:aws:logs:x\"}")
        let after = Self.rules(fixed, path: "stack.json")
        #expect(!after.contains("TM-API-001") && !after.contains("TM-API-002") && !after.contains("TM-API-003"), "\(after)")
        // A usage plan with Throttle counts as throttling.
        let plan = text.replacingOccurrences(of: "\"Orders\": {", with: "\"Plan\": {\"Type\": \"AWS::ApiGateway::UsagePlan\", \"Properties\": {\"ApiStages\": [{\"ApiId\": {\"Ref\": \"Api\"}, \"Stage\": \"prod\"}], \"Throttle\": {\"RateLimit\": 5}}},\n    \"Orders\": {")
        #expect(Self.findings(plan, path: "stack.json").filter { $0.rule == "TM-API-002" }.compactMap(\.logicalId) == ["HttpStage"])
        // WebSocket: only $connect carries an authorizer.
        let socket = Self.cfn + """
        Resources:
          Ws: {Type: AWS::ApiGatewayV2::Api, Properties: {Name: w, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}}
          Connect: {Type: AWS::ApiGatewayV2::Route, Properties: {ApiId: !Ref Ws, RouteKey: $connect}}
          Message: {Type: AWS::ApiGatewayV2::Route, Properties: {ApiId: !Ref Ws, RouteKey: sendmessage}}
          Disconnect: {Type: AWS::ApiGatewayV2::Route, Properties: {ApiId: !Ref Ws, RouteKey: $disconnect}}
        """
        #expect(Self.findings(socket).filter { $0.rule == "TM-API-001" }.map(\.logicalId) == ["Connect"])
    }

    @Test func functionUrls() {
        let sam = Self.sam + "Resources:\n" + Self.function("FunctionUrlConfig:\n  AuthType: NONE")
        let found = Self.findings(sam).filter { $0.rule == "TM-API-004" }
        #expect(found.count == 1 && found.first?.element == "fn-url")
        #expect(Self.rules(sam.replacingOccurrences(of: "AuthType: NONE", with: "AuthType: AWS_IAM")).isEmpty)
        let marked = sam.replacingOccurrences(of: "    Properties:\n", with: "    Metadata:\n      tmrepo: {public: \"webhook; HMAC checked in code\"}\n    Properties:\n")
        #expect(Self.findings(marked).first { $0.rule == "TM-API-004" }?.severity == .info)
        let cfn = Self.cfn + "Resources:\n  U:\n    Type: AWS::Lambda::Url\n    Properties: {TargetFunctionArn: !GetAtt F.Arn, AuthType: NONE}\n"
        #expect(Self.rules(cfn) == ["TM-API-004"])
        #expect(Self.rules(cfn.replacingOccurrences(of: "AuthType: NONE", with: "AuthType: AWS_IAM")).isEmpty)
    }

    // MARK: Audit trail, data stores, runtimes

    @Test func cloudTrailOncePerSystem() {
        let none = Self.findings(Self.cfn + "Resources:\n  Q: {Type: AWS::SQS::Queue, Properties: {SqsManagedSseEnabled: true}}\n")
        #expect(none.map(\.rule) == ["TM-LOG-001"] && none.first?.logicalId == nil && none.first?.severity == .info)
        #expect(Self.findings(Self.cfn + "Resources:\n  T: {Type: AWS::CloudTrail::Trail, Properties: {IsLogging: true, S3BucketName: b}}\n").isEmpty)
    }

    @Test func bucketsAndResourcePolicies() throws {
        let bucket = Self.cfn + "Resources:\n  B:\n    Type: AWS::S3::Bucket\n"
        #expect(Set(Self.rules(bucket)) == ["TM-DATA-001", "TM-DATA-003"])
        let closed = bucket + """
            Properties:
              BucketEncryption: {ServerSideEncryptionConfiguration: [{ServerSideEncryptionByDefault: {SSEAlgorithm: aws:kms}}]}
              PublicAccessBlockConfiguration: {BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true}
        """
        #expect(Self.rules(closed).isEmpty)
        let opened = Self.findings(closed.replacingOccurrences(of: "BlockPublicPolicy: true", with: "BlockPublicPolicy: false"))
        #expect(opened.first { $0.rule == "TM-DATA-001" }?.severity == .medium)
        let policy = """
          P:
            Type: AWS::S3::BucketPolicy
            Properties:
              Bucket: !Ref B
              PolicyDocument:
                Statement:
                  - {Effect: Allow, Principal: "*", Action: s3:GetObject, Resource: !Sub "${B.Arn}/*"}

        """
        let open = Self.findings(closed + "\n" + policy).filter { $0.rule == "TM-DATA-002" }
        #expect(open.count == 1 && open.first?.element == "b" && open.first?.logicalId == "P")
        #expect(Self.rules(closed + "\n" + policy.replacingOccurrences(of: "Resource: !Sub", with: "Condition: {StringEquals: {aws:SourceVpce: vpce-1}}, Resource: !Sub")).isEmpty)
        #expect(Self.rules(closed + "\n" + policy.replacingOccurrences(of: "Principal: \"*\"", with: "Principal: {Service: cloudfront.amazonaws.com}")).isEmpty)
        let json = try String(contentsOf: URL(fileURLWithPath: SourceTree.fixtures + "/templates/weak/stack.json"), encoding: .utf8)
        #expect(Self.findings(json, path: "stack.json").filter { $0.rule == "TM-DATA-002" }.map(\.logicalId) == ["JobsPolicy"])
    }

    @Test func encryptionSettings() {
        func one(_ resource: String) -> [VulnerabilityFinding] {
            Self.findings(Self.cfn + "Resources:\n  X: \(resource)\n").filter { $0.rule == "TM-DATA-003" }
        }
        #expect(one("{Type: AWS::SNS::Topic}").map(\.severity) == [.low])
        #expect(one("{Type: AWS::SNS::Topic, Properties: {KmsMasterKeyId: alias/aws/sns}}").isEmpty)
        #expect(one("{Type: AWS::SQS::Queue}").map(\.severity) == [.info])
        #expect(one("{Type: AWS::SQS::Queue, Properties: {SqsManagedSseEnabled: false}}").map(\.severity) == [.low])
        #expect(one("{Type: AWS::SQS::Queue, Properties: {KmsMasterKeyId: k}}").isEmpty)
        #expect(one("{Type: AWS::DynamoDB::Table, Properties: {KeySchema: []}}").map(\.severity) == [.info])
        #expect(one("{Type: AWS::DynamoDB::Table, Properties: {SSESpecification: {SSEEnabled: true}}}").isEmpty)
        #expect(Self.findings(Self.sam + "Resources:\n  T: {Type: AWS::Serverless::SimpleTable}\n").filter { $0.rule == "TM-DATA-003" }.count == 1)
    }

    @Test func deprecatedRuntimes() {
        let json = """
        {"Resources": {"F": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.9", "Handler": "i.h", "Role": "r", "Code": {"ZipFile": "x"}}}}}
        """
        #expect(Self.findings(json, path: "f.json").first { $0.rule == "TM-RUN-001" }?.severity == .high)
        #expect(Self.findings(json, path: "f.json", today: Day("2026-01-01")!).first { $0.rule == "TM-RUN-001" }?.severity == .medium)
        #expect(Self.rules(json, path: "f.json", today: Day("2025-12-14")!).isEmpty)
        #expect(Self.rules(json.replacingOccurrences(of: "python3.9", with: "python3.13"), path: "f.json").isEmpty)
        #expect(Self.rules(Self.sam + "Globals:\n  Function:\n    Runtime: go1.x\nResources:\n" + Self.function("MemorySize: 128").replacingOccurrences(of: "      Runtime: python3.13\n", with: "")) == ["TM-RUN-001"])
        #expect(Self.rules(Self.sam + "Resources:\n" + Self.function("PackageType: Image", runtime: "nodejs12.x")).isEmpty, "an image has no managed runtime")
    }

    /// The planted template: every check fires, each where it was planted.
    @Test func thePlantedTemplateTripsEveryCheck() throws {
        let weak = try String(contentsOfFile: SourceTree.fixtures + "/templates/weak/template.yaml", encoding: .utf8)
        let stack = try String(contentsOfFile: SourceTree.fixtures + "/templates/weak/stack.json", encoding: .utf8)
        let templates = [CloudFormationTemplate.parse(path: "weak/template.yaml", bytes: Array(weak.utf8)).template!,
                         CloudFormationTemplate.parse(path: "weak/stack.json", bytes: Array(stack.utf8)).template!]
        let found = TemplateScanner.scan(templates: templates, system: SystemDiscovery.discover(templates: templates), today: Self.today)
        #expect(Set(found.map(\.rule)) == Set(Check.allCases.map(\.rawValue)))
        // Keys are unique: two findings never share one.
        #expect(Set(found.map(\.key)).count == found.count, "\(found.map(\.key.description))")
        let secrets = found.filter { $0.rule.hasPrefix("TM-SEC") }.map { "\($0.rule) \($0.property ?? "")" }.sorted()
        #expect(secrets == ["TM-SEC-001 Environment.Variables.DATABASE_PASSWORD", "TM-SEC-001 Environment.Variables.DB_PASSWORD",
                            "TM-SEC-002 Environment.Variables.API_TOKEN", "TM-SEC-002 Environment.Variables.API_TOKEN",
                            "TM-SEC-002 Environment.Variables.STRIPE_SECRET_KEY"])
    }

    // MARK: Hostile input

    @Test func hostileTemplatesNeverCrash() {
        let odd = [
            "Resources:\n  A: {Type: AWS::IAM::Policy, Properties: {PolicyDocument: {Statement: 5}}}\n",
            "Resources:\n  A: {Type: AWS::IAM::Policy, Properties: {PolicyDocument: {Statement: [{Effect: Allow, Action: {a: b}, Resource: [[\"*\"]]}]}}}\n",
            "Resources:\n  A: {Type: AWS::Serverless::Function, Properties: {Policies: 7, Events: [1, 2], Environment: {Variables: [x]}}}\n",
            "Resources:\n  A: {Type: AWS::Lambda::Permission, Properties: {Principal: [x]}}\n",
            "Resources:\n  A: {Type: AWS::S3::Bucket, Properties: {PublicAccessBlockConfiguration: !If [c, x, y]}}\n",
            "Resources:\n  A: {Type: AWS::Serverless::Function, Properties: {Environment: {Variables: {DB_PASSWORD: !Join [\"\", [!Join [\"\", [!Join [\"\", [a]]]]]]}}}}\n",
        ]
        for text in odd { _ = Self.findings(Self.sam + text) }
    }
}
