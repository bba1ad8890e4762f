/// Data stores: S3 public access blocks, resource policies open to everyone, encryption settings.
extension TemplateScan {
    func dataStore(_ resource: TemplateResource, _ properties: TemplateValue) {
        switch resource.type {
        case "AWS::S3::Bucket":
            publicAccessBlock(resource, properties)
            if properties["BucketEncryption"] == nil {
                add(.storeWithoutEncryption, resource, line: resource.lines.lowerBound, property: "BucketEncryption", severity: .info,
                    "\(resource.logicalId): bucket without BucketEncryption: only S3's default encryption (AWS-owned key)")
            }
        case "AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable", "AWS::DynamoDB::GlobalTable":
            if properties["SSESpecification"]?["SSEEnabled"]?.isTrue != true {
                add(.storeWithoutEncryption, resource, line: properties["SSESpecification"]?.line ?? resource.lines.lowerBound,
                    property: "SSESpecification", severity: .info,
                    "\(resource.logicalId): table without SSESpecification.SSEEnabled: encrypted only with an AWS-owned key")
            }
        case "AWS::SQS::Queue":
            if properties["KmsMasterKeyId"] == nil, properties["SqsManagedSseEnabled"]?.isTrue != true {
                let off = properties["SqsManagedSseEnabled"]?.string == "false"
                add(.storeWithoutEncryption, resource, line: properties["SqsManagedSseEnabled"]?.line ?? resource.lines.lowerBound,
                    property: "KmsMasterKeyId", severity: off ? .low : .info,
                    "\(resource.logicalId): queue " + (off ? "with SqsManagedSseEnabled: false and no KmsMasterKeyId: messages unencrypted at rest"
                                                          : "without KmsMasterKeyId or SqsManagedSseEnabled: only SQS's default encryption"))
            }
        case "AWS::SNS::Topic":
            if properties["KmsMasterKeyId"] == nil {
                add(.storeWithoutEncryption, resource, line: resource.lines.lowerBound, property: "KmsMasterKeyId",
                    "\(resource.logicalId): topic without KmsMasterKeyId: messages are not encrypted at rest")
            }
        default: break
        }
    }

    static let publicAccessSettings = ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"]

    func publicAccessBlock(_ resource: TemplateResource, _ properties: TemplateValue) {
        guard let block = properties["PublicAccessBlockConfiguration"] else {
            add(.bucketWithoutPublicAccessBlock, resource, line: resource.lines.lowerBound, property: "PublicAccessBlockConfiguration",
                "\(resource.logicalId): bucket without PublicAccessBlockConfiguration (protected only by the S3 default for new buckets)")
            return
        }
        guard block.entries != nil else { return }   // a function: not judged
        var off: [String] = []
        for key in Self.publicAccessSettings {
            guard let value = block[key] else { off.append(key); continue }
            if value.intrinsic != nil { continue }
            if !value.isTrue { off.append(key) }
        }
        if !off.isEmpty {
            add(.bucketWithoutPublicAccessBlock, resource, line: block.line, property: "PublicAccessBlockConfiguration", severity: .medium,
                "\(resource.logicalId): public access block turned off or missing for \(off.joined(separator: ", "))")
        }
    }

    /// `Principal: "*"` or `{AWS: "*"}` in an Allow statement without a `Condition`.
    static func allowsAnyone(_ statement: TemplateValue) -> Bool {
        guard TemplateScan.isAllow(statement), statement["Condition"] == nil, let principal = statement["Principal"] else { return false }
        if principal.string == "*" { return true }
        return TemplateScan.literals(principal["AWS"]).contains("*")
    }

    func resourcePolicy(_ resource: TemplateResource, _ properties: TemplateValue) {
        guard let document = properties["PolicyDocument"] else { return }
        let subjectKey = ["AWS::S3::BucketPolicy": "Bucket", "AWS::SQS::QueuePolicy": "Queues", "AWS::SNS::TopicPolicy": "Topics"][resource.type] ?? ""
        let subject = targets(properties[subjectKey]).first
        for (statement, index) in Self.statements(document) where Self.allowsAnyone(statement) {
            let property = Self.statementPath("PolicyDocument", statement, index)
            let actions = Self.literals(statement["Action"])
            add(.resourcePolicyAnyPrincipal, resource, line: statement.line, property: property, subject: subject ?? resource.logicalId,
                "\(resource.logicalId) \(property): allows Principal \"*\" \(actions.prefix(4).joined(separator: ", "))\(actions.count > 4 ? "…" : "") on \(subject ?? "the resource") with no condition")
        }
    }
}
