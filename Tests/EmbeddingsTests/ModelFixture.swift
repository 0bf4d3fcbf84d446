import Embeddings
import Foundation
import Testing

/// The installed model (MEMORYHUB_MODEL_DIR, else the default folder) and the reference fixtures
/// that scripts/reference/embedding_reference.py computed from it.
enum ModelFixture {
    static let directory: String = {
        if let configured = ProcessInfo.processInfo.environment["MEMORYHUB_MODEL_DIR"], !configured.isEmpty {
            return configured
        }
        return EmbeddingModel.defaultDirectory(home: NSHomeDirectory())
    }()

    static let isAvailable = EmbeddingModel.isPresent(at: directory)

    static var skipReason: Comment {
        "no embedding model at \(directory) (set MEMORYHUB_MODEL_DIR or run scripts/install-model.sh; make test does)"
    }

    /// Loaded once for all tests: the weights are 90 MB.
    static let embedder: MiniLMEmbedder? = try? MiniLMEmbedder(modelDirectory: directory)

    struct TokenizerCase: Decodable {
        var text: String
        var ids: [Int32]
    }

    struct EmbeddingCase: Decodable {
        var text: String
        var embedding: [Float]
    }

    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }
}

func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot = 0.0
    var normA = 0.0
    var normB = 0.0
    for (x, y) in zip(a, b) {
        dot += Double(x) * Double(y)
        normA += Double(x) * Double(x)
        normB += Double(y) * Double(y)
    }
    return dot / (normA.squareRoot() * normB.squareRoot())
}

func length(_ vector: [Float]) -> Double {
    vector.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
}
