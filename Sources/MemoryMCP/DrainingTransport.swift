import Foundation
import Logging
import MCP
import MemoryCore

/// Wraps a transport to count the requests received and the responses sent, so that when the
/// client closes its side (stdin reaches EOF) the server can still answer what it already read
/// before it stops: `echo '...' | memoryhub mcp` gets every answer.
///
/// It also mends one detail of the SDK: the parse-error reply to a line with no readable id
/// carries a made-up id, where JSON-RPC 2.0 (section 5) requires `null`.
actor DrainingTransport: Transport {
    private let inner: any Transport
    nonisolated let logger: Logger
    private var requests = 0
    private var responses = 0
    /// Lines received whose id could not be read, not yet answered with a parse error.
    private var unidentified = 0

    init(_ inner: any Transport, logger: Logger) {
        self.inner = inner
        self.logger = logger
    }

    func connect() async throws { try await inner.connect() }

    func disconnect() async { await inner.disconnect() }

    func send(_ data: Data) async throws {
        var data = data
        if unidentified > 0, let mended = Self.withNullID(ifParseError: data) {
            unidentified -= 1
            data = mended
        }
        try await inner.send(data)
        if Self.kind(of: data) == .response { responses += 1 }
    }

    /// The message with `"id": null` when it is a parse-error response (-32700); nil otherwise.
    private static func withNullID(ifParseError data: Data) -> Data? {
        guard let value = try? JSONParser.parse(data), case .object(var object) = value,
              object["error"]?.objectValue?["code"] == .int(-32700)
        else { return nil }
        object["id"] = .null
        return Data(JSONWriter.bytes(.object(object)))
    }

    func receive() -> AsyncThrowingStream<Data, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        let source = inner
        let task = Task {
            do {
                for try await message in await source.receive() {
                    switch Self.kind(of: message) {
                    case .request: self.countRequest()
                    case .unidentified: self.countUnidentified()
                    case .response, .other: break
                    }
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

    private func countUnidentified() { unidentified += 1 }

    /// Waits until every request read has been answered, or `timeout` passes.
    func drain(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while responses < requests, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    private enum Kind { case request, response, unidentified, other }

    /// A JSON-RPC request has `method` and `id`; a response has `id` and `result` or `error`.
    /// Text that is not a JSON object, or an object whose `id` is neither a string nor a number,
    /// is `unidentified`: its error reply must carry `null`.
    private static func kind(of data: Data) -> Kind {
        guard let value = try? JSONParser.parse(data), case .object(let object) = value else { return .unidentified }
        if object["method"] == nil, object["result"] == nil, object["error"] == nil {
            switch object["id"] {
            case .string?, .int?: break
            default: return .unidentified
            }
        }
        let hasID = object["id"].map { !$0.isNull } ?? false
        if object["method"] != nil { return hasID ? .request : .other }
        if hasID, object["result"] != nil || object["error"] != nil { return .response }
        return .other
    }
}
