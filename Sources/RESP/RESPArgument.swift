package import NIOCore

/// One argument of a Redis command, sent as a bulk string.
///
/// String, integer and float literals convert implicitly: `client.send(["SET", "counter", 1])`.
package enum RESPArgument: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral
{
    /// Text, sent as its UTF-8 bytes.
    case string(String)
    /// Raw bytes, sent as they are.
    case bytes([UInt8])
    /// An integer, sent as its decimal text.
    case integer(Int)
    /// A double, sent as its shortest round-tripping decimal text (`inf` and `-inf` for infinities).
    case double(Double)

    /// Creates a ``string(_:)`` argument from a literal.
    package init(stringLiteral value: String) {
        self = .string(value)
    }

    /// Creates an ``integer(_:)`` argument from a literal.
    package init(integerLiteral value: Int) {
        self = .integer(value)
    }

    /// Creates a ``double(_:)`` argument from a literal.
    package init(floatLiteral value: Double) {
        self = .double(value)
    }

    /// Appends the argument to `buffer` as a RESP bulk string.
    package func write(to buffer: inout ByteBuffer) {
        switch self {
        case .string(let text):
            Self.writeBulk(text, to: &buffer)
        case .bytes(let bytes):
            buffer.writeStaticString("$")
            buffer.writeString(String(bytes.count))
            buffer.writeStaticString("\r\n")
            buffer.writeBytes(bytes)
            buffer.writeStaticString("\r\n")
        case .integer(let value):
            Self.writeBulk(String(value), to: &buffer)
        case .double(let value):
            Self.writeBulk(value.description, to: &buffer)
        }
    }

    private static func writeBulk(_ text: String, to buffer: inout ByteBuffer) {
        buffer.writeStaticString("$")
        buffer.writeString(String(text.utf8.count))
        buffer.writeStaticString("\r\n")
        buffer.writeString(text)
        buffer.writeStaticString("\r\n")
    }
}
