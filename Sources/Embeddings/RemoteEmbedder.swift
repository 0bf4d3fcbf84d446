package import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Embeddings from an OpenAI-compatible endpoint (OpenAI, Ollama, vLLM):
/// `POST {baseURL}/v1/embeddings` with `{"model": ..., "input": [...]}`.
///
/// Returned vectors are normalized to unit length (not every server does it), checked for the
/// configured dimension and put back in input order by their `index`.
package struct RemoteEmbedder: Embedder {
    /// Where and how to reach the endpoint.
    package struct Configuration: Sendable {
        /// The server's root, e.g. `https://api.openai.com` or `http://127.0.0.1:11434`.
        /// A trailing `/v1` is accepted too (the OpenAI client convention) and not doubled.
        package var baseURL: String
        /// The model name the server knows, e.g. `text-embedding-3-small` or `all-minilm`.
        package var model: String
        /// Sent as `Authorization: Bearer <apiKey>` when set.
        package var apiKey: String?
        /// The length of the vectors the model returns; a response of another length is an error.
        package var dimension: Int
        /// The longest one request may take, connection included.
        package var timeout: Duration = .seconds(30)
        /// The most texts sent in one request; larger calls are split.
        package var maxBatchSize: Int = 256
        /// The largest response body accepted.
        package var maxResponseBytes: Int = 64 << 20

        /// An endpoint without an API key, with a 30 s timeout.
        package init(baseURL: String, model: String, dimension: Int) {
            self.baseURL = baseURL
            self.model = model
            self.dimension = dimension
        }
    }

    /// The configuration the embedder was made with.
    package let configuration: Configuration
    private let client: HTTPClient

    /// ``Configuration/dimension``.
    package var dimension: Int { configuration.dimension }
    /// ``Configuration/model``.
    package var modelName: String { configuration.model }

    /// Sends requests through `HTTPClient.shared`; normalizes returned vectors.
    package init(configuration: Configuration) {
        self.init(configuration: configuration, httpClient: .shared)
    }

    /// Sends requests through the given client, which the caller keeps and shuts down.
    package init(configuration: Configuration, httpClient: HTTPClient) {
        self.configuration = configuration
        self.client = httpClient
    }

    /// The endpoint URL: `{baseURL}/v1/embeddings`.
    var endpoint: String {
        var base = configuration.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        if !base.hasSuffix("/v1") { base += "/v1" }
        return base + "/embeddings"
    }

    /// One unit-length vector per text, in order; no request for an empty list.
    package func embed(_ texts: [String]) async throws -> [[Float]] {
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        let batch = max(1, configuration.maxBatchSize)
        var start = 0
        while start < texts.count {
            let end = min(start + batch, texts.count)
            vectors.append(contentsOf: try await request(Array(texts[start..<end])))
            start = end
        }
        return vectors
    }

    private struct RequestBody: Encodable {
        var model: String
        var input: [String]
    }

    private struct ResponseBody: Decodable {
        struct Item: Decodable {
            var embedding: [Float]
            var index: Int?
        }
        var data: [Item]
    }

    private func request(_ texts: [String]) async throws -> [[Float]] {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        if let apiKey = configuration.apiKey {
            request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        }
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(RequestBody(model: configuration.model, input: texts))))

        let body: ByteBuffer
        let status: UInt
        do {
            let response = try await client.execute(request, timeout: Self.timeAmount(configuration.timeout))
            status = response.status.code
            body = try await response.body.collect(upTo: configuration.maxResponseBytes)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw EmbeddingError(
                .remoteUnreachable, "the remote embedding endpoint did not answer",
                detail: "\(endpoint): \(String(reflecting: error))")
        }
        guard (200..<300).contains(status) else {
            let excerpt = String(buffer: body).prefix(500)
            throw EmbeddingError(
                .remoteStatus, "the remote embedding endpoint answered HTTP \(status)", httpStatus: Int(status),
                detail: "\(endpoint): \(excerpt)")
        }
        let decoded: ResponseBody
        do {
            decoded = try JSONDecoder().decode(ResponseBody.self, from: body)
        } catch {
            throw EmbeddingError(
                .remoteResponseInvalid, "the remote embedding endpoint's answer is not an OpenAI embeddings response",
                detail: "\(endpoint): \(error)")
        }
        guard decoded.data.count == texts.count else {
            throw EmbeddingError(
                .remoteResponseInvalid, "the remote embedding endpoint returned \(decoded.data.count) vectors for \(texts.count) texts")
        }
        var vectors = [[Float]?](repeating: nil, count: texts.count)
        for (position, item) in decoded.data.enumerated() {
            let index = item.index ?? position
            guard vectors.indices.contains(index), vectors[index] == nil else {
                throw EmbeddingError(.remoteResponseInvalid, "the remote embedding endpoint returned inconsistent indexes")
            }
            guard item.embedding.count == configuration.dimension else {
                throw EmbeddingError(
                    .remoteResponseInvalid,
                    "the remote embedding endpoint returned vectors of \(item.embedding.count) dimensions, not \(configuration.dimension)")
            }
            var vector = item.embedding
            vector.normalizeToUnitLength()
            vectors[index] = vector
        }
        return vectors.map { $0! }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
