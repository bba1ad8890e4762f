import ThreatModel

/// What `tmrepo init` writes: a commented config, the threats folder and empty inventories.
public enum Scaffold {
    public static let config = """
    # tmrepo threat model configuration (format: docs/format.md in the tmrepo repository).
    # Every key is optional; the values below are the defaults.

    # Folder of threat files (one Markdown file per threat), relative to this file.
    threats: threats/
    # Threat ids are <prefix><digits>, e.g. T-0042.
    id_prefix: T-

    # How often a threat must be reviewed, by severity. A threat's own `review_every` wins.
    # Durations: 30d, 12w, 6m, 1y.
    review_cadence:
      critical: 30d
      high: 60d
      medium: 90d
      low: 180d
      info: 365d
    # Reviews due within this span are listed as "due soon".
    due_soon: 14d

    # Teams and the git identities (emails) that act for them. A threat's owner is a team
    # named here, or an email.
    owners:
      # payments-team: [alice@example.com, bob@example.com]
    # Owner `tmrepo import` gives threats that name none (else it asks for --owner).
    # default_owner: payments-team

    # What `tmrepo check` and the git hooks enforce.
    policy:
      block_unreviewed_changes: true    # a changed threat needs a review in the same range
      block_overdue: [critical, high]   # overdue threats of these severities fail the check
      independent_review: false         # true: the reviewer must not be the change's author
      protected_branches: [main]        # refs the server-side hook guards

    """

    public static let elements = """
    # Data-flow-diagram elements, for STRIDE-per-element (`tmrepo matrix`).
    # kind: external-entity | process | data-store | data-flow
    elements:
      # - id: order-api
      #   kind: process
      #   name: Order API (API Gateway + Lambda)
      #   trust_boundary: internet
      # - id: orders-table
      #   kind: data-store
      #   name: Orders DynamoDB table

    """

    public static let assets = """
    # What the system must protect. Threats list the assets they endanger (`assets: [...]`).
    assets:
      # - id: customer-orders
      #   name: Customer orders
      #   classification: confidential

    """

    /// Writes the scaffold into `root`. Refuses to replace an existing file unless `force`.
    /// Returns the paths written, relative to `root`.
    public static func write(into root: String, force: Bool) throws -> [String] {
        let files = [(ModelConfig.fileName, config), (InventoryParser.elementsFile, elements), (InventoryParser.assetsFile, assets)]
        if !force {
            for (name, _) in files where FileSystem.exists(root + "/" + name) {
                throw TMRepoError.fileExists(name)
            }
        }
        try FileSystem.createDirectory(root + "/threats")
        var written: [String] = []
        for (name, text) in files {
            try FileSystem.writeAtomically(Array(text.utf8), to: root + "/" + name)
            written.append(name)
        }
        written.append("threats/")
        return written
    }
}
