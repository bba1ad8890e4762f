/// A few recently read trees, so that a commit's tree is read once and reused as the base of
/// its child's diff (history is walked parents first). Bounded by count and by bytes: at 100k
/// commits a threats tree is close to a megabyte, and each walker thread has its own cache, so a
/// count alone held most of the walk's peak memory.
///
/// Besides, the tree last used at each folder path: a folder a commit changes was, in its
/// parent, as the walk last saw it, often hundreds of commits earlier (the few recent trees are
/// mostly versions of the threats folder). Without it, 52k of the 20k-commit walk's trees were
/// read again; a hit there is taken only when the id matches.
final class RawTreeCache {
    private var trees: [ObjectID: RawTree] = [:]
    private var latest: [String: RawTree] = [:]
    private var latestBytes = 0
    /// The per-path trees' bytes and their paths'; past it (or past `latestPaths` paths) they
    /// are all let go.
    private let latestBudget: Int
    private let latestPaths = 1 << 16
    /// Oldest first; evicted from the front.
    private var order: [ObjectID] = []
    private var head = 0
    private var bytes = 0
    private let capacity: Int
    private let byteBudget: Int

    init(capacity: Int = 48, byteBudget: Int = 8 << 20, pathBudget: Int = 16 << 20) {
        self.capacity = capacity
        self.byteBudget = byteBudget
        latestBudget = pathBudget
    }

    /// The tree with this id; `path` (the folder's, as the caller names it) also finds the tree
    /// last used there, and makes this one the last used.
    func get(_ id: ObjectID, at path: String? = nil) -> RawTree? {
        guard let path else { return trees[id] }
        if let tree = latest[path], tree.id == id { return tree }
        guard let tree = trees[id] else { return nil }
        remember(tree, at: path)
        return tree
    }

    func removeAll() {
        latest = [:]
        latestBytes = 0
        trees = [:]
        order = []
        head = 0
        bytes = 0
    }

    func put(_ id: ObjectID, _ tree: RawTree, at path: String? = nil) {
        if let path { remember(tree, at: path) }
        guard trees[id] == nil else { return }
        trees[id] = tree
        order.append(id)
        bytes += tree.footprint
        // Keep the newest tree even when it alone is over the budget: the next diff needs it.
        while order.count - head > 1 && (order.count - head > capacity || bytes > byteBudget) {
            if let evicted = trees.removeValue(forKey: order[head]) { bytes -= evicted.footprint }
            head += 1
        }
        if head > 4 * capacity {
            order.removeFirst(head)
            head = 0
        }
    }

    /// Counts each path's bytes too: a hostile history's folders can nest deep.
    private func remember(_ tree: RawTree, at path: String) {
        if let replaced = latest.updateValue(tree, forKey: path) {
            latestBytes -= replaced.footprint
        } else {
            latestBytes += path.utf8.count
        }
        latestBytes += tree.footprint
        if latestBytes > latestBudget || latest.count > latestPaths {
            latest = [path: tree]
            latestBytes = tree.footprint + path.utf8.count
        }
    }
}
