import Foundation
import Testing
@testable import ThreatModel

struct SystemDiscoveryTests {
    static func render(_ flow: DiscoveredFlow) -> String {
        "\(flow.from) -> \(flow.to)" + (flow.via.isEmpty ? "" : " via " + flow.via.joined(separator: ","))
    }

    static func shop() throws -> DiscoveredSystem {
        SystemDiscovery.discover(templates: [try TemplateFixtures.template("sam-shop.yaml", path: "shop/template.yaml")])
    }

    @Test func samElements() throws {
        let system = try Self.shop()
        var kinds: [String: String] = [:]
        for element in system.elements { kinds[element.id] = element.kind.rawValue }
        #expect(kinds == [
            "shop-api": "process", "authorizer-function": "process", "order-function": "process", "fulfilment-function": "process",
            "notify-function": "process", "receipt-function": "process", "stream-function": "process", "audit-function": "process",
            "webhook-function": "process", "checkout-state-machine": "process", "users": "process",
            "serverless-http-api": "process", "webhook-function-url": "process",
            "orders-table": "data-store", "audit-table": "data-store", "receipts-bucket": "data-store", "payment-secret": "data-store",
            "order-queue": "data-flow", "shipped-topic": "data-flow", "shop-bus": "data-flow", "click-stream": "data-flow",
            "shop-api-client": "external-entity", "serverless-http-api-client": "external-entity",
            "webhook-function-url-client": "external-entity", "scheduler": "external-entity",
        ])
        let order = try #require(system.element(id: "order-function"))
        #expect(order.name == "OrderFunction (AWS::Serverless::Function)")
        #expect(order.resource == ResourceLink(path: "shop/template.yaml", logicalId: "OrderFunction"))
        #expect(order.resource?.description == "shop/template.yaml#OrderFunction")
        #expect(order.line == 39)
        #expect(system.element(id: "serverless-http-api")?.implicit == true)
        #expect(system.element(id: "serverless-http-api")?.resource?.logicalId == "ServerlessHttpApi")
        #expect(system.element(for: ResourceLink(path: "shop/template.yaml", logicalId: "Users"))?.id == "users")
    }

    @Test func samFlows() throws {
        let flows = Set(try Self.shop().flows.map(Self.render))
        let expected: Set<String> = [
            "shop-api -> authorizer-function", "shop-api -> order-function",
            "order-function -> orders-table", "orders-table -> order-function",
            "order-function -> fulfilment-function via order-queue", "receipts-bucket -> order-function",
            "fulfilment-function -> notify-function via shipped-topic", "receipts-bucket -> receipt-function",
            "orders-table -> stream-function", "click-stream -> stream-function",
            "webhook-function -> audit-function via shop-bus", "scheduler -> audit-function", "users -> audit-function",
            "serverless-http-api -> webhook-function", "webhook-function-url -> webhook-function",
            "checkout-state-machine -> orders-table", "checkout-state-machine -> order-function",
            // Globals.Function.Environment (inherited by every function) and each function's own variables.
            "authorizer-function -> orders-table", "fulfilment-function -> orders-table", "notify-function -> orders-table",
            "receipt-function -> orders-table", "audit-function -> orders-table", "webhook-function -> orders-table",
            "audit-function -> audit-table", "audit-function -> payment-secret",
            "shop-api-client -> shop-api", "serverless-http-api-client -> serverless-http-api",
            "webhook-function-url-client -> webhook-function-url",
        ]
        #expect(flows.subtracting(expected).sorted() == [], "unexpected")
        #expect(expected.subtracting(flows).sorted() == [], "missing")
    }

    @Test func flowSourcesAndEvidence() throws {
        let system = try Self.shop()
        func flow(_ text: String) -> DiscoveredFlow? { system.flows.first { Self.render($0) == text } }
        #expect(flow("order-function -> orders-table")?.sources == [.policyTemplate])
        #expect(flow("order-function -> orders-table")?.details == ["Policies: DynamoDBCrudPolicy"])
        #expect(flow("order-function -> fulfilment-function via order-queue")?.sources == [.policyTemplate, .event])
        #expect(flow("fulfilment-function -> notify-function via shipped-topic")?.sources == [.iamStatement, .event])
        #expect(flow("webhook-function -> audit-function via shop-bus")?.sources == [.connector, .event])
        #expect(flow("notify-function -> orders-table")?.sources == [.environment])
        #expect(flow("checkout-state-machine -> orders-table")?.sources == [.stateMachine])
        #expect(flow("shop-api -> authorizer-function")?.details == ["Authorizer TokenAuth"])
        #expect(flow("shop-api -> order-function")?.path == "shop/template.yaml")
        #expect(flow("shop-api -> order-function")?.line == 51)
        let queue = try #require(system.element(id: "order-queue"))
        #expect(queue.from == "order-function" && queue.to == "fulfilment-function")
    }

    @Test func boundariesExposureAndUnmapped() throws {
        let system = try Self.shop()
        #expect(system.element(id: "fulfilment-function")?.trustBoundary == "vpc-shop-vpc")
        #expect(system.element(id: "order-function")?.trustBoundary == "aws-account")
        #expect(system.element(id: "shop-api-client")?.trustBoundary == "internet")
        #expect(system.element(id: "shop-api")?.exposure == "internet-facing REST API")
        #expect(system.element(id: "serverless-http-api")?.exposure == "internet-facing HTTP API (no default authorizer)")
        #expect(system.element(id: "webhook-function-url")?.exposure == "function URL with AuthType NONE (no authentication)")
        #expect(system.element(id: "receipts-bucket")?.exposure == nil)
        #expect(Set(system.boundaries.map(\.id)) == ["aws-account", "internet", "vpc-shop-vpc"])
        #expect(system.boundaries.first { $0.id == "vpc-shop-vpc" }?.members == ["fulfilment-function"])
        #expect(system.unmapped == [UnmappedResource(resource: ResourceLink(path: "shop/template.yaml", logicalId: "GadgetThing"),
                                                     type: "AWS::Gadget::Widget", line: 236)])
        #expect(system.diagnostics.map(\.rule) == ["unmapped-resource"])
        #expect(system.diagnostics.first?.formatted.hasPrefix("shop/template.yaml:236:3: warning:") == true)
        #expect(system.roles[ResourceLink(path: "shop/template.yaml", logicalId: "ShopVpc")] == .some(.supporting))
        #expect(system.roles[ResourceLink(path: "shop/template.yaml", logicalId: "GadgetThing")] == .some(nil))
        #expect(system.fingerprints.count == 23)
    }

    @Test func plainCloudFormationFlows() throws {
        let system = SystemDiscovery.discover(templates: [try TemplateFixtures.template("cfn-plain.json")])
        let flows = Set(system.flows.map(Self.render))
        let expected: Set<String> = [
            "api -> handler", "table -> handler", "db-secret -> handler", "handler -> database",
            "handler -> worker via jobs", "handler -> jobs-dlq via jobs", "uploads -> worker via jobs", "uploads -> jobs-dlq via jobs",
            "alerts -> worker", "nightly-rule -> worker", "api-client -> api", "uploads -> uploads-client",
        ]
        #expect(flows.subtracting(expected).sorted() == [], "unexpected")
        #expect(expected.subtracting(flows).sorted() == [], "missing")
        func flow(_ text: String) -> DiscoveredFlow? { system.flows.first { Self.render($0) == text } }
        #expect(flow("api -> handler")?.sources == [.integration])
        #expect(flow("table -> handler")?.sources == [.iamStatement])
        #expect(flow("alerts -> worker")?.sources == [.subscription])
        #expect(flow("nightly-rule -> worker")?.sources == [.ruleTarget])
        #expect(flow("handler -> worker via jobs")?.sources == [.iamStatement, .eventSourceMapping])
        #expect(flow("uploads -> worker via jobs")?.sources == [.notification, .eventSourceMapping])
        #expect(system.element(id: "uploads")?.exposure == "public bucket")
        #expect(system.element(id: "api")?.exposure == "internet-facing REST API (no default authorizer)")
        #expect(system.unmapped.isEmpty)
        #expect(system.elements.count == 13)
    }

    /// Ids stay unique across templates; the second template's OrderFunction is numbered.
    @Test func idsAreUniqueAcrossTemplates() throws {
        let a = try TemplateFixtures.template("digest-a.yaml", path: "a/template.yaml")
        let b = try TemplateFixtures.template("digest-c.yaml", path: "b/template.yaml")
        let system = SystemDiscovery.discover(templates: [a, b])
        #expect(system.elements.map(\.id) == ["fn", "table", "fn-2", "table-2"])
        #expect(system.elements.map { $0.resource?.description ?? "" } == ["a/template.yaml#Fn", "a/template.yaml#Table", "b/template.yaml#Fn", "b/template.yaml#Table"])
        #expect(Set(system.flows.map(Self.render)) == ["fn -> table", "fn-2 -> table-2"])
    }

    @Test(arguments: [("OrderFunction", "order-function"), ("SQSQueue", "sqs-queue"), ("MyAPIv2", "my-ap-iv2"),
                      ("Table1", "table1"), ("ServerlessRestApi", "serverless-rest-api"), ("lower", "lower"), ("S3Bucket", "s3-bucket")])
    func kebabCase(logicalId: String, id: String) {
        #expect(ElementNaming.kebab(logicalId) == id)
    }

    @Test(arguments: [("dynamodb:GetItem", FlowDirection.read), ("s3:Get*", .read), ("sqs:ReceiveMessage", .read),
                      ("sqs:SendMessage", .write), ("lambda:InvokeFunction", .write), ("events:PutEvents", .write),
                      ("s3:*", .readWrite), ("*", .readWrite)])
    func actionDirections(action: String, direction: FlowDirection) {
        #expect(FlowDirection(action: action) == direction)
    }

    @Test func policyTemplateDirections() {
        #expect(PolicyTemplates.directions["DynamoDBReadPolicy"] == .read)
        #expect(PolicyTemplates.directions["SQSSendMessagePolicy"] == .write)
        #expect(PolicyTemplates.directions["S3CrudPolicy"] == .readWrite)
        #expect(PolicyTemplates.directions["S3FullAccessPolicy"] == .readWrite)
    }

    @Test func moreSources() throws {
        let text = """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Role: !GetAtt FnRole.Arn
              Events:
                Get:
                  Type: Api
                  Properties: {Path: /, Method: get}
          FnRole:
            Type: AWS::IAM::Role
          FnPolicy:
            Type: AWS::IAM::Policy
            Properties:
              Roles: [!Ref FnRole]
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: ssm:GetParameter
                    Resource: !Sub arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter${Param}
          Param:
            Type: AWS::SSM::Parameter
          Bus:
            Type: AWS::Events::EventBus
          Rule:
            Type: AWS::Events::Rule
            Properties:
              EventBusName: !Ref Bus
              Targets: [{Id: q, Arn: !GetAtt Queue.Arn}]
          Queue:
            Type: AWS::SQS::Queue
          Pipe:
            Type: AWS::Pipes::Pipe
            Properties:
              Source: !GetAtt Queue.Arn
              Target: !Ref Machine
          Machine:
            Type: AWS::StepFunctions::StateMachine
            Properties:
              DefinitionString: !Sub '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"${Fn.Arn}","End":true}}}'
          Url:
            Type: AWS::Lambda::Url
            Properties: {TargetFunctionArn: !Ref Fn, AuthType: AWS_IAM}
          Private:
            Type: AWS::Serverless::Api
            Properties:
              StageName: p
              EndpointConfiguration: {Type: PRIVATE}
        """
        let template = try #require(TemplateFixtures.parse(text: text).template)
        let system = SystemDiscovery.discover(templates: [template])
        let flows = Set(system.flows.map(Self.render))
        // No producer feeds the bus in this template, so each carrier keeps its own edge.
        #expect(flows == [
            "serverless-rest-api -> fn", "param -> fn", "machine -> fn", "url -> fn",
            "bus -> rule", "rule -> queue", "queue -> pipe", "pipe -> machine",
            "serverless-rest-api-client -> serverless-rest-api", "url-client -> url",
        ], "\(flows.sorted())")
        #expect(system.element(id: "url")?.exposure == "function URL (IAM authentication)")
        #expect(system.element(id: "private")?.exposure == nil)
        #expect(system.element(id: "private-client") == nil)
    }

    /// Discovery over 2,000 resources stays well under a second (release builds; debug gets slack).
    @Test func largeTemplateIsFast() throws {
        var text = "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        for index in 0..<1000 {
            text += "  Fn\(index):\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.b\n"
            text += "      Policies: [{DynamoDBCrudPolicy: {TableName: !Ref T\(index)}}]\n"
            text += "      Events: {Q: {Type: SQS, Properties: {Queue: !GetAtt Q\(index).Arn}}}\n"
            text += "  T\(index):\n    Type: AWS::DynamoDB::Table\n"
        }
        let start = Date()
        let template = try #require(TemplateFixtures.parse(text: text).template)
        let system = SystemDiscovery.discover(templates: [template])
        #expect(system.elements.count == 2000)
        #expect(system.flows.count == 2000)
        #expect(Date().timeIntervalSince(start) < 10)
    }
}
