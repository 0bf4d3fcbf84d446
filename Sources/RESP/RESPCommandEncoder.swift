package import NIOCore

/// Encodes a Redis command, an array of bulk strings, the only form of request Redis accepts from clients.
///
/// Use ``encode(_:into:)`` directly, or add the encoder to a pipeline with `MessageToByteHandler`.
package struct RESPCommandEncoder: MessageToByteEncoder, Sendable {
    /// A command: its name and arguments.
    package typealias OutboundIn = [RESPArgument]

    /// Creates an encoder.
    package init() {}

    /// Appends `command` to `buffer` as a RESP array of bulk strings.
    package static func encode(_ command: [RESPArgument], into buffer: inout ByteBuffer) {
        buffer.writeStaticString("*")
        buffer.writeString(String(command.count))
        buffer.writeStaticString("\r\n")
        for argument in command {
            argument.write(to: &buffer)
        }
    }

    /// Encodes one command for `MessageToByteHandler`.
    package func encode(data: [RESPArgument], out: inout ByteBuffer) throws {
        Self.encode(data, into: &out)
    }
}
