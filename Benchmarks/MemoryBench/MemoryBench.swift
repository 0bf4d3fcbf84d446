// MemoryBench: session GET through the service, with and without the session cache, measured
// side by side in one run (interleaved rounds, so machine drift hits both equally).
//
//   .build/release/MemoryBench [--sessions N] [--rounds R] [--reads-per-round K]
import Foundation
import Logging
import MemoryCache
import MemoryCore
import MemoryService
import MemoryStore

struct Options {
    var sessions = 1000
    var rounds = 10
    var readsPerRound = 5000

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next().flatMap(Int.init) ?? 0
            switch flag {
            case "--sessions": sessions = max(1, value)
            case "--rounds": rounds = max(1, value)
            case "--reads-per-round": readsPerRound = max(1, value)
            default: FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8))
            }
        }
    }
}

/// Latency percentiles of one mode, in microseconds.
struct Summary {
    let name: String
    let samples: [Double]

    func percentile(_ p: Double) -> Double {
        let sorted = samples.sorted()
        let index = min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)
        return sorted[max(0, index)]
    }

    var opsPerSecond: Double { Double(samples.count) / (samples.reduce(0, +) / 1_000_000) }
}

func measure(_ services: MemoryHubServices, ids: [UUID], reads: Int) async throws -> [Double] {
    var samples: [Double] = []
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<reads {
        let id = ids.randomElement(using: &generator)!
        let start = ContinuousClock.now
        let session = try await services.sessions.session(id: id, actingUser: nil)
        let elapsed = ContinuousClock.now - start
        precondition(session.id == id)
        samples.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
    }
    return samples
}

@main
enum MemoryBench {
    static func main() async throws {
        let options = Options(CommandLine.arguments)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memorybench-\(UUID().uuidString)")
        let path = folder.path + "/bench.sqlite"
        let logger = Logger(label: "bench")
        let cached = try await MemoryHubServices.embedded(path: path, logger: logger)
        let uncached = try await MemoryHubServices.embedded(path: path, cache: nil, logger: logger)

        var ids: [UUID] = []
        for index in 0..<options.sessions {
            let (session, _) = try await cached.sessions.start(SessionStartRequest(
                userID: "user-\(index % 50)", projectID: "project-\(index % 7)",
                metadata: [
                    "client": "claude-code", "cwd": .string("/home/dev/project-\(index % 7)"), "model": "opus",
                    "settings": ["theme": "dark", "limits": [1, 2, 3], "ratio": 0.75], "index": .int(Int64(index)),
                ],
                tags: ["bench", "tag-\(index % 10)"], autoLink: false))
            ids.append(session.id)
        }

        // Warm-up: fill the cache once and let both paths settle.
        _ = try await measure(cached, ids: ids, reads: options.sessions * 2)
        _ = try await measure(uncached, ids: ids, reads: 1000)

        var cachedSamples: [Double] = []
        var uncachedSamples: [Double] = []
        for _ in 0..<options.rounds {
            cachedSamples += try await measure(cached, ids: ids, reads: options.readsPerRound)
            uncachedSamples += try await measure(uncached, ids: ids, reads: options.readsPerRound)
        }

        let summaries = [Summary(name: "in-process cache (coherence-checked)", samples: cachedSamples),
                         Summary(name: "no cache (SQLite read)", samples: uncachedSamples)]
        let stats = cached.sessionCache.statistics
        print("Session GET through SessionManager, \(options.sessions) sessions, \(options.rounds) interleaved rounds × \(options.readsPerRound) reads per mode")
        print("")
        print("| mode | p50 µs | p95 µs | p99 µs | reads/s (one task) |")
        print("|---|---|---|---|---|")
        for summary in summaries {
            print(String(format: "| %@ | %.1f | %.1f | %.1f | %.0f |", summary.name, summary.percentile(50), summary.percentile(95), summary.percentile(99), summary.opsPerSecond))
        }
        print("")
        print(String(format: "Median speed-up with the cache: %.1f×; p99 ratio: %.1f×; cache hit ratio during the run: %.3f",
                     summaries[1].percentile(50) / summaries[0].percentile(50), summaries[1].percentile(99) / summaries[0].percentile(99), stats.hitRatio))
        try? FileManager.default.removeItem(at: folder)
    }
}
