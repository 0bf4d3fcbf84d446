import ArgumentParser
import Logging
import Embeddings
import MemoryCore
import MemoryService
import Foundation

/// `memoryhub eval FILE`: DESIGN.md "Retrieval evaluation". Each case becomes one user, each
/// session a session, each turn a memory that remembers its turn id; every question is asked
/// through the API's search path; turn and session recall are reported per cut-off and category.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Measure retrieval on an eval file of JSON lines (.jsonl or .jsonl.gz).")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The eval file.") var file: String
    @Option(help: "lexical, semantic or hybrid.") var mode: SearchMode = .hybrid
    @Option(name: .customLong("k"), parsing: .upToNextOption, help: "Cut-offs: --k 1 5 10 20 or --k 1,5,10,20 (default 1 5 10 20).")
    var cutoffArguments: [String] = []
    @Flag(help: "Print JSON.") var json = false
    @Option(help: "Write each question's ranked turn ids to this file (JSON lines).") var ranked: String?
    @Option(help: "Only the first N cases.") var cases: Int?
    @Option(help: "Keep the loaded database here (reused when it already holds the cases); default: a temporary file.")
    var keep: String?
    @Option(help: .hidden) var rrfK: Double?
    @Option(help: .hidden) var lexicalWeight: Double?
    @Option(help: .hidden) var semanticWeight: Double?
    @Option(help: .hidden) var semanticThreshold: Float?

    /// The cut-offs, from space- or comma-separated values (a new user tried `--k 1,5,10,20`).
    var cutoffs: [Int] {
        let values = cutoffArguments.flatMap { $0.split(separator: ",") }.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return values.isEmpty ? RetrievalEvaluation.cutoffs : values
    }

    func validate() throws {
        let pieces = cutoffArguments.flatMap { $0.split(separator: ",") }
        guard pieces.allSatisfy({ Int($0.trimmingCharacters(in: .whitespaces)).map { (1...100).contains($0) } ?? false }) else {
            throw ValidationError("--k takes cut-offs between 1 and 100, as --k 1 5 10 20 or --k 1,5,10,20.")
        }
    }

    func run() async throws {
        let logger = options.bootstrapLogging()
        let evalCases = try Self.load(file, limit: cases)
        let temporary = keep == nil ? FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-eval-\(UUID().uuidString).sqlite").path : nil
        defer {
            if let temporary { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: temporary + suffix) } }
        }
        var deployment = try options.deployment
        deployment.databaseURL = options.database ?? keep ?? temporary!
        var search = SearchConfiguration()
        if let rrfK { search.fusion.k = rrfK }
        if let lexicalWeight { search.fusion.lexicalWeight = lexicalWeight }
        if let semanticWeight { search.fusion.semanticWeight = semanticWeight }
        if let semanticThreshold { search.semanticThreshold = semanticThreshold }
        deployment.service.search = search
        let embedder = mode == .lexical ? nil : try options.embeddingOptions.embedder(logger: logger)
        if mode != .lexical && embedder == nil {
            throw ValidationError("--mode \(mode.rawValue) needs the embedding model; install it with scripts/install-model.sh or use --mode lexical.")
        }
        let services = try MemoryHubServices.open(deployment, embedder: embedder, logger: logger)
        let maxK = cutoffs.max() ?? 20
        try await services.withBackgroundServices { services in
            let clock = ContinuousClock()
            var start = clock.now
            var loaded = 0
            for evalCase in evalCases {
                loaded += try await Self.ingest(evalCase, into: services)
            }
            let ingestTime = clock.now - start
            Self.progress("loaded \(evalCases.count) cases, \(loaded) new turns, in \(Self.seconds(ingestTime)) s")

            start = clock.now
            var embedded = 0
            if let embedding = services.embeddingService {
                embedded = try await embedding.drain()
            }
            let embedTime = clock.now - start
            if embedded > 0 { Self.progress("embedded \(embedded) turns in \(Self.seconds(embedTime)) s") }

            start = clock.now
            var report = RetrievalEvaluation.Report()
            var rankedLines: [String] = []
            var latencies: [Duration] = []
            for evalCase in evalCases {
                var sessionOfTurn: [String: String] = [:]
                for session in evalCase.sessions { for turn in session.turns { sessionOfTurn[turn.id] = session.id } }
                for question in evalCase.questions {
                    var request = SearchRequest(userID: Self.user(of: evalCase), query: question.question)
                    request.mode = mode
                    request.limit = min(100, max(maxK * 5, 50))
                    let asked = clock.now
                    let response = try await services.search.search(request)
                    latencies.append(clock.now - asked)
                    let turns = response.results.compactMap { $0.memory.metadata["turn_id"]?.stringValue }
                    report.add(
                        RetrievalEvaluation.score(ranked: turns, question: question, sessionOfTurn: sessionOfTurn, cutoffs: cutoffs),
                        category: question.category)
                    rankedLines.append(JSONWriter.string(.object([
                        "case_id": .string(evalCase.id), "question_id": .string(question.id),
                        "ranked_turn_ids": .array(turns.prefix(maxK).map(JSONValue.string)),
                    ])))
                }
            }
            let queryTime = clock.now - start
            if let ranked {
                try (rankedLines.joined(separator: "\n") + "\n").write(toFile: ranked, atomically: true, encoding: .utf8)
            }
            print(Self.render(
                report, cutoffs: cutoffs, mode: mode, file: file, json: json,
                timings: ["ingest_seconds": ingestTime, "embed_seconds": embedTime, "query_seconds": queryTime],
                medianQuery: latencies.isEmpty ? .zero : latencies.sorted()[latencies.count / 2]))
        }
    }

    static func user(of evalCase: RetrievalEvaluation.Case) -> String { "eval:" + evalCase.id }

    /// Stores a case unless the database already holds it; returns the turns stored.
    static func ingest(_ evalCase: RetrievalEvaluation.Case, into services: MemoryHubServices) async throws -> Int {
        let userID = user(of: evalCase)
        let existing = try await services.sessions.list(userID: userID, projectID: nil, activeOnly: false, limit: 1, offset: 0)
        if existing.total >= evalCase.sessions.count { return 0 }
        let maxBytes = services.configuration.maxContentBytes
        var stored = 0
        for session in evalCase.sessions {
            var metadata: JSONObject = ["eval_session_id": .string(session.id)]
            if let startedAt = session.startedAt { metadata["eval_started_at"] = .string(startedAt) }
            let (started, _) = try await services.sessions.start(
                SessionStartRequest(userID: userID, projectID: "eval", metadata: metadata, clientSessionID: session.id, autoLink: false))
            guard started.memoryCount == 0 else { continue }
            let items = session.turns.compactMap { turn -> Result<NewMemory, MemoryHubError>? in
                var content = turn.speaker.map { "\($0): \(turn.content)" } ?? turn.content
                guard !content.isEmpty else { return nil }
                // A turn over the content limit keeps its beginning.
                while content.utf8.count > maxBytes { content = String(content.prefix(content.count * 9 / 10)) }
                var metadata: JSONObject = ["turn_id": .string(turn.id)]
                if let role = turn.role { metadata["role"] = .string(role) }
                return .success(NewMemory(sessionID: started.id, content: content, memoryType: .fact, metadata: metadata))
            }
            for start in stride(from: 0, to: items.count, by: services.configuration.maxBatchSize) {
                let batch = Array(items[start..<min(start + services.configuration.maxBatchSize, items.count)])
                let result = try await services.memories.createBatch(items: batch, actingUser: userID)
                if let failure = result.errors.first { throw failure.error }
                stored += result.memories.count
            }
        }
        return stored
    }

    /// Reads a JSON-lines file, gunzipping `.gz` with the system's gzip.
    static func load(_ path: String, limit: Int?) throws -> [RetrievalEvaluation.Case] {
        let data: Data
        if path.hasSuffix(".gz") {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["gzip", "-dc", path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw ValidationError("gzip could not read \(path).") }
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else { throw ValidationError("Cannot read \(path).") }
            data = contents
        }
        var cases: [RetrievalEvaluation.Case] = []
        // Lines end at LF bytes only: U+2028 and friends are text inside JSON strings.
        for (number, bytes) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            if let limit, cases.count >= limit { break }
            let line = String(decoding: bytes.last == 0x0D ? bytes.dropLast() : bytes, as: UTF8.self)
            if line.allSatisfy(\.isWhitespace) { continue }
            do {
                cases.append(try RetrievalEvaluation.parseCase(line))
            } catch let error as MemoryHubError {
                throw ValidationError("\(path):\(number + 1): \(error.detail)")
            } catch {
                throw ValidationError("\(path):\(number + 1): not JSON: \(error)")
            }
        }
        return cases
    }

    static func render(
        _ report: RetrievalEvaluation.Report, cutoffs: [Int], mode: SearchMode, file: String, json: Bool,
        timings: [String: Duration], medianQuery: Duration
    ) -> String {
        let (overall, categories) = report.means()
        func scores(_ table: [Int: RetrievalEvaluation.Scores]) -> JSONValue {
            var object: JSONObject = [:]
            for k in cutoffs {
                let s = table[k] ?? .init()
                object["\(k)"] = .object([
                    "turn_recall": .double(rounded(s.turnRecall)), "turn_hit": .double(rounded(s.turnHit)),
                    "session_recall_any": .double(rounded(s.sessionRecallAny)),
                    "session_recall_all": .double(rounded(s.sessionRecallAll)),
                ])
            }
            return .object(object)
        }
        if json {
            var byCategory: JSONObject = [:]
            for (name, entry) in categories {
                byCategory[name] = .object(["questions": .int(Int64(entry.count)), "scores": scores(entry.scores)])
            }
            var object: JSONObject = [
                "file": .string(file), "mode": .string(mode.rawValue), "questions": .int(Int64(report.questions)),
                "overall": scores(overall), "by_category": .object(byCategory),
                "median_query_ms": .double(rounded(medianQuery.seconds * 1000)),
            ]
            for (name, duration) in timings { object[name] = .double(rounded(duration.seconds)) }
            return JSONWriter.string(.object(object))
        }
        var lines = ["\(file): \(report.questions) questions, mode \(mode.rawValue), median query \(String(format: "%.1f", medianQuery.seconds * 1000)) ms"]
        lines.append("")
        lines.append("| k | turn recall | turn hit | session recall_any | session recall_all |")
        lines.append("|---|---|---|---|---|")
        for k in cutoffs {
            let s = overall[k] ?? .init()
            lines.append("| \(k) | \(f(s.turnRecall)) | \(f(s.turnHit)) | \(f(s.sessionRecallAny)) | \(f(s.sessionRecallAll)) |")
        }
        lines.append("")
        lines.append("| category | n | " + cutoffs.map { "turn recall@\($0)" }.joined(separator: " | ") + " |")
        lines.append("|---|---|" + cutoffs.map { _ in "---|" }.joined())
        for (name, entry) in categories.sorted(by: { $0.key < $1.key }) {
            lines.append("| \(name) | \(entry.count) | " + cutoffs.map { f(entry.scores[$0]?.turnRecall ?? 0) }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    static func f(_ value: Double) -> String { String(format: "%.3f", value) }
    static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
    static func seconds(_ duration: Duration) -> String { String(format: "%.1f", duration.seconds) }
    static func progress(_ text: String) { FileHandle.standardError.write(Data(("eval: " + text + "\n").utf8)) }
}
