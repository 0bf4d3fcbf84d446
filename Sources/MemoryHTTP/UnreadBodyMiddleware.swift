import Hummingbird
import NIOCore

/// Answers a request whose body a handler left unread (an early 413, 401, 404 or 422) without
/// hanging the client.
///
/// Hummingbird stops reading a connection once a response has been written for a request that
/// said `Connection: close`, so a client still sending a large body blocks forever, and on
/// keep-alive it reads the rest with no bound. Here the response to such a request says
/// `Connection: close`; after it is written, at most `drainLimit` more bytes of the body are read
/// and thrown away (so the client, which may send everything before it reads, gets to read the
/// answer instead of a reset), and then the connection is closed. A body declared larger than
/// `drainLimit` is not drained at all.
struct UnreadBodyMiddleware: RouterMiddleware {
    typealias Context = MemoryHubRequestContext

    /// Bytes of an unread body read and discarded at most before the connection is closed.
    let drainLimit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.hasBody(request) else { return try await next(request, context) }
        let tap = RequestBodyTap(request.body)
        var tapped = request
        tapped.body = RequestBody(asyncSequence: tap)
        var response = try await next(tapped, context)
        guard !tap.isFinished else { return response }

        let declared = request.headers[.contentLength].flatMap(Int.init)
        let limit = drainLimit
        let drains = declared.map { $0 <= limit } ?? true
        let channel = context.channel
        let body = response.body
        response.headers[.connection] = "close"
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            try await body.write(writer)
            if drains { _ = try? await tap.drain(upTo: limit) }
            channel.close(promise: nil)
        }
        return response
    }

    /// True for a request that declares a body (a length above zero, or chunked).
    static func hasBody(_ request: Request) -> Bool {
        if let length = request.headers[.contentLength].flatMap(Int.init) { return length > 0 }
        return request.headers[.transferEncoding] != nil
    }
}

/// A request body read through one iterator, first by the handler and then, for what it left,
/// by `UnreadBodyMiddleware`. The two never read at the same time (the handler has returned when
/// the middleware drains), which is why the unchecked `Sendable` is sound.
final class RequestBodyTap: AsyncSequence, @unchecked Sendable {
    typealias Element = ByteBuffer

    private var iterator: RequestBody.AsyncIterator
    /// True once the body's end has been read.
    private(set) var isFinished = false

    init(_ body: RequestBody) {
        self.iterator = body.makeAsyncIterator()
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let tap: RequestBodyTap
        mutating func next() async throws -> ByteBuffer? { try await tap.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(tap: self) }

    func next() async throws -> ByteBuffer? {
        guard !isFinished else { return nil }
        guard let buffer = try await iterator.next() else {
            isFinished = true
            return nil
        }
        return buffer
    }

    /// Reads and discards the rest of the body; false when more than `limit` bytes remain.
    func drain(upTo limit: Int) async throws -> Bool {
        var read = 0
        while let buffer = try await next() {
            read += buffer.readableBytes
            if read > limit { return false }
        }
        return true
    }
}
