// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "memoryhub",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "memoryhub", targets: ["memoryhub"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk.git", from: "0.12.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        .target(
            name: "MemoryCore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MemoryStore",
            dependencies: [
                "MemoryCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The system SQLite's C API, which GRDB is built on: ids are read from a
                // statement's text without a String in between (StoredID).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MemoryStorePostgres",
            dependencies: [
                "MemoryCore", "MemoryStore", "ServiceURL",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ServiceURL",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RESP",
            dependencies: [
                "ServiceURL",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MemoryCache",
            dependencies: [
                "MemoryCore", "RESP",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "Embeddings",
            dependencies: [
                .target(name: "CBLAS", condition: .when(platforms: [.linux])),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MemoryService",
            dependencies: [
                "MemoryCore", "MemoryStore", "MemoryStorePostgres", "MemoryCache", "RESP", "Embeddings",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MemoryAPI",
            dependencies: ["MemoryCore", "MemoryService"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MemoryHTTP",
            dependencies: [
                "MemoryCore", "MemoryAPI", "MemoryStore", "MemoryService", "MemoryCache", "Embeddings",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MemoryPages",
            dependencies: [
                "MemoryCore", "MemoryAPI", "MemoryService",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.copy("Templates"), .copy("Static")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MemoryMCP",
            dependencies: [
                "MemoryCore", "MemoryAPI", "MemoryStore", "MemoryService",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MemoryHooks",
            dependencies: [
                "MemoryCore", "MemoryAPI", "MemoryService",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "memoryhub",
            dependencies: [
                "MemoryCore", "MemoryAPI", "MemoryStore", "MemoryCache", "MemoryService", "MemoryHTTP", "MemoryMCP", "MemoryHooks", "MemoryPages", "Embeddings",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "MemoryBench",
            dependencies: [
                "MemoryCore", "MemoryStore", "MemoryCache", "MemoryService",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/MemoryBench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "CaptureBench",
            dependencies: [
                "BenchmarkSupport",
                "MemoryCore", "MemoryStore", "MemoryService",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/CaptureBench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "CompressionBench",
            dependencies: [
                "BenchmarkSupport",
                "MemoryCore", "MemoryStore", "MemoryService",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/CompressionBench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "PersistentContextBench",
            dependencies: [
                "BenchmarkSupport",
                "MemoryCore", "MemoryStore", "MemoryService", "Embeddings",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/PersistentContextBench",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BenchmarkSupport",
            path: "Benchmarks/BenchmarkSupport",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "LinkingBench",
            dependencies: [
                "BenchmarkSupport",
                "MemoryCore", "MemoryStore", "MemoryService",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/LinkingBench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "PagesBench",
            dependencies: [
                "BenchmarkSupport",
                "MemoryCore", "MemoryStore", "MemoryService", "MemoryHTTP", "MemoryPages", "Embeddings",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/PagesBench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "EmbeddingBench",
            dependencies: ["Embeddings"],
            path: "Benchmarks/EmbeddingBench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SearchBench",
            dependencies: [
                "BenchmarkSupport",
                "MemoryCore", "MemoryStore", "MemoryService", "Embeddings",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/SearchBench",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EmbeddingsTests",
            dependencies: [
                "Embeddings",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MemoryAPITests",
            dependencies: ["MemoryAPI", "MemoryCore", "MemoryService"],
            exclude: ["Golden"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MemoryCoreTests",
            dependencies: ["MemoryCore"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RESPTests",
            dependencies: [
                "RESP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MemoryStoreTests",
            dependencies: [
                "MemoryCore", "MemoryStore", "MemoryStorePostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MemoryCacheTests",
            dependencies: [
                "MemoryCore", "MemoryStore", "MemoryStorePostgres", "MemoryCache", "MemoryService", "RESP", "ProcessTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MemoryHTTPTests",
            dependencies: [
                "MemoryCore", "MemoryStore", "MemoryCache", "MemoryService", "MemoryHTTP", "Embeddings", "ProcessTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // What the suites that run the real binary share: the serve process, child processes, paths.
        .target(
            name: "ProcessTestSupport",
            dependencies: ["MemoryCore"],
            path: "Tests/ProcessTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MemoryMCPTests",
            dependencies: [
                "MemoryCore", "MemoryStore", "MemoryService", "MemoryMCP", "MemoryHooks", "ProcessTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["python"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MemoryPagesTests",
            dependencies: [
                "MemoryCore", "MemoryService", "MemoryHTTP", "MemoryPages", "ProcessTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["python"],
            swiftSettings: swiftSettings
        ),
    ]
)
