// SearchBench: search and context latency through the service at growing sizes (memories of one
// user, embedded store), with the real query embedder. Memory texts are synthetic sentences over a
// 3,000-word vocabulary with a Zipf-like spread; stored vectors are random unit vectors (they cost
// what real ones cost to scan; their ranking is meaningless here, the eval file measures quality).
//
//   .build/release/SearchBench [--sizes 1000,10000,100000] [--queries 200] [--model-dir DIR] [--keep DIR]
//
// --keep leaves each size's database in DIR (DIR/searchbench-SIZE.sqlite) for measuring its queries
// outside the service.
import Embeddings
import BenchmarkSupport
import Foundation
import Logging
import MemoryCore
import MemoryService
import MemoryStore

struct Options {
    var sizes = [1000, 10_000, 100_000]
    var queries = 200
    var keepDirectory: String?
    var modelDirectory = ProcessInfo.processInfo.environment["MEMORYHUB_MODEL_DIR"]
        ?? EmbeddingModel.defaultDirectory(home: ProcessInfo.processInfo.environment["HOME"] ?? "/root")

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--sizes": sizes = value.split(separator: ",").compactMap { Int($0) }
            case "--queries": queries = max(10, Int(value) ?? 200)
            case "--model-dir": modelDirectory = value
            case "--keep": keepDirectory = value
            default: FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8))
            }
        }
    }
}

/// A deterministic generator, so every run and size sees the same texts.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum Corpus {
    static let syllables = ["ka", "lo", "mi", "ren", "tor", "sa", "vi", "den", "pol", "ux", "ter", "an", "bri", "cos", "dul", "fen", "gar", "hox", "jin", "qua"]
    static let vocabulary: [String] = {
        var rng = SplitMix(state: 7)
        return (0..<3000).map { _ in (0..<Int.random(in: 2...3, using: &rng)).map { _ in syllables.randomElement(using: &rng)! }.joined() }
    }()

    /// Zipf-like: low ranks are common.
    static func word(_ rng: inout SplitMix) -> String {
        let u = Double.random(in: 0..<1, using: &rng)
        return vocabulary[min(vocabulary.count - 1, Int(pow(Double(vocabulary.count), u)) - 1)]
    }

    static func sentence(_ rng: inout SplitMix) -> String {
        (0..<Int.random(in: 12...30, using: &rng)).map { _ in word(&rng) }.joined(separator: " ")
    }

    static func query(_ rng: inout SplitMix) -> String {
        (0..<Int.random(in: 3...6, using: &rng)).map { _ in word(&rng) }.joined(separator: " ")
    }
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

@main
enum SearchBench {
    static func main() async throws {
        let options = Options(CommandLine.arguments)
        let logger = Logger(label: "bench")
        let embedder = try MiniLMEmbedder(modelDirectory: options.modelDirectory)
        print("Search and context through the service, embedded store, one user; \(options.queries) distinct queries per row")
        print("")
        print("| memories | operation | p50 ms | p95 ms | p99 ms |")
        print("|---|---|---|---|---|")
        var medians: [String: [Int: Double]] = [:]
        for size in options.sizes {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("searchbench-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let path = options.keepDirectory.map { "\($0)/searchbench-\(size).sqlite" } ?? folder.path + "/bench.sqlite"
            if options.keepDirectory != nil {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
            let services = try await MemoryHubServices.embedded(path: path, embedder: embedder, logger: logger)
            let user = "bench"
            let (session, _) = try await services.sessions.start(SessionStartRequest(userID: user, projectID: "bench", autoLink: false))
            var rng = SplitMix(state: 42)
            let types = MemoryType.allCases
            let loadStart = ContinuousClock.now
            var batch: [Result<NewMemory, MemoryHubError>] = []
            for index in 0..<size {
                batch.append(.success(NewMemory(
                    sessionID: session.id, content: Corpus.sentence(&rng), memoryType: types[index % types.count],
                    importance: Double(index % 10) / 10, tags: ["t\(index % 20)"])))
                if batch.count == 500 || index == size - 1 {
                    _ = try await services.memories.createBatch(items: batch, actingUser: user)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            // Random unit vectors, stored as the embedding service would store them.
            while true {
                let jobs = try await services.store.embeddingJobs(limit: 1000)
                if jobs.isEmpty { break }
                _ = try await services.store.storeEmbeddings(jobs.map { job in
                    var vector = (0..<384).map { _ in Float.random(in: -1...1, using: &rng) }
                    let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    for i in vector.indices { vector[i] /= norm }
                    return ComputedEmbedding(id: job.id, version: job.version, vector: vector)
                })
            }
            let loadTime = ContinuousClock.now - loadStart
            FileHandle.standardError.write(Data("size \(size): loaded in \(String(format: "%.1f", milliseconds(loadTime) / 1000)) s\n".utf8))

            let queries = (0..<options.queries).map { _ in Corpus.query(&rng) }
            // The first semantic search reads every vector into the in-process index.
            var warm = SearchRequest(userID: user, query: "warm up")
            warm.mode = .semantic
            let indexStart = ContinuousClock.now
            _ = try await services.search.search(warm)
            let indexLoad = milliseconds(ContinuousClock.now - indexStart)
            print("| \(size) | first semantic search (loads the vector index) | \(String(format: "%.1f", indexLoad)) | - | - |")

            func row(_ name: String, _ body: (String) async throws -> Void) async throws {
                var samples: [Double] = []
                for query in queries {
                    let start = ContinuousClock.now
                    try await body(query)
                    samples.append(milliseconds(ContinuousClock.now - start))
                }
                medians[name, default: [:]][size] = percentile(samples, 50)
                print(String(format: "| %d | %@ | %.2f | %.2f | %.2f |", size, name, percentile(samples, 50), percentile(samples, 95), percentile(samples, 99)))
            }
            for query in queries { _ = try await services.search.queryVectorForBenchmark(query) }
            try await row("search, lexical") { query in
                var request = SearchRequest(userID: user, query: query)
                request.mode = .lexical
                _ = try await services.search.search(request)
            }
            try await row("search, semantic (query vector cached)") { query in
                var request = SearchRequest(userID: user, query: query)
                request.mode = .semantic
                _ = try await services.search.search(request)
            }
            try await row("search, hybrid (query vector cached)") { query in
                _ = try await services.search.search(SearchRequest(userID: user, query: query))
            }
            try await row("search, hybrid, repeated (result cache hit)") { query in
                _ = try await services.search.search(SearchRequest(userID: user, query: query))
            }
            try await row("search, hybrid, new query text (embeds the query)") { query in
                _ = try await services.search.search(SearchRequest(userID: user, query: query + " extra"))
            }
            try await row("context, recent + similar, 4000 tokens") { query in
                var request = ContextRequest(userID: user)
                request.query = query + " context"
                _ = try await services.context.retrieve(request)
            }
        }
        print("")
        print("Growth of the median from the smallest to the largest size:")
        print("")
        for (name, bySize) in medians.sorted(by: { $0.key < $1.key }) {
            guard let first = options.sizes.first, let last = options.sizes.last, let a = bySize[first], let b = bySize[last] else { continue }
            print(String(format: "- %@: %.2f ms → %.2f ms (%.1f× for %d× the memories)", name, a, b, b / a, last / first))
        }
    }
}
