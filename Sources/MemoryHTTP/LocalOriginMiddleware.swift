import HTTPTypes
import Hummingbird
import MemoryCore
import Foundation

/// In `local` mode, where `X-User-ID` is trusted, only this machine may call: a request whose
/// `Host` is not a loopback name (or an allowed host) is 421, and a browser request whose `Origin`
/// is not a loopback origin (or an allowed origin) is 403. Without this a web page could reach the
/// API through DNS rebinding and read any user's memories, or create an admin key. With
/// `--auth required` the keys protect every route and this check is off.
struct LocalOriginMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Host header values allowed besides loopback ones, e.g. `memoryhub.internal:8080`.
    let allowedHosts: Set<String>
    /// Origins allowed besides loopback ones; `*` allows any.
    let allowedOrigins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let host = request.head.authority, !allowedHosts.contains(host), !MemoryHTTPServer.isLoopback(host: host) {
            return JSONResponse.make(
                .object([
                    "detail": .string("This server answers only loopback host names in local mode; start it with --auth required, or allow the host with --allowed-host."),
                    "code": "misdirected_request",
                ]),
                status: .misdirectedRequest)
        }
        if let origin = request.headers[.origin], !allowedOrigins.contains("*"), !allowedOrigins.contains(origin),
           !MemoryHTTPServer.isLoopback(origin: origin) {
            return JSONResponse.make(
                .object(["detail": .string("Requests from the origin \(origin) are not allowed in local mode."), "code": "forbidden"]),
                status: .forbidden)
        }
        return try await next(request, context)
    }
}

extension MemoryHTTPServer {
    /// `localhost`, `127.x.x.x`, `::1` or `[::1]`, with or without a port: a Host header value or
    /// a listen address (`memoryhub serve --host`).
    package static func isLoopback(host: String) -> Bool {
        if host == "::1" { return true }
        var name = Substring(host)
        if name.hasPrefix("[") {
            guard let end = name.firstIndex(of: "]") else { return false }
            return name[name.index(after: name.startIndex)..<end] == "::1"
        }
        if let colon = name.lastIndex(of: ":") { name = name[..<colon] }
        return name == "localhost" || isLoopbackIPv4(name)
    }

    /// `http://localhost:3000` and the like.
    package static func isLoopback(origin: String) -> Bool {
        guard let range = origin.range(of: "://") else { return false }
        let authority = origin[range.upperBound...].prefix { $0 != "/" }
        return isLoopback(host: String(authority))
    }

    /// A dotted quad in 127.0.0.0/8.
    static func isLoopbackIPv4(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { part in !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCIIDigit) && Int(part)! <= 255 }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
