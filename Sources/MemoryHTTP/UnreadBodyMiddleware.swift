import Hummingbird
import NIOCore

/// Answers a request whose body a handler left unread (an early 413, 401, 404 or 422, or a
/// route that ignores its body) without hanging the client.
///
/// Hummingbird stops reading a connection once it has answered a request that said
/// `Connection: close`, so a client still sending a large body blocked forever; on keep-alive it
/// read the rest with no bound. Here, when the handler returns without reading the whole body, at
/// most `drainLimit` more bytes are read and thrown away before the response goes out: the
/// client, which may send everything before it reads, gets its answer, and a keep-alive
/// connection stays usable. A body declared larger than `drainLimit`, or longer than it turns out,
/// is not read further: its response says `Connection: close` and the connection is closed once
/// the response is written.
struct UnreadBodyMiddleware: RouterMiddleware {
    typealias Context = MemoryHubRequestContext

    /// Bytes of an unread body read and discarded at most before the connection is closed instead.
    let drainLimit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.hasBody(request) else { return try await next(request, context) }
        let tap = RequestBodyTap(request.body)
        var tapped = request
        tapped.body = RequestBody(asyncSequence: tap)
        var response = try await next(tapped, context)
        guard !tap.isFinished else { return response }

        let declared = request.headers[.contentLength].flatMap(Int.init)
        // A caller without a valid key, or over its rate, gets no bytes read on its behalf.
        let refused = response.status == .unauthorized || response.status == .tooManyRequests
        if !refused, declared.map({ $0 <= drainLimit }) ?? true, (try? await tap.drain(upTo: drainLimit)) == true {
            return response
        }
        let channel = context.channel
        let body = response.body
        response.headers[.connection] = "close"
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            try await body.write(writer)
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
