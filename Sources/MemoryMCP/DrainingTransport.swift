import Foundation
import Logging
import MCP
import MemoryCore

/// Wraps a transport to count the requests received and the responses sent, so that when the
/// client closes its side (stdin reaches EOF) the server can still answer what it already read
/// before it stops: `echo '...' | memoryhub mcp` gets every answer.
actor DrainingTransport: Transport {
    private let inner: any Transport
    nonisolated let logger: Logger
    private var requests = 0
    private var responses = 0

    init(_ inner: any Transport, logger: Logger) {
        self.inner = inner
        self.logger = logger
    }

    func connect() async throws { try await inner.connect() }

    func disconnect() async { await inner.disconnect() }

    func send(_ data: Data) async throws {
        try await inner.send(data)
        if Self.kind(of: data) == .response { responses += 1 }
    }

    func receive() -> AsyncThrowingStream<Data, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        let source = inner
        let task = Task {
            do {
                for try await message in await source.receive() {
                    if Self.kind(of: message) == .request { self.countRequest() }
                    continuation.yield(message)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private func countRequest() { requests += 1 }

    /// Waits until every request read has been answered, or `timeout` passes.
    func drain(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while responses < requests, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    private enum Kind { case request, response, other }

    /// A JSON-RPC request has `method` and `id`; a response has `id` and `result` or `error`.
    private static func kind(of data: Data) -> Kind {
        guard let value = try? JSONParser.parse(data), case .object(let object) = value else { return .other }
        let hasID = object["id"].map { !$0.isNull } ?? false
        if object["method"] != nil { return hasID ? .request : .other }
        if hasID, object["result"] != nil || object["error"] != nil { return .response }
        return .other
    }
}
