/// Infers the flows of one template: from what functions and state machines declare (SAM
/// `Events`, policy templates, IAM statements of their roles, environment variables,
/// state-machine definitions) and from the resources that wire others together (event source
/// mappings, subscriptions, rule targets, notifications, integrations, connectors).
struct FlowInference {
    let builder: DiscoveryBuilder
    let template: CloudFormationTemplate
    let index: Int

    /// Literal physical names (`TableName: orders`) → logical id, built once per template.
    let physicalNames: [String: String]

    init(builder: DiscoveryBuilder, template: CloudFormationTemplate, index: Int) {
        self.builder = builder
        self.template = template
        self.index = index
        var names: [String: String] = [:]
        for resource in template.resources {
            for key in ["TableName", "BucketName", "QueueName", "TopicName", "FunctionName", "StateMachineName", "Name", "EventBusName"] {
                if let name = resource.properties[key]?.string, names[name] == nil { names[name] = resource.logicalId }
            }
        }
        physicalNames = names
    }

    static let computeTypes: Set<String> = ["AWS::Serverless::Function", "AWS::Lambda::Function",
                                            "AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"]

    var path: String { template.path }

    func key(_ logicalId: String) -> String { DiscoveryBuilder.key(index, logicalId) }

    /// Resources named in `value`, seen through aliases and versions to their function.
    func targets(_ value: TemplateValue?) -> [String] {
        guard let value else { return [] }
        var out: [String] = []
        for id in template.references(in: value, extra: builder.implicit[index] ?? []) {
            var resolved = id
            if let resource = template.resource(id), ["AWS::Lambda::Alias", "AWS::Lambda::Version"].contains(resource.type),
               let function = template.references(in: resource.properties["FunctionName"] ?? TemplateValue(.null)).first {
                resolved = function
            }
            if !out.contains(resolved) { out.append(resolved) }
        }
        return out
    }

    /// A literal physical name (`TableName: orders`) or a reference, as logical ids.
    func targetsOrNamed(_ value: TemplateValue?) -> [String] {
        guard let value else { return [] }
        if let name = value.string, let id = physicalNames[name] { return [id] }
        return targets(value)
    }

    func link(_ from: String, _ to: String, _ source: FlowSource, _ detail: String, line: Int) {
        builder.edge(key(from), key(to), source, detail, path: path, line: line)
    }

    func link(_ principal: String, _ target: String, direction: FlowDirection, _ source: FlowSource, _ detail: String, line: Int) {
        if direction.reads { link(target, principal, source, detail, line: line) }
        if direction.writes { link(principal, target, source, detail, line: line) }
    }

    func run() {
        addImplicitResources()
        let statementsByRole = roleStatements()
        for resource in template.resources {
            let properties = template.effectiveProperties(resource)
            if Self.computeTypes.contains(resource.type) {
                events(of: resource, properties)
                policies(of: resource, properties)
                for role in targets(properties["Role"] ?? properties["RoleArn"]) {
                    for (statement, detail) in statementsByRole[role] ?? [] {
                        self.statement(statement, principal: resource.logicalId, detail: "\(detail) of role \(role)")
                    }
                }
                definition(of: resource, properties)
                destinations(of: resource, properties)
            }
            wiring(resource, properties)
            connectors(resource)
        }
        // Environment variables say "uses" without a direction: drawn only where nothing else links the pair.
        for resource in template.resources where Self.computeTypes.contains(resource.type) {
            let properties = template.effectiveProperties(resource)
            for variable in properties["Environment"]?["Variables"]?.entries ?? [] {
                for target in targets(variable.value) where !linked(resource.logicalId, target) {
                    link(resource.logicalId, target, .environment, "Environment.Variables.\(variable.key)", line: variable.keyLine)
                }
            }
        }
        exposureAndBoundaries()
    }

    func linked(_ a: String, _ b: String) -> Bool {
        builder.linked(key(a), key(b))
    }

    /// SAM's generated APIs (`ServerlessRestApi`, `ServerlessHttpApi`) and function URLs (`<Function>Url`).
    func addImplicitResources() {
        for resource in template.resources where resource.type == "AWS::Serverless::Function" || resource.type == "AWS::Serverless::StateMachine" {
            let properties = template.effectiveProperties(resource)
            for event in properties["Events"]?.entries ?? [] {
                let type = event.value["Type"]?.string, eventProperties = event.value["Properties"]
                if type == "Api", eventProperties?["RestApiId"] == nil {
                    builder.addImplicit(template, index: index, logicalId: "ServerlessRestApi", type: "AWS::Serverless::Api", line: event.keyLine)
                } else if type == "HttpApi", eventProperties?["ApiId"] == nil {
                    builder.addImplicit(template, index: index, logicalId: "ServerlessHttpApi", type: "AWS::Serverless::HttpApi", line: event.keyLine)
                }
            }
            if let url = properties["FunctionUrlConfig"], url.entries != nil {
                let id = resource.logicalId + "Url"
                builder.addImplicit(template, index: index, logicalId: id, type: "AWS::Lambda::Url", line: url.line)
                link(id, resource.logicalId, .endpoint, "FunctionUrlConfig", line: url.line)
            }
        }
    }

    /// SAM `Events`: the event source flows into the function or state machine.
    func events(of resource: TemplateResource, _ properties: TemplateValue) {
        let consumer = resource.logicalId
        for event in properties["Events"]?.entries ?? [] {
            let type = event.value["Type"]?.string ?? "?"
            let eventProperties = event.value["Properties"] ?? TemplateValue(.map([]))
            let detail = "Events.\(event.key) (\(type))"
            var sources: [String]
            switch type {
            case "Api": sources = eventProperties["RestApiId"].map { targets($0) } ?? ["ServerlessRestApi"]
            case "HttpApi": sources = eventProperties["ApiId"].map { targets($0) } ?? ["ServerlessHttpApi"]
            case "SQS": sources = targets(eventProperties["Queue"])
            case "SNS": sources = targets(eventProperties["Topic"])
            case "S3": sources = targets(eventProperties["Bucket"])
            case "DynamoDB", "Kinesis", "MSK": sources = targets(eventProperties["Stream"])
            case "MQ": sources = targets(eventProperties["Broker"])
            case "DocumentDB": sources = targets(eventProperties["Cluster"])
            case "Cognito": sources = targets(eventProperties["UserPool"])
            case "EventBridgeRule", "CloudWatchEvent": sources = targets(eventProperties["EventBusName"])
            case "Schedule", "ScheduleV2":
                let scheduler = "scheduler:" + path
                builder.addNode(key: scheduler, naming: "Scheduler", DiscoveredElement(
                    id: "", kind: .externalEntity, name: "EventBridge Scheduler (time-based trigger)", resourceType: nil, resource: nil,
                    trustBoundary: "aws-account", exposure: nil, from: nil, to: nil, implicit: true, line: event.keyLine))
                builder.edge(scheduler, key(consumer), .event, detail, path: path, line: event.keyLine)
                sources = []
            default: sources = targets(eventProperties)
            }
            for source in sources { link(source, consumer, .event, detail, line: event.keyLine) }
        }
    }

    /// SAM `Policies`: policy templates naming a resource, and inline statements.
    func policies(of resource: TemplateResource, _ properties: TemplateValue) {
        guard let policies = properties["Policies"] else { return }
        for item in policies.list ?? [policies] {
            if item["Statement"] != nil {
                statement(item, principal: resource.logicalId, detail: "Policies statement")
                continue
            }
            for entry in item.entries ?? [] {
                let direction = PolicyTemplates.directions[entry.key] ?? .readWrite
                var found: [String] = []
                for argument in entry.value.entries ?? [] {
                    found += PolicyTemplates.nameArguments.contains(argument.key) ? targetsOrNamed(argument.value) : targets(argument.value)
                }
                for target in found {
                    link(resource.logicalId, target, direction: direction, .policyTemplate, "Policies: \(entry.key)", line: entry.keyLine)
                }
            }
        }
    }

    /// An IAM policy document or statement (or list of them): allowed actions on resources in the template.
    func statement(_ value: TemplateValue, principal: String, detail: String) {
        let statements = value["Statement"].map { $0.list ?? [$0] } ?? (value.list ?? [value])
        for statement in statements {
            guard statement["Effect"]?.string != "Deny", let resources = statement["Resource"] else { continue }
            var direction: FlowDirection?
            let actions = statement["Action"].map { $0.list ?? [$0] } ?? []
            for action in actions.compactMap(\.string) { direction = FlowDirection.combine(direction, FlowDirection(action: action)) }
            for target in targets(resources) {
                link(principal, target, direction: direction ?? .readWrite, .iamStatement, detail, line: statement.line)
            }
        }
    }

    /// Statements per IAM role: its inline `Policies`, and `AWS::IAM::Policy`/`ManagedPolicy` resources attached to it.
    func roleStatements() -> [String: [(TemplateValue, String)]] {
        var out: [String: [(TemplateValue, String)]] = [:]
        for resource in template.resources {
            switch resource.type {
            case "AWS::IAM::Role":
                for policy in resource.properties["Policies"]?.list ?? [] {
                    if let document = policy["PolicyDocument"] { out[resource.logicalId, default: []].append((document, "Policies")) }
                }
                for managed in targets(resource.properties["ManagedPolicyArns"]) {
                    if let document = template.resource(managed)?.properties["PolicyDocument"] {
                        out[resource.logicalId, default: []].append((document, "ManagedPolicyArns \(managed)"))
                    }
                }
            case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
                guard let document = resource.properties["PolicyDocument"] else { continue }
                for role in targets(resource.properties["Roles"]) where template.resource(role)?.type == "AWS::IAM::Role" {
                    out[role, default: []].append((document, "\(resource.logicalId)"))
                }
            default: break
            }
        }
        return out
    }

    /// State machines: each Task state's resources in `Definition`, `DefinitionString` and `DefinitionSubstitutions`.
    func definition(of resource: TemplateResource, _ properties: TemplateValue) {
        guard resource.type.hasSuffix("StateMachine") else { return }
        let substitutions = properties["DefinitionSubstitutions"]
        func substituted(_ text: String) -> [String] {
            CloudFormationTemplate.substitutions(in: text).flatMap { name in targets(substitutions?[name]) }
        }
        func walk(_ value: TemplateValue, depth: Int) {
            guard depth < 64 else { return }
            if let entries = value.entries, let task = value["Resource"] {
                let action = task.string ?? ""
                let direction: FlowDirection = action.contains(":getItem") || action.contains(":query") || action.contains(":getObject")
                    || action.contains(":receiveMessage") || action.contains(":getSecretValue") ? .read : .write
                var found = targets(value)
                for entry in entries { found += stringsIn(entry.value).flatMap(substituted) }
                found += substituted(action)
                for target in Set(found).sorted() {
                    link(resource.logicalId, target, direction: direction, .stateMachine, "Definition \(action)", line: value.line)
                }
            }
            for child in value.list ?? value.entries?.map(\.value) ?? [] { walk(child, depth: depth + 1) }
        }
        if let definition = properties["Definition"] { walk(definition, depth: 0) }
        let text = properties["DefinitionString"]
        for target in targets(text) + targets(substitutions) where !linked(resource.logicalId, target) {
            link(resource.logicalId, target, .stateMachine, "DefinitionSubstitutions", line: (substitutions ?? text)?.line ?? 0)
        }
    }

    func stringsIn(_ value: TemplateValue) -> [String] {
        switch value.kind {
        case .string(let text): [text]
        case .list(let items): items.flatMap(stringsIn)
        case .map(let entries): entries.flatMap { stringsIn($0.value) }
        default: []
        }
    }

    /// Dead-letter queues and asynchronous invocation destinations: the function writes to them.
    func destinations(of resource: TemplateResource, _ properties: TemplateValue) {
        let candidates: [(TemplateValue?, String)] = [
            (properties["DeadLetterQueue"]?["TargetArn"], "DeadLetterQueue"),
            (properties["DeadLetterConfig"]?["TargetArn"], "DeadLetterConfig"),
            (properties["EventInvokeConfig"]?["DestinationConfig"], "EventInvokeConfig"),
        ]
        for (value, detail) in candidates {
            for target in targets(value) { link(resource.logicalId, target, .integration, detail, line: value?.line ?? 0) }
        }
    }

    /// SAM connectors: `AWS::Serverless::Connector` and a resource's own `Connectors`.
    func connectors(_ resource: TemplateResource) {
        func connect(source: [String], _ properties: TemplateValue, line: Int) {
            let destinations = properties["Destination"].map { $0.list ?? [$0] } ?? []
            var destinationIds: [String] = []
            for destination in destinations {
                if let id = destination["Id"]?.string { destinationIds.append(id) } else { destinationIds += targets(destination) }
            }
            let permissions = properties["Permissions"]?.list?.compactMap(\.string) ?? []
            let direction: FlowDirection = permissions.contains("Read") ? (permissions.contains("Write") ? .readWrite : .read) : .write
            for from in source {
                for to in destinationIds { link(from, to, direction: direction, .connector, "Connector \(permissions.joined(separator: "+"))", line: line) }
            }
        }
        if resource.type == "AWS::Serverless::Connector" {
            let source = resource.properties["Source"]
            let ids = source?["Id"]?.string.map { [$0] } ?? targets(source)
            connect(source: ids, resource.properties, line: resource.lines.lowerBound)
        }
        for connector in resource.definition["Connectors"]?.entries ?? [] {
            if let properties = connector.value["Properties"] { connect(source: [resource.logicalId], properties, line: connector.keyLine) }
        }
    }
}
