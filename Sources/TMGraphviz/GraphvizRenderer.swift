import CGraphviz
import Foundation

/// A failed Graphviz step, with what Graphviz said about it (its messages are collected, never printed).
public struct GraphvizError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: Sendable, Equatable {
        /// The input is over the renderer's limits (bytes, nodes or edges); nothing was laid out.
        case tooLarge
        /// Graphviz could not start (no context, or no `dot` layout or `svg` renderer plugin).
        case unavailable
        /// The DOT text does not parse.
        case syntax
        case layout
        case render
    }

    public let code: Code
    /// What tmrepo was doing, e.g. "lay out the diagram".
    public let operation: String
    /// Graphviz's own message, or a generic one when it gave none.
    public let message: String

    public init(code: Code, operation: String, message: String) {
        self.code = code
        self.operation = operation
        self.message = message
    }

    public var description: String { "\(operation): \(message)" }
}

/// Lays out DOT text with Graphviz's `dot` engine and renders it to SVG, in-process (libgvc).
///
/// Graphviz keeps global state (the DOT lexer, the error channel, the locale it switches to "C"
/// while laying out), so every render holds one process-wide lock. Every Graphviz handle is owned
/// by an object that frees it exactly once, in order: layout, graph, context. Graphviz's warnings
/// and errors go to a collector while the lock is held, never to standard error.
public struct GraphvizRenderer: Sendable {
    public struct Limits: Sendable, Equatable {
        /// Bigger DOT text is refused before Graphviz reads it.
        public var maximumDOTBytes: Int
        /// Graphs with more nodes or edges are refused after reading, before the (superlinear) layout.
        public var maximumNodes: Int
        public var maximumEdges: Int

        public init(maximumDOTBytes: Int = 2_000_000, maximumNodes: Int = 1_000, maximumEdges: Int = 2_000) {
            self.maximumDOTBytes = maximumDOTBytes
            self.maximumNodes = maximumNodes
            self.maximumEdges = maximumEdges
        }
    }

    /// The SVG document and the warnings Graphviz gave while making it.
    public struct Rendering: Sendable {
        public let svg: [UInt8]
        public let warnings: [String]
    }

    public let limits: Limits

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// The SVG bytes for a DOT graph.
    public func svg(dot: String) throws -> [UInt8] {
        try render(dot: dot).svg
    }

    /// Reads the DOT text, lays it out with `dot` and renders SVG; throws a `GraphvizError` with
    /// Graphviz's message when a step fails.
    public func render(dot: String) throws -> Rendering {
        let size = dot.utf8.count
        guard size <= limits.maximumDOTBytes else {
            throw GraphvizError(code: .tooLarge, operation: "read the diagram", message: "DOT text is \(size) bytes; the limit is \(limits.maximumDOTBytes)")
        }
        guard !dot.utf8.contains(0) else {
            throw GraphvizError(code: .syntax, operation: "read the diagram", message: "DOT text contains a NUL byte")
        }
        return try GraphvizSession.exclusive { session in
            let context = try session.context()
            let graph = try session.read(dot, in: context)
            let nodes = Int(agnnodes(graph.handle)), edges = Int(agnedges(graph.handle))
            guard nodes <= limits.maximumNodes, edges <= limits.maximumEdges else {
                throw GraphvizError(code: .tooLarge, operation: "lay out the diagram",
                                    message: "\(nodes) nodes and \(edges) edges; the limits are \(limits.maximumNodes) and \(limits.maximumEdges)")
            }
            try session.layout(graph)
            return Rendering(svg: try session.renderSVG(graph), warnings: session.warnings)
        }
    }
}

// MARK: - Handles

/// Owns a `GVC_t`: freed once, after every graph that uses it (graphs hold a reference to it).
final class GraphvizContext {
    let handle: OpaquePointer

    init(_ handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        gvFreeContext(handle)
    }
}

/// Owns an `Agraph_t` read from DOT text, and its layout once one was attempted.
final class GraphvizGraph {
    let handle: UnsafeMutablePointer<Agraph_t>
    let context: GraphvizContext
    /// Set before `gvLayout` runs: a failed layout can leave partial layout data, which
    /// `gvFreeLayout` releases (it is safe on a graph with none).
    var layoutAttempted = false

    init(_ handle: UnsafeMutablePointer<Agraph_t>, context: GraphvizContext) {
        self.handle = handle
        self.context = context
    }

    deinit {
        if layoutAttempted { gvFreeLayout(context.handle, handle) }
        agclose(handle)
    }
}

// MARK: - The global state, under one lock

private let graphvizLock = NSLock()
/// What Graphviz reported during the current session (guarded by `graphvizLock`).
nonisolated(unsafe) private var graphvizMessages = ""

/// Graphviz calls this with pieces of each message ("Warning", ": ", the text).
private let collectGraphvizMessage: agusererrf = { text in
    if let text { graphvizMessages += String(cString: text) }
    return 0
}

/// One use of Graphviz while holding the lock, with its messages redirected to the collector.
struct GraphvizSession {
    /// Runs `body` with the lock held and Graphviz's messages collected; the handles `body` made
    /// are released before the message channel is restored and the lock is let go.
    static func exclusive<T>(_ body: (inout GraphvizSession) throws -> T) throws -> T {
        graphvizLock.lock()
        defer { graphvizLock.unlock() }
        graphvizMessages = ""
        let previousFunction = agseterrf(collectGraphvizMessage)
        let previousLevel = agseterr(AGWARN)
        defer {
            agseterr(previousLevel)
            agseterrf(previousFunction)
            graphvizMessages = ""
        }
        var session = GraphvizSession()
        return try run(body, &session)
    }

    /// A separate frame so the handles `body` creates die before `exclusive` restores the state.
    private static func run<T>(_ body: (inout GraphvizSession) throws -> T, _ session: inout GraphvizSession) throws -> T {
        try body(&session)
    }

    /// Every message line collected so far.
    var messages: [String] {
        graphvizMessages.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    var warnings: [String] { messages.filter { !$0.hasPrefix("Error") } }

    /// Graphviz's error text (or all its messages, or a fallback) for a failed step.
    func failure(_ code: GraphvizError.Code, _ operation: String, fallback: String) -> GraphvizError {
        let errors = messages.filter { $0.hasPrefix("Error") }.map { $0.hasPrefix("Error: ") ? String($0.dropFirst(7)) : $0 }
        let text = (errors.isEmpty ? messages : errors).joined(separator: "; ")
        return GraphvizError(code: code, operation: operation, message: text.isEmpty ? fallback : String(text.prefix(2_000)))
    }

    func context() throws -> GraphvizContext {
        guard let handle = gvContext() else {
            throw failure(.unavailable, "start Graphviz", fallback: "gvContext returned no context")
        }
        return GraphvizContext(handle)
    }

    func read(_ dot: String, in context: GraphvizContext) throws -> GraphvizGraph {
        guard let handle = dot.withCString({ agmemread($0) }) else {
            throw failure(.syntax, "read the diagram", fallback: "Graphviz could not read the DOT text")
        }
        return GraphvizGraph(handle, context: context)
    }

    func layout(_ graph: GraphvizGraph) throws {
        graph.layoutAttempted = true
        guard gvLayout(graph.context.handle, graph.handle, "dot") == 0 else {
            throw failure(.layout, "lay out the diagram", fallback: "gvLayout failed (is Graphviz's dot layout plugin installed? run `dot -c` as root)")
        }
    }

    func renderSVG(_ graph: GraphvizGraph) throws -> [UInt8] {
        var data: UnsafeMutablePointer<CChar>?
        var length: UInt32 = 0
        let status = gvRenderData(graph.context.handle, graph.handle, "svg", &data, &length)
        defer { if let data { gvFreeRenderData(data) } }
        guard status == 0, let data else {
            throw failure(.render, "render the diagram as SVG", fallback: "gvRenderData failed")
        }
        return data.withMemoryRebound(to: UInt8.self, capacity: Int(length)) { Array(UnsafeBufferPointer(start: $0, count: Int(length))) }
    }
}
