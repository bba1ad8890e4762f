/// API Gateway (REST, HTTP, WebSocket; plain CloudFormation and SAM, with SAM's generated APIs)
/// and Lambda function URLs: authorization, throttling, access logs.
extension TemplateScan {
    func apiChecks(_ resource: TemplateResource, _ properties: TemplateValue) {
        switch resource.type {
        case "AWS::ApiGateway::Method": restMethod(resource, properties)
        case "AWS::ApiGatewayV2::Route": v2Route(resource, properties)
        case "AWS::Serverless::Function", "AWS::Serverless::StateMachine": samEvents(resource, properties)
        case "AWS::Serverless::Api":
            restStage(resource, logicalId: resource.logicalId, properties, line: resource.lines.lowerBound, api: resource.logicalId)
        case "AWS::Serverless::HttpApi":
            httpStage(resource, logicalId: resource.logicalId, properties, line: resource.lines.lowerBound)
        case "AWS::ApiGateway::Stage":
            restStage(resource, logicalId: resource.logicalId, properties, line: resource.lines.lowerBound,
                      api: targets(properties["RestApiId"]).first)
        case "AWS::ApiGateway::Deployment":
            // `StageName` on a deployment creates that stage, configured by `StageDescription`.
            guard properties["StageName"] != nil else { return }
            restStage(resource, logicalId: resource.logicalId, properties["StageDescription"] ?? TemplateValue(.map([])),
                      line: properties["StageName"]?.line ?? resource.lines.lowerBound, api: targets(properties["RestApiId"]).first)
        case "AWS::ApiGatewayV2::Stage":
            httpStage(resource, logicalId: resource.logicalId, properties, line: resource.lines.lowerBound,
                      subject: targets(properties["ApiId"]).first)
        case "AWS::Lambda::Url":
            if properties["AuthType"]?.string == "NONE" {
                let target = targets(properties["TargetFunctionArn"]).first
                let marker = Self.isPublic(resource) ?? target.flatMap { template.resource($0) }.flatMap(Self.isPublic)
                add(.functionUrlWithoutAuth, resource, line: properties["AuthType"]?.line ?? 0, property: "AuthType",
                    severity: marker == nil ? nil : .info, subject: elements[ResourceLink(path: template.path, logicalId: resource.logicalId)] != nil ? nil : target,
                    "\(resource.logicalId): function URL of \(target ?? "a function") with AuthType NONE" + (marker.map { ", marked public on purpose: \($0)" } ?? ": anyone can call it"))
            }
        default: break
        }
        if resource.type == "AWS::Serverless::Function", let url = properties["FunctionUrlConfig"], url["AuthType"]?.string == "NONE" {
            let marker = Self.isPublic(resource)
            let implicitURL = resource.logicalId + "Url"
            let subject = elements[ResourceLink(path: template.path, logicalId: implicitURL)] != nil ? implicitURL : resource.logicalId
            add(.functionUrlWithoutAuth, resource, line: url["AuthType"]?.line ?? url.line, property: "FunctionUrlConfig.AuthType",
                severity: marker == nil ? nil : .info, subject: subject,
                "\(resource.logicalId): FunctionUrlConfig AuthType NONE" + (marker.map { ", marked public on purpose: \($0)" } ?? ": anyone can call the function's URL"))
        }
    }

    // MARK: Authorization

    func restMethod(_ resource: TemplateResource, _ properties: TemplateValue) {
        let method = properties["HttpMethod"]?.string?.uppercased() ?? ""
        guard method != "OPTIONS" else { return }
        let type = properties["AuthorizationType"]?.string ?? (properties["AuthorizationType"] == nil ? "NONE" : nil)
        guard type?.uppercased() == "NONE" else { return }
        let api = targets(properties["RestApiId"]).first
        if let api, let definition = template.resource(api), Self.isPrivateEndpoint(definition.properties) { return }
        let marker = Self.isPublic(resource)
        add(.apiRouteWithoutAuthorizer, resource, line: properties["AuthorizationType"]?.line ?? resource.lines.lowerBound,
            property: "AuthorizationType", severity: marker == nil ? nil : .info, subject: api ?? resource.logicalId,
            "\(resource.logicalId): \(method.isEmpty ? "method" : method) on \(api ?? "a REST API") has AuthorizationType NONE" +
            (marker.map { ", marked public on purpose: \($0)" } ?? (properties["ApiKeyRequired"]?.isTrue == true ? " (an API key is not an authorizer)" : "")))
    }

    static func isPrivateEndpoint(_ properties: TemplateValue) -> Bool {
        let types = TemplateScan.literals(properties["EndpointConfiguration"]?["Types"]) + TemplateScan.literals(properties["EndpointConfiguration"]?["Type"])
            + TemplateScan.literals(properties["EndpointConfiguration"])
        return types.contains("PRIVATE")
    }

    func v2Route(_ resource: TemplateResource, _ properties: TemplateValue) {
        guard let key = properties["RouteKey"]?.string else { return }
        let type = properties["AuthorizationType"]?.string ?? (properties["AuthorizationType"] == nil ? "NONE" : nil)
        guard type?.uppercased() == "NONE" else { return }
        let api = targets(properties["ApiId"]).first
        let apiResource = api.flatMap { template.resource($0) }
        let websocket = apiResource?.properties["ProtocolType"]?.string == "WEBSOCKET" || (apiResource == nil && key.hasPrefix("$") && key != "$default")
        // WebSocket APIs authorize on `$connect` only; other routes cannot have an authorizer.
        if websocket && key != "$connect" { return }
        if key.uppercased().hasPrefix("OPTIONS ") { return }
        let marker = Self.isPublic(resource)
        add(.apiRouteWithoutAuthorizer, resource, line: properties["AuthorizationType"]?.line ?? resource.lines.lowerBound,
            property: "AuthorizationType", severity: marker == nil ? nil : .info, subject: api ?? resource.logicalId,
            "\(resource.logicalId): route \(key) on \(api ?? "an API") has no authorizer" + (marker.map { ", marked public on purpose: \($0)" } ?? ""))
    }

    /// SAM `Api` and `HttpApi` events: the route's own `Auth`, else the API's default authorizer.
    func samEvents(_ resource: TemplateResource, _ properties: TemplateValue) {
        for event in properties["Events"]?.entries ?? [] {
            guard let type = event.value["Type"]?.string, type == "Api" || type == "HttpApi" else { continue }
            let eventProperties = event.value["Properties"] ?? TemplateValue(.map([]))
            let method = eventProperties["Method"]?.string?.uppercased() ?? (type == "HttpApi" ? "ANY" : "")
            if method == "OPTIONS" { continue }
            let path = eventProperties["Path"]?.string ?? (type == "HttpApi" && eventProperties["Path"] == nil ? "$default" : "?")
            let apiId = type == "Api" ? eventProperties["RestApiId"] : eventProperties["ApiId"]
            let api = apiId.map { targets($0).first } ?? (type == "Api" ? "ServerlessRestApi" : "ServerlessHttpApi")
            let apiProperties: TemplateValue
            if let api, let apiResource = template.resource(api) {
                guard apiResource.type.hasPrefix("AWS::Serverless::") else { continue }
                apiProperties = template.effectiveProperties(apiResource)
            } else if apiId == nil {
                apiProperties = template.globals[type] ?? TemplateValue(.map([]))
            } else {
                continue   // an API from elsewhere: not judged
            }
            // Routes written in an OpenAPI body carry their own security: not judged here.
            if apiProperties["DefinitionBody"] != nil || apiProperties["DefinitionUri"] != nil { continue }
            if Self.isPrivateEndpoint(apiProperties) { continue }
            let routeAuthorizer = eventProperties["Auth"]?["Authorizer"]
            let defaultAuthorizer = apiProperties["Auth"]?["DefaultAuthorizer"]?.string
            let property = "Events.\(event.key)"
            let route = "\(method.isEmpty ? "" : method + " ")\(path)"
            if let routeAuthorizer {
                guard routeAuthorizer.string == "NONE" else { continue }
                add(.apiRouteWithoutAuthorizer, resource, line: routeAuthorizer.line, property: property, severity: .info, subject: api,
                    "\(resource.logicalId) \(property): route \(route) marked public on purpose (Auth.Authorizer: NONE)")
                continue
            }
            if let defaultAuthorizer, !defaultAuthorizer.isEmpty, defaultAuthorizer != "NONE" { continue }
            if type == "Api", apiProperties["Auth"]?["ResourcePolicy"] != nil { continue }
            if let marker = Self.isPublic(resource) {
                add(.apiRouteWithoutAuthorizer, resource, line: event.keyLine, property: property, severity: .info, subject: api,
                    "\(resource.logicalId) \(property): route \(route) has no authorizer, marked public on purpose: \(marker)")
                continue
            }
            add(.apiRouteWithoutAuthorizer, resource, line: event.keyLine, property: property, subject: api,
                "\(resource.logicalId) \(property): route \(route) on \(api ?? "the API") has no authorizer (no Auth on the event, no DefaultAuthorizer on the API)")
        }
    }

    // MARK: Stages

    static func hasThrottle(_ value: TemplateValue?) -> Bool {
        guard let value else { return false }
        return value["ThrottlingRateLimit"] != nil || value["ThrottlingBurstLimit"] != nil
    }

    /// A usage plan with `Throttle` (an `AWS::ApiGateway::UsagePlan` naming the API, or SAM `Auth.UsagePlan`).
    func usagePlanThrottles(api: String?) -> Bool {
        guard let api else { return false }
        return throttledByUsagePlan.contains(api)
    }

    func restStage(_ resource: TemplateResource, logicalId: String, _ properties: TemplateValue, line: Int, api: String?) {
        let throttled = (properties["MethodSettings"]?.list ?? []).contains(where: Self.hasThrottle) || Self.hasThrottle(properties)
            || (properties["Auth"]?["UsagePlan"].map { $0["Throttle"] != nil && $0["CreateUsagePlan"]?.string != "NONE" } ?? false)
            || usagePlanThrottles(api: api)
        let name = logicalId
        if !throttled {
            add(.apiStageWithoutThrottling, resource, logicalId: logicalId, line: line, property: "MethodSettings", subject: api ?? logicalId,
                "\(name): REST API stage without throttling (no ThrottlingRateLimit/ThrottlingBurstLimit in MethodSettings, no usage plan with Throttle)")
        }
        if properties["AccessLogSetting"]?["DestinationArn"] == nil {
            add(.apiStageWithoutAccessLog, resource, logicalId: logicalId, line: line, property: "AccessLogSetting", subject: api ?? logicalId,
                "\(name): REST API stage without access logging (no AccessLogSetting)")
        }
    }

    func httpStage(_ resource: TemplateResource?, logicalId: String, _ properties: TemplateValue, line: Int, subject: String? = nil) {
        let routes = properties["RouteSettings"]?.entries?.map(\.value) ?? properties["RouteSettings"]?.list ?? []
        let throttled = Self.hasThrottle(properties["DefaultRouteSettings"]) || routes.contains(where: Self.hasThrottle)
        if !throttled {
            add(.apiStageWithoutThrottling, resource, logicalId: logicalId, line: line, property: "DefaultRouteSettings", subject: subject ?? logicalId,
                "\(logicalId): API stage without throttling (no ThrottlingRateLimit/ThrottlingBurstLimit in DefaultRouteSettings or RouteSettings)")
        }
        if properties["AccessLogSettings"]?["DestinationArn"] == nil {
            add(.apiStageWithoutAccessLog, resource, logicalId: logicalId, line: line, property: "AccessLogSettings", subject: subject ?? logicalId,
                "\(logicalId): API stage without access logging (no AccessLogSettings)")
        }
    }

    /// SAM's generated `ServerlessRestApi` / `ServerlessHttpApi`, configured by `Globals`.
    func implicitApis() {
        var firstLine: [String: Int] = [:]
        for resource in template.resources where resource.type == "AWS::Serverless::Function" || resource.type == "AWS::Serverless::StateMachine" {
            for event in template.effectiveProperties(resource)["Events"]?.entries ?? [] {
                let type = event.value["Type"]?.string
                if type == "Api", event.value["Properties"]?["RestApiId"] == nil, firstLine["ServerlessRestApi"] == nil {
                    firstLine["ServerlessRestApi"] = event.keyLine
                } else if type == "HttpApi", event.value["Properties"]?["ApiId"] == nil, firstLine["ServerlessHttpApi"] == nil {
                    firstLine["ServerlessHttpApi"] = event.keyLine
                }
            }
        }
        if let line = firstLine["ServerlessRestApi"], template.resource("ServerlessRestApi") == nil {
            restStage(nil, logicalId: "ServerlessRestApi", template.globals["Api"] ?? TemplateValue(.map([])), line: line, api: "ServerlessRestApi")
        }
        if let line = firstLine["ServerlessHttpApi"], template.resource("ServerlessHttpApi") == nil {
            httpStage(nil, logicalId: "ServerlessHttpApi", template.globals["HttpApi"] ?? TemplateValue(.map([])), line: line)
        }
    }

    func restStage(_ resource: TemplateResource?, logicalId: String, _ properties: TemplateValue, line: Int, api: String?) {
        if let resource {
            restStage(resource, logicalId: logicalId, properties, line: line, api: api)
            return
        }
        let throttled = (properties["MethodSettings"]?.list ?? []).contains(where: Self.hasThrottle)
            || (properties["Auth"]?["UsagePlan"].map { $0["Throttle"] != nil && $0["CreateUsagePlan"]?.string != "NONE" } ?? false)
            || usagePlanThrottles(api: api)
        if !throttled {
            add(.apiStageWithoutThrottling, nil, logicalId: logicalId, line: line, property: "MethodSettings",
                "\(logicalId) (generated by SAM): REST API stage without throttling (set MethodSettings under Globals: Api:)")
        }
        if properties["AccessLogSetting"]?["DestinationArn"] == nil {
            add(.apiStageWithoutAccessLog, nil, logicalId: logicalId, line: line, property: "AccessLogSetting",
                "\(logicalId) (generated by SAM): REST API stage without access logging (set AccessLogSetting under Globals: Api:)")
        }
    }
}
