// CompressionBench: compressing a 1,000-memory session with each strategy (API-more.md
// "Compression"), p50/p95. (1) The compressor alone (MemoryCore, pure). (2) Through
// CompressionService on an embedded SQLite store: a preview (the session's memories read, then
// compressed, nothing cached) and a cached compress (the change sequence read, the entry served).
//
//   .build/release/CompressionBench [--memories N] [--runs R] [--target T] [--level L]
import BenchmarkSupport
import Foundation
import Logging
import MemoryCore
import MemoryService
import MemoryStore

struct Options {
    var memories = 1000
    var runs = 100
    var target = 4000
    var level = CompressionLevel.moderate

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--memories": memories = max(1, Int(value) ?? 1)
            case "--runs": runs = max(1, Int(value) ?? 1)
            case "--target": target = Int(value) ?? 4000
            case "--level": level = CompressionLevel(rawValue: value) ?? .moderate
            default: FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8))
            }
        }
    }
}

/// A coding session's worth of memories: every type, importances spread over 0...1, 0-4 of 60
/// entities, 60 to 1,500 characters, one every ten minutes back from now.
func sessionMemories(count: Int, sessionID: UUID, userID: String) -> [Memory] {
    let words = ["cache", "redis", "postgres", "sqlite", "deploy", "hook", "token", "budget", "session", "index", "query", "vector",
                 "migration", "schema", "replica", "lease", "timeout", "retry", "embedding", "search"]
    var state: UInt64 = 42
    func next() -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int(state >> 33)
    }
    let now = Timestamp.now()
    return (0..<count).map { index in
        let length = 10 + next() % 240
        let content = "Memory \(index): " + (0..<length).map { _ in words[next() % words.count] }.joined(separator: " ")
        return Memory(
            sessionID: sessionID, userID: userID, content: content, summary: next() % 4 == 0 ? "Summary of memory \(index)" : nil,
            memoryType: MemoryType.allCases[next() % MemoryType.allCases.count], importance: Double(next() % 101) / 100,
            entities: (0..<(next() % 5)).map { _ in "Entity\(next() % 60)" },
            createdAt: now.adding(seconds: -600 * Double(index)))
    }
}

@main
struct CompressionBench {
    static func main() async throws {
        let options = Options(CommandLine.arguments)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("compression-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let services = try await MemoryHubServices.embedded(path: folder.path + "/bench.sqlite", logger: Logger(label: "bench"))
        let session = try await services.sessions.start(SessionStartRequest(userID: "bench", autoLink: false)).session
        for memory in sessionMemories(count: options.memories, sessionID: session.id, userID: "bench") {
            _ = try await services.store.insertMemory(memory, at: memory.createdAt)
        }
        let memories = try await services.store.memories(
            matching: MemoryFilter(userID: "bench", sessionID: session.id), limit: options.memories, offset: 0).items
        let tokens = memories.reduce(0) { $0 + ContextCompressor.tokens(of: $1) }
        print("\(memories.count) memories, \(tokens) tokens; target \(options.target), level \(options.level.rawValue), \(options.runs) runs each")
        print("")
        print("| strategy | kept | tokens out | compressor p50 ms | p95 | preview (read + compress) p50 ms | p95 | cached compress p50 ms | p95 |")
        print("|---|---|---|---|---|---|---|---|---|")
        let now = Timestamp.now()
        for strategy in CompressionStrategy.allCases {
            let compressor = ContextCompressor(targetTokens: options.target, strategy: strategy, level: options.level)
            var result = compressor.compress(memories, now: now)
            let pure = await measure(runs: options.runs) { result = compressor.compress(memories, now: now) }
            let request = CompressionRequest(sessionID: session.id, targetTokens: options.target, strategy: strategy, level: options.level)
            let preview = try await measure(runs: options.runs) { _ = try await services.compression.preview(request, actingUser: "bench") }
            let cached = try await measure(runs: options.runs) { _ = try await services.compression.compress(request, actingUser: "bench") }
            let cells = [pure, preview, cached].map { String(format: "%.2f | %.2f", percentile($0, 50), percentile($0, 95)) }
            print("| \(strategy.rawValue) | \(result.memories.count) | \(result.tokenEstimate) | " + cells.joined(separator: " | ") + " |")
        }
    }
}
