import Foundation
import HTTPTypes
import Embeddings
import MemoryCore
import MemoryService
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 10, item 2: an embeddings server that accepts connections and never answers must not
/// hang search. Hybrid search and context answer lexically at once, saying so; semantic search is
/// 503; /ready reports the embedder's state.
@Suite struct UnreachableEmbedderTests {
    @Test func hybridAndContextFallBackToLexicalAndSemanticIs503() async throws {
        let silent = try SilentServer()
        defer { silent.close() }
        let embedder = RemoteEmbedder(configuration: .init(baseURL: "http://127.0.0.1:\(silent.port)", model: "m", dimension: 384))
        var service = ServiceConfiguration()
        service.search.queryEmbeddingTimeout = .milliseconds(300)
        try await LiveAPI.run(embedder: embedder, service: service) { api, _ in
            let session = try await api.startSession("ivy")
            let memory = try await api.createMemory(session, "We deploy with make run on Fridays")

            let hybrid = try await api.post("/api/memory/memories/search", ["user_id": "ivy", "query": "deploy fridays"])
            #expect(hybrid.status == .ok, "\(api.deployment): \(hybrid.text)")
            #expect(hybrid["results"]?.arrayValue?.first?.objectValue?["id"]?.stringValue == memory, "\(hybrid.text)")
            #expect(hybrid["mode"] == "lexical" && hybrid["notice"]?.stringValue?.contains("lexical only") == true, "\(hybrid.text)")

            let semantic = try await api.post("/api/memory/memories/search", ["user_id": "ivy", "query": "deploy", "mode": "semantic"])
            expectError(semantic, .serviceUnavailable, code: "embedder_unreachable")
            expectError(try await api.post("/api/memory/vector/search", ["user_id": "ivy", "query": "deploy"]), .serviceUnavailable, code: "embedder_unreachable")

            let context = try await api.post("/api/memory/context/retrieve", ["user_id": "ivy", "query": "deploy fridays", "min_relevance": 0])
            #expect(context.status == .ok && context["notice"] != nil, "\(context.text)")
            #expect(context["formatted_context"]?.stringValue?.contains("make run") == true, "\(context.text)")

            let ready = try await api.get("/ready")
            #expect(ready.status == .ok, "the store is fine: \(ready.text)")
            #expect(ready["embedder"]?.objectValue?["status"] == "unavailable", "\(ready.text)")
        }
    }
}

/// A TCP port that accepts connections (the kernel completes them) and never answers.
final class SilentServer: @unchecked Sendable {
    let port: Int
    private let fd: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 64) == 0 else { throw RawHTTP.Failure(description: "could not listen") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(fd) }
}
