import ArgumentParser
import Embeddings
import Logging
import Foundation

/// Which embedding model search uses: the built-in MiniLM from a model folder (the default), an
/// OpenAI-compatible endpoint, or none (lexical search only).
struct EmbeddingOptions: ParsableArguments {
    @Option(name: .long, help: "Folder of the all-MiniLM-L6-v2 model files (env MEMORYHUB_MODEL_DIR; default ~/.local/share/memoryhub/models/all-MiniLM-L6-v2).")
    var modelDir: String?

    @Option(name: .long, help: "Base URL of an OpenAI-compatible embeddings API used instead of the built-in model, e.g. http://127.0.0.1:11434 (env MEMORYHUB_EMBEDDINGS_URL).")
    var embeddingsURL: String?

    @Option(name: .long, help: "Model name for --embeddings-url (env MEMORYHUB_EMBEDDINGS_MODEL).")
    var embeddingsModel: String?

    @Option(name: .long, help: "Vector length of --embeddings-model (env MEMORYHUB_EMBEDDINGS_DIMENSION; default 384).")
    var embeddingsDimension: Int?

    @Flag(name: .long, help: "No embedding model: lexical search only (env MEMORYHUB_EMBEDDINGS=off).")
    var noEmbeddings = false

    /// The configured embedder, or nil (said once in the log) when there is none.
    func embedder(logger: Logger) throws -> (any Embedder)? {
        let environment = GlobalOptions.environment
        if noEmbeddings || environment["MEMORYHUB_EMBEDDINGS"]?.lowercased() == "off" {
            logger.notice("Embeddings are off: search is lexical only")
            return nil
        }
        if let url = embeddingsURL ?? environment["MEMORYHUB_EMBEDDINGS_URL"] {
            guard let model = embeddingsModel ?? environment["MEMORYHUB_EMBEDDINGS_MODEL"] else {
                throw ValidationError("--embeddings-url needs --embeddings-model (or MEMORYHUB_EMBEDDINGS_MODEL).")
            }
            let dimension = try embeddingsDimension ?? environment["MEMORYHUB_EMBEDDINGS_DIMENSION"].map { text in
                guard let value = Int(text), value > 0 else { throw ValidationError("MEMORYHUB_EMBEDDINGS_DIMENSION must be a positive integer.") }
                return value
            } ?? 384
            var configuration = RemoteEmbedder.Configuration(baseURL: url, model: model, dimension: dimension)
            configuration.apiKey = environment["MEMORYHUB_EMBEDDINGS_API_KEY"]
            return RemoteEmbedder(configuration: configuration)
        }
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        let directory = modelDir ?? environment["MEMORYHUB_MODEL_DIR"] ?? EmbeddingModel.defaultDirectory(home: home)
        guard EmbeddingModel.isPresent(at: directory) else {
            logger.notice("No embedding model found: search is lexical only", metadata: [
                "memoryhub.model_dir": "\(directory)", "memoryhub.hint": "run scripts/install-model.sh",
            ])
            return nil
        }
        let embedder = try MiniLMEmbedder(modelDirectory: directory)
        if BLASRuntime.isGenericKernel {
            logger.warning("OpenBLAS runs generic kernels on this CPU: embedding is several times slower than it could be", metadata: [
                "memoryhub.blas.kernels": "\(BLASRuntime.kernelName)",
                "memoryhub.hint": "start with OPENBLAS_CORETYPE=$(scripts/openblas-coretype.sh), as make does",
            ])
        }
        return embedder
    }
}
