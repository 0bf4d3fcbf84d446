import Foundation
import NIOPosix

/// The built-in embedder: sentence-transformers all-MiniLM-L6-v2 (BERT, 6 layers, hidden 384),
/// run in-process on BLAS, masked mean pooling, unit-length vectors.
///
/// The work is CPU-bound. ``embed(_:)`` tokenizes inline and hands the encoding to NIO's shared
/// thread pool (`NIOThreadPool.singleton`), one batch of at most ``Configuration/maxBatchSize``
/// texts at a time, split into up to ``Configuration/parallelism`` groups of sequences encoded in
/// parallel, so the Swift concurrency pool (two threads on two cores) stays free for request
/// handlers and timers while a batch is encoded. It checks for cancellation between batches.
/// Concurrent calls are safe: the weights are read-only and each call has its own scratch memory.
/// On Linux, loading the model sets OpenBLAS to run on the calling thread only (process-wide).
package final class MiniLMEmbedder: Embedder {
    /// How the embedder batches and truncates.
    package struct Configuration: Sendable {
        /// The most texts encoded in one pass; a pass's memory and latency grow with it.
        package var maxBatchSize: Int = 32
        /// Tokens per text, [CLS] and [SEP] included; longer texts are truncated (the model was
        /// trained on 256; at most the model's 512 positions are used).
        package var maxSequenceLength: Int = 256
        /// The name reported as ``MiniLMEmbedder/modelName``.
        package var modelName: String = "all-MiniLM-L6-v2"
        /// How many groups of a batch's sequences are encoded at once (default: one per core).
        package var parallelism: Int = ProcessInfo.processInfo.activeProcessorCount

        /// The defaults: batches of 32, 256 tokens.
        package init() {}
    }

    /// 384 for all-MiniLM-L6-v2 (the model's hidden size).
    package let dimension: Int
    /// ``Configuration/modelName``, "all-MiniLM-L6-v2" by default.
    package let modelName: String
    /// The configuration the embedder was made with (limits clamped to what the model allows).
    package let configuration: Configuration
    /// The tokenizer over the model's vocabulary.
    package let tokenizer: WordPieceTokenizer
    let encoder: BERTEncoder

    /// Loads config.json, vocab.txt and model.safetensors from a Hugging Face-layout directory.
    package init(modelDirectory: String, configuration: Configuration = .init()) throws {
        let configPath = modelDirectory + "/config.json"
        let missing = EmbeddingModel.requiredFiles.filter {
            !FileManager.default.fileExists(atPath: modelDirectory + "/" + $0)
        }
        guard missing.isEmpty else {
            throw EmbeddingError.modelMissing(
                "the embedding model is not installed (missing \(missing.joined(separator: ", "))); run scripts/install-model.sh",
                path: modelDirectory)
        }
        guard let configData = FileManager.default.contents(atPath: configPath) else {
            throw EmbeddingError.modelMissing("the model's config.json cannot be read", path: configPath)
        }
        let bertConfiguration: BERTConfiguration
        do {
            bertConfiguration = try JSONDecoder().decode(BERTConfiguration.self, from: configData)
        } catch {
            throw EmbeddingError.modelCorrupt("the model's config.json is not a BERT configuration", path: configPath, detail: "\(error)")
        }
        let tokenizer = try WordPieceTokenizer(vocabularyPath: modelDirectory + "/vocab.txt")
        guard tokenizer.vocabularySize <= bertConfiguration.vocabSize else {
            throw EmbeddingError.modelCorrupt(
                "vocab.txt has more tokens than the model has embeddings", path: modelDirectory,
                detail: "\(tokenizer.vocabularySize) > \(bertConfiguration.vocabSize)")
        }
        BLAS.singleThreaded
        let weights = try SafeTensors(path: modelDirectory + "/model.safetensors")
        encoder = try BERTEncoder(configuration: bertConfiguration, weights: weights)
        self.tokenizer = tokenizer
        var configuration = configuration
        configuration.maxBatchSize = max(1, configuration.maxBatchSize)
        configuration.parallelism = max(1, configuration.parallelism)
        configuration.maxSequenceLength = min(max(2, configuration.maxSequenceLength), bertConfiguration.maxPositionEmbeddings)
        self.configuration = configuration
        dimension = bertConfiguration.hiddenSize
        modelName = configuration.modelName
    }

    /// One unit-length vector per text, in order. An empty text gets the vector of "[CLS] [SEP]".
    package func embed(_ texts: [String]) async throws -> [[Float]] {
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        var start = 0
        while start < texts.count {
            try Task.checkCancellation()
            let end = min(start + configuration.maxBatchSize, texts.count)
            let sequences = texts[start..<end].map { tokenizer.encode($0, maxLength: configuration.maxSequenceLength) }
            vectors.append(contentsOf: try await encode(sequences))
            start = end
        }
        return vectors
    }

    /// Encodes one batch on the thread pool: contiguous groups of sequences with about equal
    /// token counts, in parallel. Sequences are packed rather than padded (see `BERTEncoder`), so
    /// there is no padding to minimize by sorting texts by length.
    func encode(_ sequences: [[Int32]]) async throws -> [[Float]] {
        let encoder = self.encoder
        let groups = Self.groups(lengths: sequences.map(\.count), parts: configuration.parallelism)
        guard groups.count > 1 else {
            return try await NIOThreadPool.singleton.runIfActive { encoder.embed(sequences) }
        }
        return try await withThrowingTaskGroup(of: (Int, [[Float]]).self) { group in
            for (index, range) in groups.enumerated() {
                let part = Array(sequences[range])
                group.addTask { (index, try await NIOThreadPool.singleton.runIfActive { encoder.embed(part) }) }
            }
            var parts = [[[Float]]](repeating: [], count: groups.count)
            for try await (index, vectors) in group { parts[index] = vectors }
            return parts.flatMap { $0 }
        }
    }

    /// Splits `lengths.indices` into at most `parts` contiguous ranges of about equal token
    /// counts; small batches stay whole, where a second thread costs more than it saves.
    static func groups(lengths: [Int], parts: Int) -> [Range<Int>] {
        let total = lengths.reduce(0, +)
        let parts = min(parts, lengths.count, max(1, total / 64))
        guard parts > 1 else { return lengths.isEmpty ? [] : [0..<lengths.count] }
        var ranges: [Range<Int>] = []
        var start = 0
        var running = 0
        for (index, length) in lengths.enumerated() {
            running += length
            let remainingParts = parts - ranges.count - 1
            let remainingItems = lengths.count - index - 1
            if remainingParts > 0, running * parts >= total * (ranges.count + 1) || remainingItems == remainingParts {
                ranges.append(start..<(index + 1))
                start = index + 1
            }
        }
        if start < lengths.count { ranges.append(start..<lengths.count) }
        return ranges
    }
}
