@testable import Embeddings
import Foundation
import Testing

@Suite("MiniLMEmbedder", .enabled(if: ModelFixture.isAvailable, ModelFixture.skipReason))
struct MiniLMEmbedderTests {
    var embedder: MiniLMEmbedder {
        get throws { try #require(ModelFixture.embedder, "the model at \(ModelFixture.directory) did not load") }
    }

    @Test("384 dimensions, named all-MiniLM-L6-v2")
    func shape() throws {
        #expect(try embedder.dimension == 384)
        #expect(try embedder.modelName == "all-MiniLM-L6-v2")
    }

    @Test("cosine ≥ 0.999 with the numpy reference for every fixture sentence")
    func matchesReference() async throws {
        let cases = try ModelFixture.load("embedding_cases", as: [ModelFixture.EmbeddingCase].self)
        #expect(cases.count >= 25)
        let vectors = try await embedder.embed(cases.map(\.text))
        var worst = 1.0
        for (fixture, vector) in zip(cases, vectors) {
            #expect(vector.count == 384)
            let similarity = cosine(vector, fixture.embedding)
            worst = min(worst, similarity)
            #expect(similarity >= 0.999, "\(String(reflecting: fixture.text).prefix(60)): cosine \(similarity)")
        }
        print("MiniLMEmbedder: worst cosine to the numpy reference over \(cases.count) sentences: \(worst)")
    }

    @Test("vectors are unit length")
    func unitLength() async throws {
        let vectors = try await embedder.embed(["", "a", "The quick brown fox.", String(repeating: "long text ", count: 300)])
        for vector in vectors {
            #expect(abs(length(vector) - 1) < 1e-4)
            #expect(vector.allSatisfy { $0.isFinite })
        }
    }

    @Test("a batch of N gives the N single-text vectors")
    func batchEqualsSingles() async throws {
        let embedder = try embedder
        let texts = [
            "short", "a somewhat longer sentence about memories and sessions",
            "Decision: use PostgreSQL in production.", "", "中文 and English", String(repeating: "x y z ", count: 120),
            "Error: connection refused", "tabs over spaces", "the end",
        ]
        let batch = try await embedder.embed(texts)
        #expect(batch.count == texts.count)
        for (text, vector) in zip(texts, batch) {
            let single = try await embedder.embed([text])
            #expect(cosine(single[0], vector) >= 0.9999, "\(text.prefix(40))")
        }
    }

    @Test("more texts than one batch keep their order")
    func manyBatches() async throws {
        var configuration = MiniLMEmbedder.Configuration()
        configuration.maxBatchSize = 3
        let small = try MiniLMEmbedder(modelDirectory: ModelFixture.directory, configuration: configuration)
        let texts = (0..<10).map { "memory number \($0) about topic \($0 * 7 % 5)" }
        let batched = try await small.embed(texts)
        let reference = try await embedder.embed(texts)
        #expect(batched.count == 10)
        for (a, b) in zip(batched, reference) { #expect(cosine(a, b) >= 0.9999) }
        #expect(try await embedder.embed([]).isEmpty)
    }

    @Test("8 concurrent callers get the same vectors as one caller")
    func concurrentCalls() async throws {
        let embedder = try embedder
        let texts = (0..<8).map { "concurrent caller \($0) embeds a sentence of its own, number \($0)" }
        let expected = try await embedder.embed(texts)
        let results = try await withThrowingTaskGroup(of: (Int, [[Float]]).self) { group in
            for caller in 0..<8 {
                group.addTask {
                    var vectors: [[Float]] = []
                    for _ in 0..<3 { vectors = try await embedder.embed(texts) }
                    return (caller, vectors)
                }
            }
            var results: [Int: [[Float]]] = [:]
            for try await (caller, vectors) in group { results[caller] = vectors }
            return results
        }
        #expect(results.count == 8)
        for (_, vectors) in results {
            for (a, b) in zip(vectors, expected) { #expect(cosine(a, b) >= 0.9999) }
        }
    }

    @Test("paraphrases are closer than unrelated sentences")
    func semantics() async throws {
        let vectors = try await embedder.embed([
            "The user prefers tabs over spaces.", "Indent with tabs, not spaces, as the user likes.",
            "The stock market fell sharply today.",
        ])
        #expect(cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]) + 0.3)
    }
}

@Suite("Embedding model files")
struct EmbeddingModelFilesTests {
    @Test("the default folder is under ~/.local/share/memoryhub")
    func defaultDirectory() {
        #expect(EmbeddingModel.defaultDirectory(home: "/home/ada") == "/home/ada/.local/share/memoryhub/models/all-MiniLM-L6-v2")
        #expect(EmbeddingModel.defaultDirectory(home: "/root/") == "/root/.local/share/memoryhub/models/all-MiniLM-L6-v2")
    }

    @Test("a missing model folder is a clear EmbeddingError")
    func missingDirectory() throws {
        let directory = "/nonexistent/memoryhub-model-\(UUID().uuidString)"
        #expect(!EmbeddingModel.isPresent(at: directory))
        let error = try #require(throws: EmbeddingError.self) {
            try MiniLMEmbedder(modelDirectory: directory)
        }
        #expect(error.code == .modelMissing)
        #expect(error.description.contains("not installed"))
        #expect(error.description.contains("model.safetensors"))
        #expect(!error.description.contains(directory), "the description leaks the path")
        #expect(error.debugDescription.contains(directory))
    }

    @Test("a truncated model.safetensors is a clear EmbeddingError, not a crash")
    func corruptWeights() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-model-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = #"{"hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 16, "layer_norm_eps": 1e-12, "max_position_embeddings": 16, "vocab_size": 8, "hidden_act": "gelu"}"#
        try Data(config.utf8).write(to: URL(fileURLWithPath: directory + "/config.json"))
        try Data("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\nb\nc\n".utf8).write(to: URL(fileURLWithPath: directory + "/vocab.txt"))
        // A header that promises a tensor the file does not hold.
        let header = #"{"embeddings.word_embeddings.weight": {"dtype": "F32", "shape": [8, 8], "data_offsets": [0, 256]}}"#
        var file = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(contentsOf: header.utf8)
        file.append(contentsOf: [UInt8](repeating: 0, count: 16))
        try file.write(to: URL(fileURLWithPath: directory + "/model.safetensors"))
        #expect(EmbeddingModel.isPresent(at: directory))
        let error = try #require(throws: EmbeddingError.self) {
            try MiniLMEmbedder(modelDirectory: directory)
        }
        #expect(error.code == .modelCorrupt)
        #expect(error.description.contains("model.safetensors"))
    }
}

@Suite("Batch grouping")
struct BatchGroupingTests {
    @Test("a batch splits into contiguous groups of about equal tokens, small batches stay whole")
    func groups() {
        #expect(MiniLMEmbedder.groups(lengths: [], parts: 2).isEmpty)
        #expect(MiniLMEmbedder.groups(lengths: [10, 10, 10], parts: 2) == [0..<3])
        #expect(MiniLMEmbedder.groups(lengths: [40, 40, 40, 40], parts: 2) == [0..<2, 2..<4])
        #expect(MiniLMEmbedder.groups(lengths: [200, 20, 20, 20], parts: 2) == [0..<1, 1..<4])
        #expect(MiniLMEmbedder.groups(lengths: [40, 40, 40, 40], parts: 1) == [0..<4])
        let many = MiniLMEmbedder.groups(lengths: Array(repeating: 30, count: 33), parts: 4)
        #expect(many.count == 4)
        #expect(many.first?.lowerBound == 0 && many.last?.upperBound == 33)
        #expect(zip(many, many.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
    }
}
