/// What a template resource becomes in the data-flow diagram.
public enum ResourceRole: Sendable, Hashable, CustomStringConvertible {
    /// An element of this kind (queues, topics, buses and streams are data flows between the
    /// producer and consumer they connect).
    case element(ElementKind)
    /// Not an element: roles, policies, permissions, stages, log groups, mappings, subscriptions…
    /// They inform flows and boundaries.
    case supporting

    /// Reads a `.tmrepo.yml` value: an element kind, or `none` for "not an element".
    public init?(configValue: String) {
        if configValue == "none" || configValue == "supporting" {
            self = .supporting
        } else if let kind = ElementKind(rawValue: configValue) {
            self = .element(kind)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .element(let kind): kind.rawValue
        case .supporting: "none"
        }
    }
}

/// Which AWS resource types map to which element kinds: a documented default table, plus a
/// model's overrides from `.tmrepo.yml` (`system: resource_kinds: {AWS::X::Y: process, AWS::Logs::*: none}`).
/// Keys are exact types or a prefix ending in `*`; exact beats prefix, the longer prefix beats
/// the shorter, an override beats the default. A type matched by nothing is *unmapped*: reported,
/// never dropped.
public struct ResourceMapping: Sendable, Equatable {
    public private(set) var exact: [String: ResourceRole]
    /// (prefix without `*`, role), longest first.
    public private(set) var prefixes: [(String, ResourceRole)]

    public static func == (lhs: ResourceMapping, rhs: ResourceMapping) -> Bool {
        lhs.exact == rhs.exact && lhs.prefixes.map(\.0) == rhs.prefixes.map(\.0) && lhs.prefixes.map(\.1) == rhs.prefixes.map(\.1)
    }

    public init(table: [String: ResourceRole]) {
        exact = [:]
        prefixes = []
        apply(table)
    }

    /// The default table with `overrides` applied.
    public init(overrides: [String: ResourceRole] = [:]) {
        self.init(table: Self.defaultTable)
        apply(overrides)
    }

    public static let `default` = ResourceMapping()

    private mutating func apply(_ table: [String: ResourceRole]) {
        for (key, role) in table {
            if key.hasSuffix("*") {
                let prefix = String(key.dropLast())
                prefixes.removeAll { $0.0 == prefix }
                prefixes.append((prefix, role))
            } else {
                exact[key] = role
            }
        }
        prefixes.sort { $0.0.count != $1.0.count ? $0.0.count > $1.0.count : $0.0 < $1.0 }
    }

    /// The role of `type`, or nil when the table does not know it.
    public func role(of type: String) -> ResourceRole? {
        if let role = exact[type] { return role }
        return prefixes.first { type.hasPrefix($0.0) }?.1
    }

    private static let process: [String] = [
        // Compute, serverless first (StartLeft's serverless set and more).
        "AWS::Serverless::Function", "AWS::Lambda::Function", "AWS::Lambda::Url",
        "AWS::Serverless::Api", "AWS::Serverless::HttpApi", "AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api",
        "AWS::AppSync::GraphQLApi", "AWS::Serverless::GraphQLApi",
        "AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine",
        "AWS::Cognito::UserPool", "AWS::Cognito::IdentityPool",
        "AWS::ECS::Service", "AWS::EKS::Cluster", "AWS::EC2::Instance", "AWS::AutoScaling::AutoScalingGroup",
        "AWS::AppRunner::Service", "AWS::Batch::JobDefinition", "AWS::Glue::Job", "AWS::CodeBuild::Project",
        "AWS::CodePipeline::Pipeline", "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancing::LoadBalancer",
        "AWS::CloudFront::Distribution", "AWS::WAFv2::WebACL", "AWS::WAF::WebACL", "AWS::WAFRegional::WebACL",
        "AWS::NetworkFirewall::Firewall", "AWS::KinesisAnalytics::Application", "AWS::KinesisAnalyticsV2::Application",
        "AWS::DMS::ReplicationTask", "AWS::Athena::WorkGroup", "AWS::SES::EmailIdentity", "AWS::SES::ConfigurationSet",
        "AWS::Bedrock::Agent", "AWS::Bedrock::Flow", "AWS::IoT::TopicRule", "AWS::RDS::DBProxy",
        "AWS::Amplify::App", "AWS::Glue::Crawler", "AWS::BedrockAgentCore::Gateway", "AWS::BedrockAgentCore::Runtime",
        "AWS::SageMaker::Endpoint", "AWS::Transfer::Server", "AWS::SES::ReceiptRule",
    ]

    private static let dataStore: [String] = [
        "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "AWS::Serverless::SimpleTable",
        "AWS::S3::Bucket", "AWS::S3Express::DirectoryBucket", "AWS::SecretsManager::Secret", "AWS::SSM::Parameter",
        "AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::Neptune::DBCluster", "AWS::DocDB::DBCluster",
        "AWS::ElastiCache::CacheCluster", "AWS::ElastiCache::ReplicationGroup", "AWS::ElastiCache::ServerlessCache",
        "AWS::MemoryDB::Cluster", "AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain",
        "AWS::OpenSearchServerless::Collection", "AWS::EFS::FileSystem", "AWS::FSx::FileSystem",
        "AWS::Timestream::Database", "AWS::Timestream::Table", "AWS::Redshift::Cluster", "AWS::RedshiftServerless::Workgroup",
        "AWS::Glue::Database", "AWS::Glue::Table", "AWS::ECR::Repository", "AWS::KMS::Key", "AWS::QLDB::Ledger",
        "AWS::Cassandra::Table", "AWS::CloudTrail::Trail", "AWS::Bedrock::KnowledgeBase", "AWS::AppConfig::ConfigurationProfile",
        "AWS::DocDB::DBInstance", "AWS::Neptune::DBInstance", "AWS::Kendra::Index", "AWS::CodeCommit::Repository", "AWS::DSQL::Cluster",
    ]

    private static let dataFlow: [String] = [
        "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::Events::EventBus", "AWS::Events::Rule", "AWS::Scheduler::Schedule",
        "AWS::Kinesis::Stream", "AWS::KinesisFirehose::DeliveryStream", "AWS::Pipes::Pipe",
        "AWS::AmazonMQ::Broker", "AWS::MSK::Cluster", "AWS::MSK::ServerlessCluster",
    ]

    private static let externalEntity: [String] = [
        // Calls leave the account: an HTTP endpoint someone else runs.
        "AWS::Events::ApiDestination",
    ]

    /// Not elements: they inform flows (permissions, mappings, subscriptions, integrations) and
    /// boundaries (VPCs, security groups), or are plumbing (stages, deployments, logs, alarms).
    private static let supporting: [String] = [
        "AWS::IAM::*", "AWS::Lambda::*", "AWS::ApiGateway::*", "AWS::ApiGatewayV2::*", "AWS::AppSync::*",
        "AWS::Cognito::*", "AWS::Logs::*", "AWS::CloudWatch::*", "AWS::SNS::*", "AWS::SQS::*", "AWS::S3::*",
        "AWS::Events::*", "AWS::Scheduler::*", "AWS::EC2::*", "AWS::RDS::*", "AWS::ElastiCache::*", "AWS::DynamoDB::*",
        "AWS::SecretsManager::*", "AWS::SSM::*", "AWS::KMS::*", "AWS::Kinesis::*", "AWS::EFS::*", "AWS::ECS::*",
        "AWS::ElasticLoadBalancingV2::*", "AWS::AutoScaling::*", "AWS::ApplicationAutoScaling::*", "AWS::StepFunctions::*",
        "AWS::CloudFormation::*", "Custom::*", "AWS::Route53::*", "AWS::CertificateManager::*", "AWS::WAFv2::*",
        "AWS::CloudFront::*", "AWS::XRay::*", "AWS::CodeDeploy::*", "AWS::Serverless::Connector",
        "AWS::Serverless::LayerVersion", "AWS::Serverless::Application", "AWS::Budgets::*",
        "AWS::ResourceGroups::*", "AWS::ServiceDiscovery::*", "AWS::Pipes::*", "AWS::KinesisFirehose::*",
        "AWS::OpenSearchServerless::*", "AWS::OpenSearchService::*", "AWS::Batch::*", "AWS::ACMPCA::*", "AWS::AppConfig::*",
        "AWS::ApplicationInsights::*", "AWS::DocDB::*", "AWS::Neptune::*", "AWS::IoT::*", "AWS::Kendra::*", "AWS::SES::*",
        "AWS::MemoryDB::*", "AWS::GuardDuty::*", "AWS::Amplify::*", "AWS::Glue::*", "AWS::SageMaker::*", "AWS::Bedrock::*",
        "AWS::BedrockAgentCore::*", "AWS::ECR::*", "AWS::Config::*", "AWS::SecurityHub::*", "AWS::Synthetics::*",
        "AWS::ElasticLoadBalancing::*", "AWS::Transfer::*", "AWS::Redshift::*", "AWS::Timestream::*", "AWS::CloudTrail::*",
        "AWS::FSx::*", "AWS::MSK::*", "AWS::AmazonMQ::*", "AWS::CodeBuild::*", "AWS::CodePipeline::*",
        "AWS::CodeCommit::*", "AWS::Athena::*", "AWS::QuickSight::*",
    ]

    public static let defaultTable: [String: ResourceRole] = {
        var table: [String: ResourceRole] = [:]
        for type in supporting { table[type] = .supporting }
        for type in process { table[type] = .element(.process) }
        for type in dataStore { table[type] = .element(.dataStore) }
        for type in dataFlow { table[type] = .element(.dataFlow) }
        for type in externalEntity { table[type] = .element(.externalEntity) }
        return table
    }()
}
