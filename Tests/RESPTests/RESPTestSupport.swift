import Foundation
import NIOCore
import RESP

/// The bytes of a RESP text, written with `\r\n` escapes.
func bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// Decodes every complete value in `input` at once.
func decodeAll(_ input: [UInt8], limits: RESPValueDecoder.Limits = .init()) throws -> [RESPValue] {
    var decoder = RESPValueDecoder(limits: limits)
    var buffer = ByteBuffer(bytes: input)
    var values: [RESPValue] = []
    while let value = try decoder.decode(buffer: &buffer) {
        values.append(value)
    }
    return values
}

/// Feeds `input` one byte at a time, as a slow network would, keeping unconsumed bytes as
/// `ByteToMessageHandler` does. Returns the values and, for each byte, whether a value completed on it.
func decodeByteByByte(
    _ input: [UInt8],
    limits: RESPValueDecoder.Limits = .init()
) throws -> (values: [RESPValue], completedAt: [Int]) {
    var decoder = RESPValueDecoder(limits: limits)
    var buffer = ByteBuffer()
    var values: [RESPValue] = []
    var completedAt: [Int] = []
    for (index, byte) in input.enumerated() {
        buffer.writeInteger(byte)
        while let value = try decoder.decode(buffer: &buffer) {
            values.append(value)
            completedAt.append(index)
        }
        buffer.discardReadBytes()
    }
    return (values, completedAt)
}

/// The encoding of a value, as bytes.
func encoded(_ value: RESPValue) -> [UInt8] {
    var buffer = ByteBuffer()
    value.encode(into: &buffer)
    return Array(buffer.readableBytesView)
}

/// The code of a `RESPProtocolError` thrown by `body`, or `nil` if it threw nothing or something else.
func protocolErrorCode(_ body: () throws -> Void) -> RESPProtocolError.Code? {
    do {
        try body()
        return nil
    } catch let error as RESPProtocolError {
        return error.code
    } catch {
        return nil
    }
}

/// Waits, within a bound, until the client has noticed that the server closed its connections.
///
/// A command written before the client sees the close is not retried, since it may have reached the server;
/// tests of reconnection therefore start once the close has been seen, as a later command would in practice.
func waitUntilConnectionsDropped(_ client: RedisClient) async throws {
    for _ in 0..<500 where client.connectionCount > 0 {
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// A loopback port that is bound but not listening, held until `release()`: connecting to it is
/// refused, and no other test or process can start listening on it meanwhile (a port that was
/// merely freed can be taken by a server of a test running in parallel).
struct RefusingPort {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard fd >= 0, bound == 0, named == 0 else { throw CancellationError() }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func release() { close(descriptor) }
}
