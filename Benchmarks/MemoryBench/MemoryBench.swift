// MemoryBench: session GET through the service in every deployment, measured side by side in one
// run (interleaved rounds, so machine drift hits all modes equally).
//
//   .build/release/MemoryBench [--sessions N] [--rounds R] [--reads-per-round K]
//                              [--postgres postgres://...] [--redis redis://...]
import Foundation
import Logging
import MemoryCache
import MemoryCore
import MemoryService
import MemoryStore
import ServiceLifecycle

struct Options {
    var sessions = 1000
    var rounds = 10
    var readsPerRound = 5000
    var postgres: String?
    var redis: String?

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--sessions": sessions = max(1, Int(value) ?? 1)
            case "--rounds": rounds = max(1, Int(value) ?? 1)
            case "--reads-per-round": readsPerRound = max(1, Int(value) ?? 1)
            case "--postgres": postgres = value
            case "--redis": redis = value
            default: FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8))
            }
        }
    }
}

/// Latency percentiles of one mode, in microseconds.
struct Summary {
    let name: String
    let samples: [Double]
    let hitRatio: Double?

    func percentile(_ p: Double) -> Double {
        let sorted = samples.sorted()
        let index = min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)
        return sorted[max(0, index)]
    }

    var opsPerSecond: Double { Double(samples.count) / (samples.reduce(0, +) / 1_000_000) }
}

/// One deployment under test, with the sessions it reads.
struct Mode {
    let name: String
    let services: MemoryHubServices
    let measuresHits: Bool
    var ids: [UUID] = []
    var samples: [Double] = []
}

func measure(_ services: MemoryHubServices, ids: [UUID], reads: Int) async throws -> [Double] {
    var samples: [Double] = []
    samples.reserveCapacity(reads)
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

func populate(_ services: MemoryHubServices, count: Int, run: String) async throws -> [UUID] {
    var ids: [UUID] = []
    for index in 0..<count {
        let (session, _) = try await services.sessions.start(SessionStartRequest(
            userID: "bench-\(run)-\(index % 50)", projectID: "project-\(index % 7)",
            metadata: [
                "client": "claude-code", "cwd": .string("/home/dev/project-\(index % 7)"), "model": "opus",
                "settings": ["theme": "dark", "limits": [1, 2, 3], "ratio": 0.75], "index": .int(Int64(index)),
            ],
            tags: ["bench", "tag-\(index % 10)"], autoLink: false))
        ids.append(session.id)
    }
    return ids
}

@main
enum MemoryBench {
    static func main() async throws {
        let options = Options(CommandLine.arguments)
        let logger = Logger(label: "bench")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memorybench-\(UUID().uuidString)")
        let path = folder.path + "/bench.sqlite"
        let run = UUID().uuidString.prefix(8)

        var modes = [
            Mode(name: "embedded, in-process cache", services: try await .embedded(path: path, logger: logger), measuresHits: true),
            Mode(name: "embedded, no cache", services: try await .embedded(path: path, cacheEnabled: false, logger: logger), measuresHits: false),
        ]
        if let postgres = options.postgres {
            var withCache = Deployment(databaseURL: postgres, redisURL: options.redis)
            withCache.postgresPoolSize = 4
            var withoutCache = withCache
            withoutCache.redisURL = nil
            withoutCache.cacheEnabled = false
            if options.redis != nil {
                modes.append(Mode(name: "PostgreSQL + Redis cache", services: try .open(withCache, logger: logger), measuresHits: true))
            }
            modes.append(Mode(name: "PostgreSQL, no cache", services: try .open(withoutCache, logger: logger), measuresHits: false))
        }
        let background = modes.flatMap(\.services.backgroundServices)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in background { group.addTask { try await service.run() } }
            for index in modes.indices { try await modes[index].services.prepare() }

            // Embedded modes share one file; PostgreSQL modes share one database.
            let embeddedIDs = try await populate(modes[0].services, count: options.sessions, run: String(run))
            var postgresIDs: [UUID] = []
            if modes.count > 2 { postgresIDs = try await populate(modes[2].services, count: options.sessions, run: String(run)) }
            for index in modes.indices { modes[index].ids = index < 2 ? embeddedIDs : postgresIDs }

            for mode in modes { _ = try await measure(mode.services, ids: mode.ids, reads: min(options.sessions * 2, 4000)) }
            let statsBefore = modes.map { $0.services.sessionCache.statistics }
            for _ in 0..<options.rounds {
                for index in modes.indices {
                    modes[index].samples += try await measure(modes[index].services, ids: modes[index].ids, reads: options.readsPerRound)
                }
            }
            let summaries = modes.enumerated().map { index, mode in
                let after = mode.services.sessionCache.statistics
                let hits = after.hits - statsBefore[index].hits
                let misses = after.misses - statsBefore[index].misses
                return Summary(name: mode.name, samples: mode.samples,
                               hitRatio: mode.measuresHits && hits + misses > 0 ? Double(hits) / Double(hits + misses) : nil)
            }
            print("Session GET through SessionManager, \(options.sessions) sessions per store, \(options.rounds) interleaved rounds × \(options.readsPerRound) reads per mode")
            print("")
            print("| mode | p50 µs | p95 µs | p99 µs | reads/s (one task) | hit ratio | p50 vs embedded cache |")
            print("|---|---|---|---|---|---|---|")
            let reference = summaries[0].percentile(50)
            for summary in summaries {
                let ratio = summary.hitRatio.map { String(format: "%.3f", $0) } ?? "-"
                print(String(format: "| %@ | %.1f | %.1f | %.1f | %.0f | %@ | %.1f× |", summary.name, summary.percentile(50),
                             summary.percentile(95), summary.percentile(99), summary.opsPerSecond, ratio, summary.percentile(50) / reference))
            }
            group.cancelAll()
        }
        try? FileManager.default.removeItem(at: folder)
    }
}
