/// Every rule tmrepo reports a problem under: a stable id that scripts and the JSON output key on,
/// its usual level and what it means. docs/lint-rules.md lists exactly these (a test keeps them equal),
/// and each file rule has a bad-input fixture in Tests/Fixtures/lint/<id>/.
public enum LintRule: String, CaseIterable, Sendable {
    case fileTooLarge = "file-too-large"
    case notUtf8 = "not-utf8"
    case notARegularFile = "not-a-regular-file"
    case frontMatterMissing = "front-matter-missing"
    case frontMatterUnterminated = "front-matter-unterminated"
    case frontMatterEmpty = "front-matter-empty"
    case frontMatterNotMapping = "front-matter-not-mapping"
    case yamlSyntax = "yaml-syntax"
    case yamlAlias = "yaml-alias"
    case yamlTooDeep = "yaml-too-deep"
    case yamlTooLarge = "yaml-too-large"
    case duplicateKey = "duplicate-key"
    case missingField = "missing-field"
    case invalidValue = "invalid-value"
    case invalidType = "invalid-type"
    case invalidDate = "invalid-date"
    case invalidDuration = "invalid-duration"
    case invalidId = "invalid-id"
    case duplicateId = "duplicate-id"
    case idFilenameMismatch = "id-filename-mismatch"
    case duplicateMitigationId = "duplicate-mitigation-id"
    case unknownElement = "unknown-element"
    case unknownAsset = "unknown-asset"
    case unknownOwner = "unknown-owner"
    case unknownField = "unknown-field"
    case duplicateValue = "duplicate-value"
    case strideInferred = "stride-inferred"
    case unreadableInHistory = "unreadable-in-history"
    case reviewDateAfterCommit = "review-date-after-commit"
    case reviewAfterAsOf = "review-after-as-of"
    case unknownFlowEnd = "unknown-flow-end"
    case unmodeledResource = "unmodeled-resource"
    case missingResource = "missing-resource"
    case templateUnreadable = "template-unreadable"
    case templateUnknownTag = "template-unknown-tag"
    case unmappedResource = "unmapped-resource"
    case unknownReference = "unknown-reference"
    case acceptanceIncomplete = "acceptance-incomplete"
    case duplicateVulnerability = "duplicate-vulnerability"
    case unknownCheck = "unknown-check"

    /// Where the rule applies: a model file as it is, its history, or the templates beside it.
    public enum Scope: Sendable { case file, history, system }

    /// The level it is reported at (a few rules are reported at another level where a message says why).
    public var level: Diagnostic.Level {
        switch self {
        case .unknownOwner, .unknownField, .duplicateValue, .strideInferred, .unreadableInHistory, .reviewDateAfterCommit, .reviewAfterAsOf,
             .unmodeledResource, .missingResource, .unmappedResource, .unknownFlowEnd, .unknownCheck: .warning
        default: .error
        }
    }

    public var scope: Scope {
        switch self {
        case .unreadableInHistory, .reviewDateAfterCommit, .reviewAfterAsOf: .history
        case .unmodeledResource, .missingResource, .templateUnreadable, .templateUnknownTag, .unmappedResource: .system
        default: .file
        }
    }

    /// What it means, as docs/lint-rules.md says it.
    public var summary: String {
        switch self {
        case .fileTooLarge: "a threat file or inventory over 1 MiB; it is not parsed"
        case .notUtf8: "the file is not valid UTF-8 (the line of the first bad byte is given)"
        case .notARegularFile: "an entry below the threats folder is a symbolic link or a submodule, a folder is named `*.md`, or the threats or a catalog folder is itself no folder: never read, always reported"
        case .frontMatterMissing: "the file does not start with a `---` line"
        case .frontMatterUnterminated: "no closing `---` (or `...`) line"
        case .frontMatterEmpty: "nothing between the two `---` lines"
        case .frontMatterNotMapping: "the front matter is a list or a single value, not `key: value` fields"
        case .yamlSyntax: "libyaml could not parse the front matter; its position is reported"
        case .yamlAlias: "a YAML anchor (`&name`) or alias (`*name`) in any model file (threat front matter, `.tmrepo.yml`, `elements.yml`, `assets.yml`); refused before any tree is built, because a few hundred bytes of aliases (\"billion laughs\") expand into billions of values. Write the value out instead"
        case .yamlTooDeep: "YAML nested more than 64 levels (lists in lists, mappings in mappings); refused before it is read"
        case .yamlTooLarge: "YAML with more than 100,000 values in one file; refused before it is read"
        case .duplicateKey: "a key appears twice in one mapping"
        case .missingField: "a required field is absent: id, title, stride (non-empty), severity, status; owner while status is open or mitigated; id, title, status of a mitigation (or of a shared mitigation in the catalog); id and statement of an assumption; `reviewed.on`"
        case .invalidValue: "a value outside its set (severity, status, STRIDE category, mitigation status, element kind), an empty or multi-line title, an evidence path that is absolute or climbs out with `..`"
        case .invalidType: "a list where a value was expected, or the reverse"
        case .invalidDate: "not a real `YYYY-MM-DD` date from 0001-01-01 to 9999-12-31 (`reviewed.on`, `verified`)"
        case .invalidDuration: "not `<n>d`, `<n>w`, `<n>m` or `<n>y` with n ≥ 1, or longer than 100 years (36525d, 5218w, 1200m, 100y) (`review_every`, config `review_cadence` and `due_soon`)"
        case .invalidId: "the id is not the configured prefix followed by digits (catalog files: `MIT-` or `ASM-` followed by digits; a `ref:` that is not a `MIT-` id)"
        case .duplicateId: "two files claim the same id (each file is reported, naming the others)"
        case .idFilenameMismatch: "the file name does not start with the file's id (`T-0042-….md`)"
        case .duplicateMitigationId: "two mitigations of one threat share an id, or a threat references one shared mitigation twice"
        case .unknownElement: "`element` is not in `elements.yml` (checked only when that file exists)"
        case .unknownAsset: "an `assets` entry is not in `assets.yml` (checked only when that file exists)"
        case .unknownOwner: "an owner that is neither a team in `.tmrepo.yml` `owners` nor an email"
        case .unknownField: "an unknown key that looks like a misspelt known one (`severty`); other unknown keys are kept silently"
        case .duplicateValue: "a STRIDE category listed twice"
        case .strideInferred: "the threat carries the tag `stride-inferred`: an import guessed its STRIDE categories from the statement's words (docs/interop.md). Check `stride`, then remove the tag to confirm"
        case .unreadableInHistory: "a commit wrote a threat file that cannot be read; its threat keeps the facts of its last readable version"
        case .reviewDateAfterCommit: "a `reviewed.on` later than the commit that wrote it: the commit time counts, not the typed date"
        case .reviewAfterAsOf: "a review whose commit time is after the moment judged (`--as-of`, or now): it does not count yet"
        case .unknownFlowEnd: "a data-flow element's `from` or `to` is not an element in `elements.yml`"
        case .unmodeledResource: "a template resource that maps to an element kind has no element in `elements.yml` (attack surface nobody modeled; `tmrepo discover` adds it)"
        case .missingResource: "an element's `resource:` names a template or a logical id that no template declares any more"
        case .templateUnreadable: "a template that `system.templates` names, or a file named `template.yaml`, cannot be read: missing, a link, or too large"
        case .templateUnknownTag: "a YAML tag in a CloudFormation/SAM template that is not an intrinsic function's short form (`!Ref`, `!GetAtt`, `!Sub`, …)"
        case .unmappedResource: "a template resource whose type the mapping table does not know: reported, never dropped (add it under `system: resource_kinds:` in `.tmrepo.yml`)"
        case .unknownReference: "a threat's `- ref: MIT-…` names no shared mitigation in the catalog, or an assumption's `links` names a threat or shared mitigation that does not exist"
        case .acceptanceIncomplete: "a `vulnerabilities` entry with `status: accepted` lacks `reason` or `until` (a date, or a duration such as `90d` counted from the commit that wrote it)"
        case .duplicateVulnerability: "one threat links the same finding (rule, resource, template) twice in `vulnerabilities`"
        case .unknownCheck: "a `vulnerabilities` entry's `rule` starts with `TM-` but is no built-in check (docs/checks.md); other scanners' rule ids are not checked"
        }
    }

    /// Where it is documented.
    public var documentation: String { "docs/lint-rules.md#" + rawValue }
}

extension Diagnostic {
    /// A problem under a known rule, at the rule's level unless `severity` says otherwise.
    public init(path: String, line: Int, column: Int, rule: LintRule, severity: Level? = nil, message: String) {
        self.init(path: path, line: line, column: column, severity: severity ?? rule.level, rule: rule.rawValue, message: message)
    }
}
