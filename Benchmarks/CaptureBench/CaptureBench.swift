// CaptureBench: what capture costs. (1) The secret redactor's throughput on the labelled secrets
// corpus and on the capture transcripts. (2) The latency of a memory write through MemoryManager
// with redaction, de-duplication and supersession on, side by side with them off (interleaved
// rounds on one store, so machine drift hits both equally), on SQLite and, with --postgres, on
// PostgreSQL.
//
//   .build/release/CaptureBench [--rounds R] [--writes-per-round K] [--postgres postgres://...]
import BenchmarkSupport
import Foundation
import Logging
import MemoryCore
import MemoryService
import MemoryStore
import ServiceLifecycle

struct Options {
    var rounds = 10
    var writesPerRound = 300
    var postgres: String?

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--rounds": rounds = max(1, Int(value) ?? 1)
            case "--writes-per-round": writesPerRound = max(1, Int(value) ?? 1)
            case "--postgres": postgres = value
            default: FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8))
            }
        }
    }
}

func microseconds(_ duration: Duration) -> Double { duration.seconds * 1_000_000 }

/// Texts a coding assistant writes: the transcripts' turns and the corpus lines, cycled.
func loadTexts(root: URL) throws -> (corpus: [String], turns: [String]) {
    let fixtures = root.appendingPathComponent("Tests/MemoryCoreTests/Fixtures")
    let corpus = try String(contentsOf: fixtures.appendingPathComponent("secrets.jsonl"), encoding: .utf8)
        .split(separator: "\n").compactMap { line -> String? in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["text"] as? String
        }
    var turns: [String] = []
    let folder = fixtures.appendingPathComponent("capture")
    for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where file.hasSuffix(".json") {
        let data = try Data(contentsOf: folder.appendingPathComponent(file))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        for turn in object?["turns"] as? [[String: Any]] ?? [] {
            if let text = turn["text"] as? String { turns.append(text) }
        }
    }
    return (corpus, turns)
}

func redactorThroughput(_ texts: [String], repeats: Int) -> (megabytesPerSecond: Double, textsPerSecond: Double) {
    let redactor = SecretRedactor()
    let bytes = texts.reduce(0) { $0 + $1.utf8.count } * repeats
    let clock = ContinuousClock()
    var checksum = 0
    let elapsed = clock.measure {
        for _ in 0..<repeats {
            for text in texts { checksum &+= redactor.redact(text).text.utf8.count }
        }
    }
    precondition(checksum > 0)
    return (Double(bytes) / 1_000_000 / elapsed.seconds, Double(texts.count * repeats) / elapsed.seconds)
}

/// One configuration under test: its services and a session to write into.
struct Mode {
    let name: String
    let services: MemoryHubServices
    var session: UUID?
    var samples: [Double] = []
}

@main
enum CaptureBench {
    static func main() async throws {
        let options = Options(CommandLine.arguments)
        let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let (corpus, turns) = try loadTexts(root: root)
        let corpusRate = redactorThroughput(corpus, repeats: 20)
        let turnRate = redactorThroughput(turns, repeats: 20)
        print("Secret redactor (release, one core):")
        print("| input | texts | MB/s | texts/s |")
        print("|---|---|---|---|")
        print("| secrets corpus (secret-dense) | \(corpus.count) | \(String(format: "%.1f", corpusRate.megabytesPerSecond)) | \(Int(corpusRate.textsPerSecond)) |")
        print("| transcript turns | \(turns.count) | \(String(format: "%.1f", turnRate.megabytesPerSecond)) | \(Int(turnRate.textsPerSecond)) |")

        // The whole pipeline (chunking into units, rules, the 12-factor model, entities) over the
        // labelled transcripts' turns, as the hooks run it.
        let pipeline = CapturePipeline()
        let captureTurns = turns.enumerated().map { CaptureTurn(id: "\($0.offset)", role: $0.offset % 2 == 0 ? .user : .assistant, text: $0.element) }
        let transcriptBytes = turns.reduce(0) { $0 + $1.utf8.count }
        let clock = ContinuousClock()
        var kept = 0
        let repeats = 10
        let elapsed = clock.measure {
            for _ in 0..<repeats { kept += pipeline.capture(captureTurns).count }
        }
        print("")
        print("Capture pipeline (release, one core): \(captureTurns.count) turns, \(transcriptBytes / 1024) KiB, \(kept / repeats) memories kept:")
        print("| turns/s | MB/s of transcript | ms per 500-turn transcript |")
        print("|---|---|---|")
        let seconds = elapsed.seconds / Double(repeats)
        print("| \(Int(Double(captureTurns.count) / seconds)) | \(String(format: "%.2f", Double(transcriptBytes) / 1_000_000 / seconds)) | \(String(format: "%.1f", seconds / Double(captureTurns.count) * 500 * 1000)) |")

        let logger = Logger(label: "bench")
        var off = ServiceConfiguration()
        off.redaction.enabled = false
        off.deduplicateWrites = false
        off.supersession = false
        off.nearDuplicates = nil
        let on = ServiceConfiguration()
        var withoutSupersession = on
        withoutSupersession.supersession = false
        var deployments: [(String, Deployment)] = []
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("capturebench-\(UUID().uuidString)")
        deployments.append(("SQLite", Deployment(databaseURL: folder.path + "/bench.sqlite")))
        if let postgres = options.postgres {
            var deployment = Deployment(databaseURL: postgres)
            deployment.postgresPoolSize = 4
            deployments.append(("PostgreSQL", deployment))
        }
        var modes: [Mode] = []
        for (name, deployment) in deployments {
            for (label, configuration) in [("capture on", on), ("redaction + dedup (exact, near) only", withoutSupersession), ("capture off", off)] {
                var configured = deployment
                configured.service = configuration
                modes.append(Mode(name: "\(name), \(label)", services: try .open(configured, logger: logger)))
            }
        }
        let run = UUID().uuidString.prefix(8)
        // The PostgreSQL client (and the other background services) run for the whole measurement.
        let background = modes.flatMap(\.services.backgroundServices)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in background { group.addTask { try await service.run() } }
            try await measure(&modes, options: options, run: String(run), turns: turns)
            group.cancelAll()
        }
    }

    static func measure(_ modes: inout [Mode], options: Options, run: String, turns: [String]) async throws {
        for index in modes.indices {
            try await modes[index].services.prepare()
            let started = try await modes[index].services.sessions.start(
                SessionStartRequest(userID: "capturebench-\(run)-\(index)", projectID: "bench"))
            modes[index].session = started.session.id
        }
        // Each write is a transcript turn made unique, so de-duplication looks but never matches.
        var counter = 0
        func write(_ mode: Mode) async throws -> Double {
            counter += 1
            let text = turns[counter % turns.count] + " (\(counter))"
            let request = NewMemory(sessionID: mode.session!, content: text, memoryType: counter % 3 == 0 ? .decision : .fact)
            let clock = ContinuousClock()
            let start = clock.now
            _ = try await mode.services.memories.store(request, actingUser: nil)
            return microseconds(clock.now - start)
        }
        for mode in modes { for _ in 0..<50 { _ = try await write(mode) } }
        for _ in 0..<options.rounds {
            for index in modes.indices {
                for _ in 0..<options.writesPerRound { modes[index].samples.append(try await write(modes[index])) }
            }
        }
        print("")
        print("Memory write through MemoryManager.store (one writer, µs), \(options.rounds) interleaved rounds × \(options.writesPerRound) writes per mode:")
        print("| mode | p50 | p95 | p99 | writes/s |")
        print("|---|---|---|---|---|")
        for mode in modes {
            let mean = mode.samples.reduce(0, +) / Double(mode.samples.count)
            print("| \(mode.name) | \(Int(percentile(mode.samples, 50))) | \(Int(percentile(mode.samples, 95))) | \(Int(percentile(mode.samples, 99))) | \(Int(1_000_000 / mean)) |")
        }
        for group in stride(from: 0, to: modes.count, by: 3) {
            let off = percentile(modes[group + 2].samples, 50)
            for index in group..<(group + 2) {
                print("\(modes[index].name) / off, p50: \(String(format: "%.2f", percentile(modes[index].samples, 50) / off))")
            }
        }
    }
}
