import MemoryCore
internal import PostgresNIO

/// A `JSONObject` as a binary `jsonb` value: a version byte (1) followed by JSON text, written with
/// `JSONWriter` and read with `JSONParser` so that integers and doubles stay apart.
///
/// `jsonb` keeps numbers as `numeric`, which prints `3.0` as `3.0` but `1e+16` as
/// `10000000000000000`; doubles that Swift writes with a positive exponent are therefore spelled
/// out with a `.0`, so that they read back as doubles.
struct PostgresJSONObject: PostgresNonThrowingEncodable, PostgresDecodable, Sendable {
    static let versionByte: UInt8 = 1

    var object: JSONObject

    init(_ object: JSONObject) {
        self.object = object
    }

    static var psqlType: PostgresDataType { .jsonb }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        PostgresJSONValue(.object(object)).encode(into: &byteBuffer, context: context)
    }

    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        switch (format, type) {
        case (.binary, .jsonb):
            guard buffer.readInteger(as: UInt8.self) == Self.versionByte else { throw PostgresDecodingError.Code.failure }
        case (.binary, .json), (.text, .json), (.text, .jsonb):
            break
        default:
            throw PostgresDecodingError.Code.typeMismatch
        }
        guard case .object(let object) = try JSONParser.parse(buffer.readableBytesView) else {
            throw PostgresDecodingError.Code.failure
        }
        self.object = object
    }

    /// JSON text for `jsonb`: `JSONWriter`'s, with doubles spelled as plain decimals.
    static func write(_ value: JSONValue, into output: inout [UInt8]) {
        JSONWriter.write(value, into: &output, doubleText: plainDecimal)
    }

    /// Swift's shortest round-tripping text for `number`, with a positive exponent written out
    /// (`1.5e+20` → `150000000000000000000.0`): the same decimal value, so it parses back to the same
    /// double, and with a fraction, so `numeric` keeps it from looking like an integer.
    static func plainDecimal(_ number: Double) -> String {
        let text = String(number)
        guard let e = text.firstIndex(of: "e"), text[text.index(after: e)] == "+",
              let exponent = Int(text[text.index(e, offsetBy: 2)...])
        else { return text }
        var mantissa = text[..<e]
        let sign = mantissa.hasPrefix("-") ? "-" : ""
        if !sign.isEmpty { mantissa = mantissa.dropFirst() }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let digits = String(parts[0]) + (parts.count > 1 ? String(parts[1]) : "")
        let pointPosition = parts[0].count + exponent
        if pointPosition < digits.count {
            let point = digits.index(digits.startIndex, offsetBy: pointPosition)
            return sign + digits[..<point] + "." + digits[point...]
        }
        return sign + digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
    }
}

/// Any JSON value as a `jsonb` query parameter (``PostgresJSONObject`` is the object case, which
/// also decodes).
struct PostgresJSONValue: PostgresNonThrowingEncodable, Sendable {
    var value: JSONValue

    init(_ value: JSONValue) {
        self.value = value
    }

    static var psqlType: PostgresDataType { .jsonb }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        var bytes: [UInt8] = [PostgresJSONObject.versionByte]
        PostgresJSONObject.write(value, into: &bytes)
        byteBuffer.writeBytes(bytes)
    }
}
