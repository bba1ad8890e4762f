/// Lambda functions: secrets in environment variables, deprecated runtimes.
extension TemplateScan {
    /// Words that make a variable name a secret's.
    static let secretWords: Set<String> = ["PASSWORD", "PASSWD", "PWD", "PASSPHRASE", "SECRET", "TOKEN", "CREDENTIAL", "CREDENTIALS",
                                           "APIKEY", "PRIVATEKEY", "CLIENTSECRET", "ACCESSKEY", "SECRETKEY"]
    /// Words that, with `KEY` after them, make a secret (`API_KEY`, `PRIVATE_KEY`, `SIGNING_KEY`).
    static let keyQualifiers: Set<String> = ["API", "PRIVATE", "ACCESS", "SECRET", "SIGNING", "AUTH", "MASTER", "CLIENT", "HMAC", "WEBHOOK"]
    /// A last word that makes the variable a secret's name, location or setting, not the secret.
    static let notSecretTails: Set<String> = ["ARN", "ARNS", "NAME", "NAMES", "ID", "IDS", "PATH", "PARAM", "PARAMETER", "PARAMETERNAME",
                                              "URL", "URI", "ENDPOINT", "TABLE", "BUCKET", "QUEUE", "TOPIC", "TTL", "EXPIRY", "EXPIRATION",
                                              "EXPIRES", "LENGTH", "HEADER", "REGION", "ALIAS", "TYPE", "POLICY", "LOCATION", "PORT",
                                              "ENABLED", "SIZE", "LEVEL", "TIMEOUT", "MAX", "MIN", "COUNT", "MODE", "VERSION", "PREFIX",
                                              "KEYID", "FIELD", "ATTRIBUTE", "PROVIDER", "ISSUER", "AUDIENCE", "SCOPE", "SCOPES", "STORE",
                                              "SECONDS", "MINUTES", "HOURS", "DAYS", "DURATION", "VALIDITY", "LIFETIME", "INDEX", "KEYS"]

    /// `DB_PASSWORD`, `stripeApiKey`, `GITHUB_TOKEN` → true; `SECRET_ARN`, `TOKEN_TABLE` → false.
    static func nameLooksSecret(_ name: String) -> Bool {
        var words: [String] = []
        var current = ""
        var previous: Character?
        for char in name {
            if !(char.isLetter || char.isNumber) {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                if char.isUppercase, let previous, previous.isLowercase || previous.isNumber, !current.isEmpty {
                    words.append(current)
                    current = ""
                }
                current.append(char)
            }
            previous = char
        }
        if !current.isEmpty { words.append(current) }
        words = words.map { $0.uppercased() }
        guard let last = words.last, !notSecretTails.contains(last) else { return false }
        // `SECRETS_MANAGER_…`, `…_SECRET_ID`: settings of the secret store, not secrets.
        if words.count >= 2, words.suffix(2) == ["KEY", "ID"] { return false }
        for (index, word) in words.enumerated() {
            if secretWords.contains(word) { return true }
            if word == "KEY", index > 0, keyQualifiers.contains(words[index - 1]) { return true }
        }
        return false
    }

    /// A literal that is a credential whatever its variable is called.
    static func valueLooksSecret(_ value: String) -> Bool {
        if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") { return true }
        for prefix in ["ghp_", "github_pat_", "xoxb-", "xoxp-", "sk_live_", "glpat-"] where value.hasPrefix(prefix) && value.count > 20 { return true }
        for prefix in ["AKIA", "ASIA"] where value.hasPrefix(prefix) && value.count == 20 &&
            value.allSatisfy({ ($0.isUppercase || $0.isNumber) && $0.isASCII }) { return true }
        return false
    }

    /// Not a secret's value: empty, a number or flag, an ARN, a parameter path or a variable.
    static func literalIsNotSecret(_ value: String) -> Bool {
        let trimmed = value.trimmingCharacters(in: " ")
        if trimmed.isEmpty || trimmed.count < 4 { return true }
        if ["true", "false", "none", "null"].contains(trimmed.lowercased()) || trimmed.allSatisfy(\.isNumber) { return true }
        if trimmed.hasPrefix("arn:") || trimmed.hasPrefix("/") || trimmed.hasPrefix("http://") || trimmed.hasPrefix("https://") { return true }
        return false
    }

    enum SecretSource {
        case literal(String)
        case plainParameter(String)
        case resolved(String)
    }

    /// How a variable's value reaches the function, worst first; nil when it is no secret's value
    /// (a resource's ARN or name, an import, a mapping).
    func secretSource(_ value: TemplateValue, depth: Int = 0) -> SecretSource? {
        guard depth < 16 else { return nil }
        switch value.kind {
        case .string(let text):
            if let dynamic = Self.dynamicReference(text) { return .resolved(dynamic) }
            return Self.literalIsNotSecret(text) ? nil : .literal(text)
        case .intrinsic(let name, let argument):
            switch name {
            case "Ref":
                guard let target = argument.string else { return nil }
                return parameterSource(target)
            case "Fn::Sub":
                let text = argument.string ?? argument.list?.first?.string ?? ""
                if let dynamic = Self.dynamicReference(text) { return .resolved(dynamic) }
                var worst: SecretSource?
                let local = Set(argument.list?.dropFirst().first?.entries?.map(\.key) ?? [])
                for variable in CloudFormationTemplate.substitutions(in: text) where !local.contains(variable) {
                    if let source = parameterSource(variable) { worst = Self.worse(worst, source) }
                }
                for entry in argument.list?.dropFirst().first?.entries ?? [] {
                    if let source = secretSource(entry.value, depth: depth + 1) { worst = Self.worse(worst, source) }
                }
                return worst
            case "Fn::Join", "Fn::If", "Fn::Select":
                // The separator, condition name or index comes first: only the values count.
                var worst: SecretSource?
                for item in (argument.list ?? []).dropFirst() { if let source = secretSource(item, depth: depth + 1) { worst = Self.worse(worst, source) } }
                return worst
            default: return nil
            }
        case .list(let items):
            var worst: SecretSource?
            for item in items { if let source = secretSource(item, depth: depth + 1) { worst = Self.worse(worst, source) } }
            return worst
        default:
            return nil
        }
    }

    func parameterSource(_ name: String) -> SecretSource? {
        guard let parameter = template.parameters.first(where: { $0.name == name }) else { return nil }
        if parameter.noEcho || (parameter.type ?? "").hasPrefix("AWS::SSM::Parameter::Value") {
            return .resolved("parameter \(name)" + (parameter.noEcho ? " (NoEcho)" : " (SSM parameter value)"))
        }
        return .plainParameter(name)
    }

    static func worse(_ a: SecretSource?, _ b: SecretSource) -> SecretSource {
        func rank(_ source: SecretSource) -> Int {
            switch source { case .literal: 2; case .plainParameter: 2; case .resolved: 1 }
        }
        guard let a else { return b }
        return rank(b) > rank(a) ? b : a
    }

    /// `{{resolve:secretsmanager:…}}`, `{{resolve:ssm-secure:…}}`, `{{resolve:ssm:…}}`.
    static func dynamicReference(_ text: String) -> String? {
        for kind in ["secretsmanager", "ssm-secure", "ssm"] where text.contains("{{resolve:\(kind):") {
            return "{{resolve:\(kind):…}}"
        }
        return nil
    }

    func environment(_ resource: TemplateResource, _ properties: TemplateValue) {
        for entry in properties["Environment"]?["Variables"]?.entries ?? [] {
            let property = "Environment.Variables.\(entry.key)"
            let byName = Self.nameLooksSecret(entry.key)
            let literal = entry.value.string
            let byValue = literal.map(Self.valueLooksSecret) ?? false
            guard byName || byValue else { continue }
            let line = entry.keyLine > 0 ? entry.keyLine : entry.value.line
            switch secretSource(entry.value) {
            case .literal?:
                add(.secretInEnvironment, resource, line: line, property: property,
                    "\(resource.logicalId): \(entry.key) is \(byValue ? "a credential" : "a secret") written in the template")
            case .plainParameter(let name)?:
                add(.secretInEnvironment, resource, line: line, property: property,
                    "\(resource.logicalId): \(entry.key) comes from parameter \(name), which has no NoEcho: the value is shown in the console and API")
            case .resolved(let how)?:
                add(.secretResolvedIntoEnvironment, resource, line: line, property: property,
                    "\(resource.logicalId): \(entry.key) is resolved from \(how) into the function's configuration at deployment")
            case nil:
                if byValue {
                    add(.secretInEnvironment, resource, line: line, property: property, "\(resource.logicalId): \(entry.key) holds a credential")
                }
            }
        }
    }

    func runtime(_ resource: TemplateResource, _ properties: TemplateValue) {
        guard properties["PackageType"]?.string != "Image", let value = properties["Runtime"], let runtime = value.string,
              let entry = RuntimeDeprecations.entry(runtime), entry.deprecated <= today else { return }
        let blocked = today >= entry.updateBlocked
        add(.deprecatedRuntime, resource, line: value.line, property: "Runtime", severity: blocked ? .high : .medium,
            "\(resource.logicalId): runtime \(runtime) deprecated on \(entry.deprecated)" +
            (blocked ? "; function updates blocked since \(entry.updateBlocked)" : "; updates blocked from \(entry.updateBlocked)") +
            (entry.successor.map { " (move to \($0))" } ?? ""))
    }
}
