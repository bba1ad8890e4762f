// swift-tools-version:6.0
import PackageDescription

// Layers, each using only the one below:
//   CLibgit2 (system library) → TMGit (the only importer of libgit2)
//   CZlib (system library) → TMGit (pack files read directly on the history walk's hot path)
//   CGraphviz (system library) → TMGraphviz (the only importer of Graphviz: DOT in, SVG out)
//   ThreatModel (pure: parsing, policy, reducers; no file system, no clock)
//   TMRepoKit (app: model loading, history index, cache, writers, formatters, reports)
//   tmrepo (the command-line executable)
let package = Package(
    name: "tmrepo",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tmrepo", targets: ["tmrepo"]),
        .library(name: "TMRepoKit", targets: ["TMRepoKit"]),
        .library(name: "ThreatModel", targets: ["ThreatModel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibgit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // zlib comes with libgit2-dev; TMGit inflates pack entries itself where a walk reads many trees.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "TMGit", dependencies: ["CLibgit2", "CZlib"]),
        // Graphviz lays out the report's data-flow diagram (libgvc + libcgraph, rendered to SVG in-process).
        .systemLibrary(
            name: "CGraphviz",
            pkgConfig: "libgvc",
            providers: [.apt(["libgraphviz-dev"])]
        ),
        .target(name: "TMGraphviz", dependencies: ["CGraphviz"]),
        // Crypto: SHA-256 for material digests (a change must not be forgeable as "no change").
        .target(name: "ThreatModel", dependencies: ["Yams", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "TMRepoKit", dependencies: [
            "TMGit", "TMGraphviz", "ThreatModel", .product(name: "Ink", package: "Ink"),
            // Verify SSH commit signatures in-process: Ed25519 and ECDSA from Crypto, RSA from CryptoExtras.
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "CryptoExtras", package: "swift-crypto"),
        ]),
        .executableTarget(
            name: "tmrepo",
            dependencies: [
                "TMRepoKit", "ThreatModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Fuzz target: a mutation driver here; scripts/fuzz.sh also builds it as a libFuzzer target.
        .executableTarget(name: "FuzzThreatModel", dependencies: ["ThreatModel"], path: "Fuzz/FuzzThreatModel"),
        // Times the threat-file parser on real file versions (Benchmarks/run.sh runs it).
        .executableTarget(name: "tmrepo-parse-bench", dependencies: ["ThreatModel"], path: "Benchmarks/ParseBench"),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // Crypto: the pack reader's tests check what it reads against the object ids (SHA-1).
        .testTarget(name: "TMGitTests", dependencies: ["TMGit", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "ThreatModelTests", dependencies: ["ThreatModel", "TestSupport"]),
        .testTarget(name: "TMRepoKitTests", dependencies: ["TMRepoKit", "TMGit", "TMGraphviz", "ThreatModel", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "tmrepo"]),
    ]
)
