import Embeddings
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A small OpenAI-shaped `/v1/embeddings` server on a real socket.
///
/// Under `/v1/embeddings` each text's vector is `[count of scalars, 1, 2, 2]` (not unit length), listed in
/// reverse order with its `index`, so the client must reorder and normalize. Under `/failing/...` it
/// answers 503 with a body the client must not put in its description; under `/wrong-size/...` it
/// answers vectors of 3 dimensions; under `/keyed/...` it wants `Authorization: Bearer secret`.
enum FakeEmbeddingServer {
    struct EmbeddingRequest: Decodable {
        var model: String
        var input: [String]
    }

    struct EmbeddingResponse: ResponseEncodable {
        struct Item: Encodable {
            var object = "embedding"
            var embedding: [Float]
            var index: Int
        }
        var object = "list"
        var data: [Item]
        var model: String
    }

    static func vector(for text: String) -> [Float] { [Float(text.unicodeScalars.count), 1, 2, 2] }

    static func withServer(_ body: @Sendable (_ baseURL: String) async throws -> Void) async throws {
        let router = Router()
        router.post("/v1/embeddings") { request, context in
            try await respond(request, context, dimension: 4)
        }
        router.post("/keyed/v1/embeddings") { request, context in
            guard request.headers[.authorization] == "Bearer secret" else { throw HTTPError(.unauthorized) }
            return try await respond(request, context, dimension: 4)
        }
        router.post("/wrong-size/v1/embeddings") { request, context in
            try await respond(request, context, dimension: 3)
        }
        router.post("/failing/v1/embeddings") { _, _ -> Response in
            Response(
                status: .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"error": "model overloaded: secret-internal-detail"}"#)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body("http://127.0.0.1:\(try #require(client.port))")
        }
    }

    private static func respond(_ request: Request, _ context: BasicRequestContext, dimension: Int) async throws -> EmbeddingResponse {
        let decoded = try await request.decode(as: EmbeddingRequest.self, context: context)
        guard decoded.model == "test-model" else { throw HTTPError(.badRequest) }
        let items = decoded.input.enumerated().map { index, text in
            EmbeddingResponse.Item(embedding: Array(vector(for: text).prefix(dimension)), index: index)
        }
        return EmbeddingResponse(data: items.reversed(), model: decoded.model)
    }
}

@Suite("RemoteEmbedder")
struct RemoteEmbedderTests {
    func configuration(_ baseURL: String) -> RemoteEmbedder.Configuration {
        RemoteEmbedder.Configuration(baseURL: baseURL, model: "test-model", dimension: 4)
    }

    @Test("vectors come back in input order, normalized")
    func openAIShape() async throws {
        try await FakeEmbeddingServer.withServer { baseURL in
            var configuration = configuration(baseURL)
            configuration.maxBatchSize = 2
            let embedder = RemoteEmbedder(configuration: configuration)
            #expect(embedder.dimension == 4)
            #expect(embedder.modelName == "test-model")
            let texts = ["a", "four", "sixteen letters.", ""]
            let vectors = try await embedder.embed(texts)
            #expect(vectors.count == texts.count)
            for (text, vector) in zip(texts, vectors) {
                #expect(abs(length(vector) - 1) < 1e-5)
                #expect(cosine(vector, FakeEmbeddingServer.vector(for: text)) > 0.99999, "\(text)")
            }
            #expect(try await embedder.embed([]).isEmpty)
        }
    }

    @Test("a base URL ending in /v1 or / is not doubled")
    func baseURLForms() async throws {
        try await FakeEmbeddingServer.withServer { baseURL in
            for form in [baseURL + "/", baseURL + "/v1", baseURL + "/v1/"] {
                let vectors = try await RemoteEmbedder(configuration: configuration(form)).embed(["abc"])
                #expect(vectors.count == 1, "\(form)")
            }
        }
    }

    @Test("the API key is sent as a bearer token")
    func apiKey() async throws {
        try await FakeEmbeddingServer.withServer { baseURL in
            var keyed = configuration(baseURL + "/keyed")
            let error = try await #require(throws: EmbeddingError.self) {
                try await RemoteEmbedder(configuration: keyed).embed(["x"])
            }
            #expect(error.httpStatus == 401)
            keyed.apiKey = "secret"
            #expect(try await RemoteEmbedder(configuration: keyed).embed(["x"]).count == 1)
        }
    }

    @Test("an error status is a clear EmbeddingError that does not leak the body")
    func errorStatus() async throws {
        try await FakeEmbeddingServer.withServer { baseURL in
            let embedder = RemoteEmbedder(configuration: configuration(baseURL + "/failing"))
            let error = try await #require(throws: EmbeddingError.self) {
                try await embedder.embed(["hello"])
            }
            #expect(error.code == .remoteStatus)
            #expect(error.httpStatus == 503)
            #expect(error.description.contains("HTTP 503"))
            #expect(!error.description.contains("secret-internal-detail"))
            #expect(error.debugDescription.contains("secret-internal-detail"))
        }
    }

    @Test("vectors of the wrong dimension are refused")
    func wrongDimension() async throws {
        try await FakeEmbeddingServer.withServer { baseURL in
            let embedder = RemoteEmbedder(configuration: configuration(baseURL + "/wrong-size"))
            let error = try await #require(throws: EmbeddingError.self) {
                try await embedder.embed(["hello"])
            }
            #expect(error.code == .remoteResponseInvalid)
        }
    }

    @Test("an unreachable endpoint is a clear EmbeddingError")
    func unreachable() async throws {
        var configuration = configuration("http://127.0.0.1:1")
        configuration.timeout = .seconds(5)
        let error = try await #require(throws: EmbeddingError.self) {
            try await RemoteEmbedder(configuration: configuration).embed(["hello"])
        }
        #expect(error.code == .remoteUnreachable)
    }
}
