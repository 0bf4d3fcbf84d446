// PagesBench: how long the web pages take to answer (issue 14), p50/p95, on an embedded SQLite
// store: the sessions list, a session with 200 memories, and the search page at 10,000 memories
// of one user (lexical, and hybrid when the built-in model is installed). Each request goes
// through the whole router in process (cookie check, services, template), without a socket.
//
//   .build/release/PagesBench [--runs R] [--model-dir DIR]
import BenchmarkSupport
import Embeddings
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MemoryCore
import MemoryHTTP
import MemoryPages
import MemoryService
import MemoryStore

struct Options {
    var runs = 200
    var modelDirectory = ProcessInfo.processInfo.environment["MEMORYHUB_MODEL_DIR"]

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--runs": runs = max(1, Int(value) ?? 1)
            case "--model-dir": modelDirectory = value
            default: FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8))
            }
        }
    }
}

/// Sentences from a small vocabulary, so words repeat as in real notes.
struct Corpus {
    static let words = [
        "deploy", "database", "cache", "redis", "postgres", "index", "search", "vector", "session", "memory", "token", "budget",
        "release", "rollback", "migration", "schema", "latency", "throughput", "queue", "worker", "hook", "prompt", "context",
        "review", "test", "build", "config", "secret", "key", "user", "project", "chain", "summary", "insight", "error", "fix",
    ]
    var state: UInt64 = 42

    mutating func next() -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: (z ^ (z >> 31)) >> 1)
    }

    mutating func sentence(_ length: Int = 14) -> String {
        (0..<length).map { _ in Self.words[next() % Self.words.count] }.joined(separator: " ") + "."
    }
}

let options = Options(CommandLine.arguments)
let logger = Logger(label: "bench")
let embedder = options.modelDirectory.flatMap { EmbeddingModel.isPresent(at: $0) ? try? MiniLMEmbedder(modelDirectory: $0) : nil }
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-pages-bench-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: folder) }
let services = try await MemoryHubServices.embedded(path: folder.path + "/bench.sqlite", embedder: embedder, logger: logger)
let user = "bench"
var corpus = Corpus()
var sessions: [UUID] = []
let types = MemoryType.allCases
// 50 sessions of 200 memories each: 10,000 memories of one user.
for index in 0..<50 {
    let session = try await services.sessions.start(
        SessionStartRequest(userID: user, projectID: index % 2 == 0 ? "atlas" : "zephyr", tags: ["week-\(index % 7)"], autoLink: index > 0)).session
    sessions.append(session.id)
    var batch: [Result<NewMemory, MemoryHubError>] = []
    for number in 0..<200 {
        batch.append(.success(NewMemory(
            sessionID: session.id, content: corpus.sentence(), memoryType: types[number % types.count], importance: Double(number % 10) / 10,
            entities: [Corpus.words[corpus.next() % Corpus.words.count]], tags: ["t\(number % 20)"])))
    }
    _ = try await services.memories.createBatch(items: batch, actingUser: user)
}
if embedder != nil {
    // Random unit vectors stored as the embedding service would store them: the search cost is
    // the same as with real ones, and loading takes seconds instead of minutes.
    while true {
        let jobs = try await services.store.embeddingJobs(limit: 1000)
        if jobs.isEmpty { break }
        _ = try await services.store.storeEmbeddings(jobs.map { job in
            var vector = (0..<384).map { _ in Float(corpus.next() % 2001 - 1000) }
            let norm = max(1e-6, vector.reduce(0) { $0 + $1 * $1 }.squareRoot())
            for i in vector.indices { vector[i] /= norm }
            return ComputedEmbedding(id: job.id, version: job.version, vector: vector)
        })
    }
}

let pages = try await WebPages<MemoryHubRequestContext>(services: services, configuration: PagesConfiguration(signIn: .chooseUser), logger: logger)
let router = MemoryHTTPServer.router(
    services: services, configuration: MemoryHTTPServer.Configuration(port: 0), metrics: nil, beforeAuthentication: [pages])
let application = Application(router: router)
let middle = sessions[25]
// A different query each run, so the search result cache does not answer.
let queries = (0..<(options.runs + 3)).map { _ in
    (1...3).map { _ in Corpus.words[corpus.next() % Corpus.words.count] }
}
// The same kind of search through SearchEngine alone takes other queries of the same shape, so
// no result is cached: what the page adds is the difference.
let serviceQueries = (0..<(options.runs + 3)).map { _ in
    (1...2).map { _ in Corpus.words[corpus.next() % Corpus.words.count] }.joined(separator: " ")
}
let memory = try await services.memories.list(
    sessionID: middle, actingUser: user, memoryType: nil, minImportance: nil, limit: 1, offset: 0).items[0].id.lowercased
let hasEmbedder = embedder != nil
print("One user, 50 sessions × 200 memories = 10,000 memories (SQLite); \(options.runs) runs per row; the router in process, no socket")
print("")
print("| page | p50 ms | p95 ms |")
print("|---|---|---|")
try await application.test(.router) { client in
    var form = HTTPFields()
    form[.contentType] = "application/x-www-form-urlencoded"
    let signIn = try await client.executeRequest(uri: "/sign-in", method: .post, headers: form, body: ByteBuffer(string: "user=bench"))
    let cookie = String((signIn.headers[.setCookie] ?? "").prefix { $0 != ";" })
    var headers = HTTPFields()
    headers[.cookie] = cookie
    func row(_ label: String, _ path: (Int) -> String) async throws {
        var run = 0
        let samples = try await measure(runs: options.runs) {
            let response = try await client.executeRequest(uri: path(run), method: .get, headers: headers, body: nil)
            precondition(response.status == .ok, "\(path(run)): \(response.status)")
            run += 1
        }
        print(String(format: "| %@ | %.2f | %.2f |", label, percentile(samples, 50), percentile(samples, 95)))
    }
    try await row("sessions list (first 25 of 50)") { _ in "/sessions" }
    try await row("sessions list filtered by text (scans all 50)") { _ in "/sessions?q=week-3" }
    try await row("a session with 200 memories (fields, insights, chain, first 50 memories)") { _ in "/sessions/\(middle.lowercased)" }
    try await row("the same session, page 3 of its memories, filtered by importance") { _ in "/sessions/\(middle.lowercased)?min_importance=0.3&page=3" }
    var serviceRun = 0
    let alone = try await measure(runs: options.runs) {
        var search = SearchRequest(userID: user, query: serviceQueries[serviceRun % serviceQueries.count])
        search.mode = .lexical
        search.explain = true
        search.limit = 20
        _ = try await services.search.search(search)
        serviceRun += 1
    }
    print(String(format: "| %@ | %.2f | %.2f |", "(SearchEngine alone: lexical search with explain, no page)", percentile(alone, 50), percentile(alone, 95)))
    try await row("search, lexical, with explain (10,000 memories)") { run in
        "/search?mode=lexical&q=" + queries[run % queries.count].prefix(2).joined(separator: "+")
    }
    if hasEmbedder {
        try await row("search, hybrid, with explain (10,000 memories)") { run in
            "/search?mode=hybrid&q=" + queries[run % queries.count].joined(separator: "+")
        }
    }
    try await row("a memory (every field, the edit form, similar memories)") { _ in "/memories/\(memory)" }
}
