import Foundation
import HTTPTypes
import HummingbirdTesting
import MemoryCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 9: a body over the limit once hung its client after the 413 (the server neither read the
/// rest nor closed). Each case here is a raw socket that writes its whole request, as Python's
/// urllib does, then reads: it must get the 413 and see the connection close, never wait out its
/// timeout (10 s, far beyond the milliseconds this takes).
@Suite struct UnreadBodyTests {
    @Test func anOversizeBodyGets413AndAClosedConnectionWithOrWithoutConnectionClose() async throws {
        try await LiveAPI.run { api, _ in
            let port = try #require(api.client.port)
            let body = 20 << 20
            for connectionHeader in ["Connection: close\r\n", ""] {
                let reply = try await RawHTTP.exchange(
                    port: port,
                    head: "POST /api/memory/memories HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: \(body)\r\n\(connectionHeader)\r\n",
                    bodyBytes: body, untilClose: !connectionHeader.isEmpty)
                #expect(reply.text.hasPrefix("HTTP/1.1 413"), "\(api.deployment) [\(connectionHeader)]: \(reply.text.prefix(200))")
                if !connectionHeader.isEmpty {
                    #expect(reply.closed, "\(api.deployment): the connection stayed open")
                }
            }
        }
    }

    @Test func aBodyDeclaredFarLargerThanCanBeDrainedIsAnsweredAndClosedAtOnce() async throws {
        try await LiveAPI.run { api, _ in
            let port = try #require(api.client.port)
            // Declares 1 GiB, sends 64 KiB and waits: the answer comes without the rest.
            let reply = try await RawHTTP.exchange(
                port: port,
                head: "POST /api/memory/session/start HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(1 << 30)\r\n\r\n",
                bodyBytes: 64 << 10)
            #expect(reply.text.hasPrefix("HTTP/1.1 413"), "\(api.deployment): \(reply.text.prefix(200))")
            #expect(reply.closed)
        }
    }

    @Test func anErrorBeforeTheBodyIsReadIsAnsweredAndTheServerServesOn() async throws {
        try await LiveAPI.run { api, _ in
            let port = try #require(api.client.port)
            // A 404 for an unknown route never reads its 200 KiB body; with Connection: close the
            // reply still arrives and the connection closes.
            let reply = try await RawHTTP.exchange(
                port: port,
                head: "POST /api/memory/no-such-route HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: \(200 << 10)\r\n\r\n",
                bodyBytes: 200 << 10)
            #expect(reply.text.hasPrefix("HTTP/1.1 404"), "\(api.deployment): \(reply.text.prefix(200))")
            #expect(reply.closed)
            // A body that is read keeps the connection usable.
            let ok = try await api.post("/api/memory/session/start", ["user_id": "after-413"])
            #expect(ok.status == .created)
        }
    }
}

/// A blocking client socket with send and receive timeouts, so a server that never answers
/// fails the test instead of hanging it.
enum RawHTTP {
    struct Reply {
        var text: String
        /// True when the server closed the connection after its reply.
        var closed: Bool
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs the blocking exchange on a thread of its own: blocking the few threads of Swift's
    /// cooperative pool would starve the server under test of them.
    static func exchange(port: Int, head: String, bodyBytes: Int, untilClose: Bool = true, timeoutSeconds: Int = 10) async throws -> Reply {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try blockingExchange(port: port, head: head, bodyBytes: bodyBytes, untilClose: untilClose, timeoutSeconds: timeoutSeconds) })
            }
        }
    }

    private static func blockingExchange(port: Int, head: String, bodyBytes: Int, untilClose: Bool, timeoutSeconds: Int) throws -> Reply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect() failed") }

        var sent = try sendAll(fd, Array(head.utf8))
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)
        var remaining = bodyBytes
        while remaining > 0 && sent {
            let part = min(remaining, chunk.count)
            sent = try sendAll(fd, Array(chunk.prefix(part)))
            remaining -= part
        }

        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                received += buffer.prefix(count)
                if !untilClose, isComplete(received) { return Reply(text: String(decoding: received, as: UTF8.self), closed: false) }
                continue
            }
            if count == 0 { return Reply(text: String(decoding: received, as: UTF8.self), closed: true) }
            if errno == ECONNRESET { return Reply(text: String(decoding: received, as: UTF8.self), closed: true) }
            // EAGAIN: the receive timeout passed with the connection still open.
            return Reply(text: String(decoding: received, as: UTF8.self), closed: false)
        }
    }

    /// True once a whole response (head and `Content-Length` bytes of body) has arrived.
    private static func isComplete(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<end.lowerBound].lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
              let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) else { return true }
        return text[end.upperBound...].utf8.count >= length
    }

    /// False when the server stopped accepting bytes (it closed or reset the connection);
    /// throws when the send timed out (the server neither read nor closed).
    private static func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    throw Failure(description: "the server neither read the body nor closed the connection")
                }
                return false
            }
            offset += count
        }
        return true
    }
}
