package import NIOCore

extension RESPValue {
    /// Appends the value to `buffer` in its RESP3 form, as a server would send it.
    ///
    /// ``null`` is written as RESP3 `_`; a double as `inf`, `-inf`, `nan` or its shortest round-tripping
    /// decimal text. Decoding the bytes with ``RESPValueDecoder`` gives back an equal value.
    package func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .simpleString(let text):
            Self.writeLine("+", text, to: &buffer)
        case .simpleError(let text):
            Self.writeLine("-", text, to: &buffer)
        case .integer(let value):
            Self.writeLine(":", String(value), to: &buffer)
        case .bulkString(let bytes):
            Self.writeBlob("$", bytes, to: &buffer)
        case .null:
            buffer.writeStaticString("_\r\n")
        case .boolean(let value):
            buffer.writeStaticString(value ? "#t\r\n" : "#f\r\n")
        case .double(let value):
            let text =
                if value.isNaN { "nan" } else if value == .infinity { "inf" } else if value == -.infinity { "-inf" } else {
                    value.description
                }
            Self.writeLine(",", text, to: &buffer)
        case .bigNumber(let text):
            Self.writeLine("(", text, to: &buffer)
        case .bulkError(let text):
            Self.writeBlob("!", Array(text.utf8), to: &buffer)
        case .verbatimString(let format, let text):
            Self.writeBlob("=", Array(format.utf8) + [UInt8(ascii: ":")] + Array(text.utf8), to: &buffer)
        case .array(let elements):
            Self.writeAggregate("*", elements, to: &buffer)
        case .set(let elements):
            Self.writeAggregate("~", elements, to: &buffer)
        case .push(let elements):
            Self.writeAggregate(">", elements, to: &buffer)
        case .map(let pairs):
            Self.writePairs("%", pairs, to: &buffer)
        case .attribute(let pairs, let value):
            Self.writePairs("|", pairs, to: &buffer)
            value.encode(into: &buffer)
        }
    }

    private static func writeLine(_ type: StaticString, _ text: String, to buffer: inout ByteBuffer) {
        buffer.writeStaticString(type)
        buffer.writeString(text)
        buffer.writeStaticString("\r\n")
    }

    private static func writeBlob(_ type: StaticString, _ bytes: [UInt8], to buffer: inout ByteBuffer) {
        Self.writeLine(type, String(bytes.count), to: &buffer)
        buffer.writeBytes(bytes)
        buffer.writeStaticString("\r\n")
    }

    private static func writeAggregate(_ type: StaticString, _ elements: [RESPValue], to buffer: inout ByteBuffer) {
        Self.writeLine(type, String(elements.count), to: &buffer)
        for element in elements {
            element.encode(into: &buffer)
        }
    }

    private static func writePairs(_ type: StaticString, _ pairs: [Pair], to buffer: inout ByteBuffer) {
        Self.writeLine(type, String(pairs.count), to: &buffer)
        for pair in pairs {
            pair.key.encode(into: &buffer)
            pair.value.encode(into: &buffer)
        }
    }
}
