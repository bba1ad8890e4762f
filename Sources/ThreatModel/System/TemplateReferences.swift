/// Which other resources a template value points at: `Ref X`, `Fn::GetAtt [X, attr]`,
/// `Fn::Sub "…${X}…${X.Attr}…"` (not its own variables, not `${AWS::Region}`), through every
/// other function and container.
extension CloudFormationTemplate {
    /// Logical ids of resources named in `value`, in order, without repeats. `extra` names
    /// resources SAM generates (ServerlessRestApi, `<Function>Url`) that count as resources too.
    func references(in value: TemplateValue, extra: Set<String> = []) -> [String] {
        var out: [String] = []
        var seen: Set<String> = []
        func note(_ name: String) {
            var id = name
            if resourceIndex[id] == nil && !extra.contains(id), let dot = id.firstIndex(of: ".") { id = String(id[..<dot]) }
            guard resourceIndex[id] != nil || extra.contains(id), seen.insert(id).inserted else { return }
            out.append(id)
        }
        func walk(_ value: TemplateValue, hidden: Set<String>, depth: Int) {
            guard depth < 200 else { return }
            switch value.kind {
            case .list(let items): for item in items { walk(item, hidden: hidden, depth: depth + 1) }
            case .map(let entries): for entry in entries { walk(entry.value, hidden: hidden, depth: depth + 1) }
            case .intrinsic(let name, let argument):
                switch name {
                case "Ref":
                    if let target = argument.string, !hidden.contains(target) { note(target) }
                case "Fn::GetAtt":
                    if let target = argument.list?.first?.string { note(target) } else { walk(argument, hidden: hidden, depth: depth + 1) }
                case "Fn::Sub":
                    if let text = argument.string {
                        for variable in Self.substitutions(in: text) where !hidden.contains(variable) { note(variable) }
                    } else if let items = argument.list, let text = items.first?.string {
                        let local = Set(items.dropFirst().first?.entries?.map(\.key) ?? [])
                        for variable in Self.substitutions(in: text) where !local.contains(variable) { note(variable) }
                        for item in items.dropFirst() { walk(item, hidden: hidden, depth: depth + 1) }
                    }
                default:
                    walk(argument, hidden: hidden, depth: depth + 1)
                }
            default: break
            }
        }
        walk(value, hidden: [], depth: 0)
        return out
    }

    /// The `${Name}` and `${Name.Attr}` variables of a `Fn::Sub` string (`${!Literal}` is not one).
    static func substitutions(in text: String) -> [String] {
        var out: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            rest = rest[open.upperBound...]
            guard let close = rest.firstIndex(of: "}") else { break }
            let name = String(rest[..<close]).trimmingCharacters(in: " ")
            if !name.hasPrefix("!") && !name.hasPrefix("AWS::") && !name.isEmpty { out.append(name) }
            rest = rest[rest.index(after: close)...]
        }
        return out
    }
}

/// Which way data moves for a permission.
public enum FlowDirection: String, Sendable, Hashable, CaseIterable {
    /// The principal reads from the resource: resource → principal.
    case read
    /// The principal writes to or invokes the resource: principal → resource.
    case write
    /// Both.
    case readWrite = "read-write"

    var reads: Bool { self != .write }
    var writes: Bool { self != .read }

    static func combine(_ a: FlowDirection?, _ b: FlowDirection) -> FlowDirection {
        guard let a, a != b else { return b }
        return .readWrite
    }

    /// From an IAM action (`dynamodb:GetItem`, `sqs:SendMessage`, `s3:*`).
    public init(action: String) {
        let verb = action.split(separator: ":").last.map(String.init) ?? action
        if verb.contains("*") && !(verb.hasPrefix("Get") || verb.hasPrefix("List") || verb.hasPrefix("Describe")) {
            self = .readWrite
            return
        }
        let reads = ["Get", "List", "Describe", "Query", "Scan", "BatchGet", "Receive", "Select", "Read", "Download",
                     "Decrypt", "Subscribe", "Poll", "Consume", "Lookup", "Search", "Head", "Export", "ESHttpGet", "ESHttpHead"]
        self = reads.contains(where: { verb.hasPrefix($0) }) ? .read : .write
    }
}

/// SAM policy templates (`Policies: [{DynamoDBCrudPolicy: {TableName: !Ref Orders}}]`) and the
/// direction each grants. Those not listed count as read-write when they name a resource.
enum PolicyTemplates {
    static let directions: [String: FlowDirection] = {
        var table: [String: FlowDirection] = [:]
        for name in ["DynamoDBReadPolicy", "DynamoDBStreamReadPolicy", "DynamoDBBackupFullAccessPolicy", "S3ReadPolicy",
                     "SQSPollerPolicy", "SSMParameterReadPolicy", "SSMParameterWithSlashPrefixReadPolicy",
                     "AWSSecretsManagerGetSecretValuePolicy", "KinesisStreamReadPolicy", "KMSDecryptPolicy",
                     "EFSReadPolicy", "AthenaQueryPolicy", "CloudWatchDescribeAlarmHistoryPolicy",
                     "DynamoDBRestoreFromBackupPolicy", "TextractGetResultPolicy", "RekognitionReadPolicy", "SESBulkTemplatedCrudPolicy_v2"] {
            table[name] = .read
        }
        for name in ["DynamoDBWritePolicy", "S3WritePolicy", "SQSSendMessagePolicy", "SNSPublishMessagePolicy",
                     "EventBridgePutEventsPolicy", "FirehoseWritePolicy", "StepFunctionsExecutionPolicy", "LambdaInvokePolicy",
                     "KMSEncryptPolicy", "SESSendBouncePolicy", "SESEmailTemplateCrudPolicy", "SESBulkTemplatedCrudPolicy",
                     "EFSWriteAccessPolicy", "CloudWatchPutMetricPolicy", "SNSCrudPolicy"] {
            table[name] = .write
        }
        for name in ["DynamoDBCrudPolicy", "S3CrudPolicy", "KinesisCrudPolicy", "SESCrudPolicy", "ElasticsearchHttpPostPolicy",
                     "AWSSecretsManagerRotationPolicy", "SSMParameterReadWritePolicy", "FirehoseCrudPolicy", "S3FullAccessPolicy"] {
            table[name] = .readWrite
        }
        return table
    }()

    /// Name arguments that may hold a literal physical name rather than a reference.
    static let nameArguments = ["TableName", "BucketName", "QueueName", "TopicName", "StreamName", "ParameterName",
                                "SecretArn", "StateMachineName", "FunctionName", "EventBusName", "DeliveryStreamName", "KeyId", "DomainName"]
}
