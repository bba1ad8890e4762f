import Testing
@testable import ThreatModel

struct ResourceMappingTests {
    /// every-type.yaml has one resource per type the table names (prefixes as `…::Anything`),
    /// each carrying the role it must map to: the table cannot change silently.
    @Test func everyTypeMapsToItsExpectedRole() throws {
        let template = try TemplateFixtures.template("every-type.yaml")
        for resource in template.resources {
            let expected = try #require(resource.metadata?["ExpectedRole"]?.string)
            let role = ResourceMapping.default.role(of: resource.type)
            #expect((role?.description ?? "unmapped") == expected, "\(resource.type)")
        }
        let fixtureTypes = Set(template.resources.map(\.type))
        for type in ResourceMapping.defaultTable.keys {
            let concrete = type.hasSuffix("*") ? String(type.dropLast()) + "Anything" : type
            #expect(fixtureTypes.contains(concrete), "every-type.yaml lacks \(type)")
        }
    }

    /// The serverless types the brief and IriusRisk StartLeft name, with their kinds.
    @Test(arguments: [
        ("AWS::Serverless::Function", "process"), ("AWS::Lambda::Function", "process"), ("AWS::Serverless::Api", "process"),
        ("AWS::Serverless::HttpApi", "process"), ("AWS::ApiGateway::RestApi", "process"), ("AWS::ApiGatewayV2::Api", "process"),
        ("AWS::AppSync::GraphQLApi", "process"), ("AWS::Serverless::GraphQLApi", "process"), ("AWS::Serverless::StateMachine", "process"),
        ("AWS::StepFunctions::StateMachine", "process"), ("AWS::Cognito::UserPool", "process"), ("AWS::Lambda::Url", "process"),
        ("AWS::DynamoDB::Table", "data-store"), ("AWS::Serverless::SimpleTable", "data-store"), ("AWS::DynamoDB::GlobalTable", "data-store"),
        ("AWS::S3::Bucket", "data-store"), ("AWS::SecretsManager::Secret", "data-store"), ("AWS::SSM::Parameter", "data-store"),
        ("AWS::RDS::DBInstance", "data-store"), ("AWS::RDS::DBCluster", "data-store"), ("AWS::ElastiCache::ReplicationGroup", "data-store"),
        ("AWS::OpenSearchService::Domain", "data-store"), ("AWS::EFS::FileSystem", "data-store"), ("AWS::Timestream::Table", "data-store"),
        ("AWS::SQS::Queue", "data-flow"), ("AWS::SNS::Topic", "data-flow"), ("AWS::Events::EventBus", "data-flow"),
        ("AWS::Events::Rule", "data-flow"), ("AWS::Kinesis::Stream", "data-flow"), ("AWS::KinesisFirehose::DeliveryStream", "data-flow"),
        ("AWS::Pipes::Pipe", "data-flow"),
        ("AWS::IAM::Role", "none"), ("AWS::IAM::Policy", "none"), ("AWS::Lambda::Permission", "none"), ("AWS::ApiGateway::Stage", "none"),
        ("AWS::ApiGateway::Deployment", "none"), ("AWS::Logs::LogGroup", "none"), ("AWS::Lambda::EventSourceMapping", "none"),
        ("AWS::SNS::Subscription", "none"), ("AWS::ApiGateway::UsagePlan", "none"), ("Custom::Seeder", "none"),
    ])
    func defaultRoles(type: String, role: String) {
        #expect(ResourceMapping.default.role(of: type)?.description == role)
    }

    @Test func unknownTypesAreUnmapped() {
        #expect(ResourceMapping.default.role(of: "AWS::Gadget::Widget") == nil)
        #expect(ResourceMapping.default.role(of: "AWS::DynamoDB") == nil)
    }

    /// A model's overrides: exact beats prefix, the longer prefix wins, an override beats the default.
    @Test func overrides() throws {
        let mapping = ResourceMapping(overrides: [
            "AWS::Gadget::*": .element(.process),
            "AWS::Gadget::Store": .element(.dataStore),
            "AWS::SQS::Queue": .supporting,
            "AWS::Lambda::*": .element(.process),
        ])
        #expect(mapping.role(of: "AWS::Gadget::Widget") == .element(.process))
        #expect(mapping.role(of: "AWS::Gadget::Store") == .element(.dataStore))
        #expect(mapping.role(of: "AWS::SQS::Queue") == .supporting)
        #expect(mapping.role(of: "AWS::Lambda::Permission") == .element(.process))
        #expect(mapping.role(of: "AWS::SNS::Topic") == .element(.dataFlow))
        #expect(mapping != ResourceMapping.default)
        #expect(ResourceRole(configValue: "data-store") == .element(.dataStore))
        #expect(ResourceRole(configValue: "none") == .supporting)
        #expect(ResourceRole(configValue: "database") == nil)
    }
}
