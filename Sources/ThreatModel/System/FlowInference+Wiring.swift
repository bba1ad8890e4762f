/// Resources that connect others (mappings, subscriptions, rule targets, notifications,
/// integrations), and who can reach an element from outside.
extension FlowInference {
    func wiring(_ resource: TemplateResource, _ properties: TemplateValue) {
        let id = resource.logicalId, line = resource.lines.lowerBound
        func from(_ sources: [String], to consumers: [String], _ source: FlowSource, _ detail: String, at: Int? = nil) {
            for a in sources { for b in consumers { link(a, b, source, detail, line: at ?? line) } }
        }
        switch resource.type {
        case "AWS::Lambda::EventSourceMapping":
            from(targets(properties["EventSourceArn"]), to: targets(properties["FunctionName"]), .eventSourceMapping, "EventSourceMapping \(id)")
        case "AWS::SNS::Subscription":
            from(targets(properties["TopicArn"]), to: targets(properties["Endpoint"]), .subscription, "Subscription \(id)")
        case "AWS::SNS::Topic":
            for subscription in properties["Subscription"]?.list ?? [] {
                from([id], to: targets(subscription["Endpoint"]), .subscription, "Topic Subscription", at: subscription.line)
            }
        case "AWS::Events::Rule":
            from(targets(properties["EventBusName"]), to: [id], .ruleTarget, "Rule \(id) on its bus")
            for target in properties["Targets"]?.list ?? [] {
                from([id], to: targets(target["Arn"]), .ruleTarget, "Rule target \(target["Id"]?.string ?? "")", at: target.line)
            }
        case "AWS::Scheduler::Schedule":
            from([id], to: targets(properties["Target"]?["Arn"]), .ruleTarget, "Schedule target")
        case "AWS::Pipes::Pipe":
            from(targets(properties["Source"]), to: [id], .ruleTarget, "Pipe source")
            from([id], to: targets(properties["Enrichment"]) + targets(properties["Target"]), .ruleTarget, "Pipe target")
        case "AWS::KinesisFirehose::DeliveryStream":
            from(targets(properties["KinesisStreamSourceConfiguration"]?["KinesisStreamARN"]), to: [id], .delivery, "Firehose source")
            for entry in properties.entries ?? [] where entry.key.hasSuffix("DestinationConfiguration") {
                var copy = entry.value
                if var entries = copy.entries {
                    entries.removeAll { $0.key == "RoleARN" || $0.key == "CloudWatchLoggingOptions" }
                    copy.kind = .map(entries)
                }
                from([id], to: targets(copy), .delivery, entry.key, at: entry.keyLine)
            }
        case "AWS::S3::Bucket":
            let notifications = properties["NotificationConfiguration"]
            for (list, field) in [("LambdaConfigurations", "Function"), ("QueueConfigurations", "Queue"), ("TopicConfigurations", "Topic")] {
                for item in notifications?[list]?.list ?? [] {
                    from([id], to: targets(item[field]), .notification, "NotificationConfiguration.\(list)", at: item.line)
                }
            }
        case "AWS::SQS::Queue":
            from([id], to: targets(properties["RedrivePolicy"]?["deadLetterTargetArn"]), .integration, "RedrivePolicy (dead-letter queue)")
        case "AWS::Cognito::UserPool":
            from([id], to: targets(properties["LambdaConfig"]), .notification, "LambdaConfig trigger")
        case "AWS::Lambda::Url":
            from([id], to: targets(properties["TargetFunctionArn"]), .endpoint, "function URL")
        case "AWS::Lambda::Permission":
            from(targets(properties["SourceArn"]), to: targets(properties["FunctionName"]), .integration, "Permission \(id)")
        case "AWS::Serverless::Api", "AWS::Serverless::HttpApi", "AWS::ApiGateway::RestApi":
            from([id], to: targets(properties["DefinitionBody"]) + targets(properties["Body"]), .integration, "OpenAPI definition")
            for authorizer in properties["Auth"]?["Authorizers"]?.entries ?? [] {
                from([id], to: targets(authorizer.value), .integration, "Authorizer \(authorizer.key)", at: authorizer.keyLine)
            }
        case "AWS::ApiGateway::Method", "AWS::ApiGateway::Authorizer", "AWS::ApiGatewayV2::Integration",
             "AWS::ApiGatewayV2::Authorizer", "AWS::ApiGatewayV2::Route":
            let api = targets(properties["RestApiId"] ?? properties["ApiId"])
            var rest = properties
            if var entries = rest.entries {
                let skip: Set<String> = ["RestApiId", "ApiId", "ResourceId", "ParentId", "AuthorizerId", "Target", "Credentials",
                                         "CredentialsArn", "AuthorizerCredentialsArn"]
                entries.removeAll { skip.contains($0.key) }
                rest.kind = .map(entries)
            }
            from(api, to: targets(rest), .integration, "\(resource.type.split(separator: ":").last ?? "") \(id)")
        case "AWS::AppSync::DataSource":
            var rest = properties
            if var entries = rest.entries {
                entries.removeAll { $0.key == "ApiId" || $0.key == "ServiceRoleArn" }
                rest.kind = .map(entries)
            }
            from(targets(properties["ApiId"]), to: targets(rest), .integration, "DataSource \(id)")
        case "AWS::Serverless::GraphQLApi":
            from([id], to: targets(properties["DataSources"]), .integration, "DataSources")
            for authorizer in [properties["Auth"]].compactMap({ $0 }) { from([id], to: targets(authorizer), .integration, "Auth") }
        default:
            break
        }
    }

    /// Public callers of internet-facing endpoints and buckets; VPC boundaries.
    func exposureAndBoundaries() {
        var all = template.resources.map { ($0.logicalId, $0.type, template.effectiveProperties($0), $0.lines.lowerBound) }
        for implicitId in (builder.implicit[index] ?? []).sorted() {
            let type = implicitId == "ServerlessRestApi" ? "AWS::Serverless::Api" : implicitId == "ServerlessHttpApi" ? "AWS::Serverless::HttpApi" : "AWS::Lambda::Url"
            var properties = TemplateValue(.map([]))
            if type == "AWS::Serverless::Api" || type == "AWS::Serverless::HttpApi" {
                properties = template.globals[type == "AWS::Serverless::Api" ? "Api" : "HttpApi"] ?? properties
            } else if let function = template.resource(String(implicitId.dropLast(3))) {
                properties = template.effectiveProperties(function)["FunctionUrlConfig"] ?? properties
            }
            all.append((implicitId, type, properties, builder.node(key(implicitId))?.line ?? 0))
        }
        for (id, type, properties, line) in all {
            let nodeKey = key(id)
            guard builder.node(nodeKey) != nil else { continue }
            var exposure: String?
            var reads = false
            switch type {
            case "AWS::Serverless::Api", "AWS::ApiGateway::RestApi":
                let endpoint = properties["EndpointConfiguration"]
                let kinds = (endpoint?.string.map { [$0] } ?? endpoint?["Type"]?.string.map { [$0] } ?? endpoint?["Types"]?.list?.compactMap(\.string) ?? [])
                if !kinds.contains("PRIVATE") { exposure = "internet-facing REST API" + (properties["Auth"]?["DefaultAuthorizer"] == nil ? " (no default authorizer)" : "") }
            case "AWS::Serverless::HttpApi":
                exposure = "internet-facing HTTP API" + (properties["Auth"]?["DefaultAuthorizer"] == nil ? " (no default authorizer)" : "")
            case "AWS::ApiGatewayV2::Api":
                exposure = properties["ProtocolType"]?.string == "WEBSOCKET" ? "internet-facing WebSocket API" : "internet-facing HTTP API"
            case "AWS::AppSync::GraphQLApi", "AWS::Serverless::GraphQLApi":
                if properties["Visibility"]?.string != "PRIVATE" { exposure = "internet-facing GraphQL API" }
            case "AWS::Lambda::Url":
                exposure = properties["AuthType"]?.string == "NONE" ? "function URL with AuthType NONE (no authentication)" : "function URL (IAM authentication)"
            case "AWS::CloudFront::Distribution":
                exposure = "internet-facing CloudFront distribution"
            case "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancing::LoadBalancer":
                if properties["Scheme"]?.string != "internal" { exposure = "internet-facing load balancer" }
            case "AWS::S3::Bucket":
                if isPublic(bucket: id, properties) { exposure = "public bucket"; reads = true }
            default: break
            }
            if let exposure { builder.publicCaller(of: nodeKey, exposure: exposure, reads: reads, path: path, line: line) }
            if let vpc = vpc(of: properties, type: type) { builder.update(nodeKey) { $0.trustBoundary = vpc } }
        }
    }

    func isPublic(bucket id: String, _ properties: TemplateValue) -> Bool {
        if properties["AccessControl"]?.string?.hasPrefix("Public") == true || properties["WebsiteConfiguration"] != nil { return true }
        for resource in template.resources where resource.type == "AWS::S3::BucketPolicy" && targets(resource.properties["Bucket"]).contains(id) {
            for statement in resource.properties["PolicyDocument"]?["Statement"]?.list ?? [] where statement["Effect"]?.string == "Allow" {
                let principal = statement["Principal"]
                if (principal?.string == "*" || principal?["AWS"]?.string == "*") && statement["Condition"] == nil { return true }
            }
        }
        return false
    }

    /// The VPC boundary of a resource placed in subnets: the VPC's kebab-case id when the template declares it, else `vpc`.
    func vpc(of properties: TemplateValue, type: String) -> String? {
        let config = properties["VpcConfig"] ?? properties["VPCOptions"] ?? properties["VpcConfiguration"]
        let placed = config != nil || properties["DBSubnetGroupName"] != nil || properties["CacheSubnetGroupName"] != nil
            || properties["VPCSecurityGroups"] != nil || properties["SubnetGroupName"] != nil
        guard placed else { return nil }
        var subnets = targets(config?["SubnetIds"])
        if let group = targets(properties["DBSubnetGroupName"] ?? properties["CacheSubnetGroupName"]).first {
            subnets += targets(template.resource(group)?.properties["SubnetIds"])
        }
        for subnet in subnets {
            if let vpc = targets(template.resource(subnet)?.properties["VpcId"]).first { return "vpc-" + ElementNaming.kebab(vpc) }
        }
        return "vpc"
    }
}
