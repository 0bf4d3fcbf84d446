// PersistentContextBench: a persistent-context query (API-more.md "Persistent context") over one
// user's 10,000 items, p50/p95, through PersistentContextService on an embedded SQLite store (and
// PostgreSQL with --postgres URL). Two paths: by meaning (every item has a stored 384-dim vector;
// the query's vector comes from a stand-in embedder, so the model's own time is not counted; see
// "Embeddings" in BENCHMARKS.md for that) and by words (no embedder: the lexical index's
// candidates, then Jaccard). Each query also counts its results' accesses, as the route does.
//
//   .build/release/PersistentContextBench [--items N] [--runs R] [--limit L] [--postgres URL]
import Embeddings
import BenchmarkSupport
import Foundation
import Logging
import MemoryCore
import MemoryService
import MemoryStore

struct Options {
    var items = 10_000
    var runs = 200
    var limit = 10
    var postgres: String?

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--items": items = max(1, Int(value) ?? 1)
            case "--runs": runs = max(1, Int(value) ?? 1)
            case "--limit": limit = min(100, max(1, Int(value) ?? 10))
            case "--postgres": postgres = value
            default: FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8))
            }
        }
    }
}

/// A deterministic pseudo-random generator (PCG-style LCG), so every run stores the same items.
struct Generator {
    var state: UInt64
    mutating func next() -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int(state >> 33)
    }

    /// A unit vector of `dimension` values in -1...1 before normalising.
    mutating func unitVector(_ dimension: Int) -> [Float] {
        var vector = (0..<dimension).map { _ in Float(next() % 2001 - 1000) / 1000 }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for index in vector.indices { vector[index] /= norm }
        return vector
    }
}

/// Stands in for the model: a fixed-seed unit vector per call, at no cost.
struct StandInEmbedder: Embedder {
    let dimension = 384
    let modelName = "bench-stand-in"
    func embed(_ texts: [String]) async throws -> [[Float]] {
        var generator = Generator(state: UInt64(texts.first?.count ?? 0))
        return texts.map { _ in generator.unitVector(384) }
    }
}

let words = ["cache", "redis", "postgres", "sqlite", "deploy", "hook", "token", "budget", "session", "index", "query", "vector",
             "migration", "schema", "replica", "lease", "timeout", "retry", "embedding", "search", "release", "pipeline", "tenant",
             "backup", "metrics", "latency", "queue", "worker", "shard", "config"]

/// Stores `count` items for `user` (every type and scope, importances over 0...1, 8 to 60 words)
/// with a vector each, as the embedding service would have left them.
func fill(_ store: any MemoryStore, user: String, count: Int) async throws {
    var generator = Generator(state: 7)
    let now = Timestamp.now()
    var vectors: [ComputedEmbedding] = []
    for index in 0..<count {
        let length = 8 + generator.next() % 53
        let content = "Item \(index): " + (0..<length).map { _ in words[generator.next() % words.count] }.joined(separator: " ")
        let at = now.adding(seconds: -60 * Double(index))
        let item = ContextItem(
            id: UUID.v7(at: at), userID: user, scope: ContextItemScope.allCases[index % ContextItemScope.allCases.count],
            contextType: ContextItemType.allCases[generator.next() % ContextItemType.allCases.count], content: content,
            importance: Double(generator.next() % 101) / 100, lastAccessed: at, createdAt: at, updatedAt: at)
        try await store.insertContextItem(item)
        vectors.append(ComputedEmbedding(id: item.id, version: item.version, vector: generator.unitVector(384)))
        if vectors.count == 500 {
            _ = try await store.storeContextEmbeddings(vectors)
            vectors.removeAll()
        }
    }
    _ = try await store.storeContextEmbeddings(vectors)
}

func run(_ backend: String, _ services: MemoryHubServices, _ options: Options) async throws {
    let user = "bench-\(UUID().uuidString.prefix(8))"
    let clock = ContinuousClock()
    let filled = try await clock.measure { try await fill(services.store, user: user, count: options.items) }
    print("\(backend): \(options.items) items stored with vectors in \(filled); \(options.runs) queries each, limit \(options.limit)")
    let logger = Logger(label: "bench")
    let semantic = PersistentContextService(
        store: services.store, embedder: StandInEmbedder(), signal: EmbeddingSignal(), maxContentBytes: 65_536, logger: logger)
    let lexical = PersistentContextService(
        store: services.store, embedder: nil, signal: EmbeddingSignal(), maxContentBytes: 65_536, logger: logger)
    let queries = ["how do we deploy the release pipeline", "redis cache timeout", "tenant backup schedule", "sqlite migration schema"]
    var index = 0
    func next() -> ContextQuery {
        index += 1
        return ContextQuery(userID: user, text: queries[index % queries.count], limit: options.limit)
    }
    var found = 0
    let bySemantic = try await measure(runs: options.runs) { found = try await semantic.query(next()).count }
    let semanticFound = found
    let byWords = try await measure(runs: options.runs) { found = try await lexical.query(next()).count }
    let typed = try await measure(runs: options.runs) {
        var query = next()
        query.contextType = .decisions
        found = try await semantic.query(query).count
    }
    print("")
    print("| \(backend), \(options.items) items | results | p50 ms | p95 ms |")
    print("|---|---|---|---|")
    print(String(format: "| by meaning (cosine over every item's vector) | %d | %.2f | %.2f |", semanticFound, percentile(bySemantic, 50), percentile(bySemantic, 95)))
    print(String(format: "| by meaning, one context_type | %d | %.2f | %.2f |", found, percentile(typed, 50), percentile(typed, 95)))
    print(String(format: "| by words (no embedder: lexical index + Jaccard) | %d | %.2f | %.2f |", options.limit, percentile(byWords, 50), percentile(byWords, 95)))
    print("")
}

let options = Options(CommandLine.arguments)
let logger = Logger(label: "bench")
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("persistent-context-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
try await run("SQLite", try await MemoryHubServices.embedded(path: folder.path + "/bench.sqlite", logger: logger), options)
if let url = options.postgres {
    let services = try MemoryHubServices.open(Deployment(databaseURL: url), logger: logger)
    try await services.withBackgroundServices { services in try await run("PostgreSQL", services, options) }
}
