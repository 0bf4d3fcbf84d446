// LinkingBench: chain analysis and the full chain of a 100-session chain (API-more.md "Linking"),
// p50/p95, through SessionManager on an embedded SQLite store (and PostgreSQL with --postgres URL).
// Each session holds 10 memories with entities; every read goes to the store (one recursive
// query for the chain, then each session's memories for the analysis's topics).
//
//   .build/release/LinkingBench [--sessions N] [--runs R] [--postgres URL]
import BenchmarkSupport
import Foundation
import Logging
import MemoryCore
import MemoryService
import MemoryStore

struct Options {
    var sessions = 100
    var runs = 100
    var postgres: String?

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--sessions": sessions = max(1, Int(value) ?? 1)
            case "--runs": runs = max(1, Int(value) ?? 1)
            case "--postgres": postgres = value
            default: FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8))
            }
        }
    }
}

/// A chain of `count` ended sessions, each the child of the one before, with 10 memories each.
func seedChain(_ services: MemoryHubServices, count: Int) async throws -> (first: UUID, middle: UUID, user: String) {
    let user = "bench-\(UUID().uuidString.prefix(8))"
    let entities = ["redis", "postgres", "deploy", "cache", "hooks", "search", "index", "schema"]
    var ids: [UUID] = []
    var parent: UUID?
    let base = Timestamp.now().adding(seconds: -Double(count) * 7200)
    for index in 0..<count {
        let started = base.adding(seconds: Double(index) * 7200)
        let session = Session(
            id: .v7(at: started), userID: user, projectID: "shop", parentSessionID: parent, state: .ended, startedAt: started,
            endedAt: started.adding(seconds: 3600), endReason: "normal", tags: ["step-\(index % 7)"])
        try await services.store.insertSession(session)
        for number in 0..<10 {
            let memory = Memory(
                sessionID: session.id, userID: user, projectID: "shop", content: "Session \(index) note \(number) about \(entities[number % 8])",
                memoryType: .fact, entities: [entities[number % 8], entities[(number + index) % 8]], createdAt: started.adding(seconds: Double(number)))
            _ = try await services.store.insertMemory(memory, at: memory.createdAt)
        }
        ids.append(session.id)
        parent = session.id
    }
    return (ids[0], ids[count / 2], user)
}

func run(_ name: String, _ services: MemoryHubServices, _ options: Options) async throws {
    let (first, middle, user) = try await seedChain(services, count: options.sessions)
    let analysis = try await measure(runs: options.runs) {
        let report = try await services.sessions.chainReport(id: middle, actingUser: user)
        precondition(report.sessions.count == options.sessions)
    }
    let full = try await measure(runs: options.runs) {
        let chain = try await services.sessions.chain(id: first, actingUser: user)
        precondition(chain.count == options.sessions)
    }
    for (label, samples) in [("chain analysis (chain + each session's memories)", analysis), ("full chain (one recursive query)", full)] {
        print(String(format: "| %@ | %@ | %.2f | %.2f |", name, label, percentile(samples, 50), percentile(samples, 95)))
    }
}

let options = Options(CommandLine.arguments)
let logger = Logger(label: "bench")
print("\(options.sessions)-session chain, 10 memories each, \(options.runs) runs")
print("| store | read | p50 ms | p95 ms |")
print("|---|---|---|---|")
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-linking-bench-\(UUID().uuidString)")
let sqlite = try await MemoryHubServices.embedded(path: folder.path + "/bench.sqlite", cacheEnabled: false, logger: logger)
try await run("SQLite", sqlite, options)
if let url = options.postgres {
    let services = try MemoryHubServices.open(Deployment(databaseURL: url), logger: logger)
    try await services.withBackgroundServices { services in try await run("PostgreSQL", services, options) }
}
try? FileManager.default.removeItem(at: folder)
