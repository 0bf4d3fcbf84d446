import MemoryCore
internal import PostgresNIO

/// A `Timestamp` in PostgreSQL's binary `timestamptz` format: a big-endian Int64 of microseconds
/// since 2000-01-01T00:00:00Z. Going through `Date` would round; this is exact in both directions.
struct PostgresTimestamp: PostgresNonThrowingEncodable, PostgresDecodable, Sendable {
    /// Microseconds from the Unix epoch to PostgreSQL's epoch, 2000-01-01T00:00:00Z.
    static let epochOffset: Int64 = 946_684_800_000_000

    var timestamp: Timestamp

    init(_ timestamp: Timestamp) {
        self.timestamp = timestamp
    }

    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        let (value, overflow) = timestamp.microsecondsSinceEpoch.subtractingReportingOverflow(Self.epochOffset)
        // An instant this far out is outside PostgreSQL's range anyway; send one that the server
        // rejects as out of range (Int64.min itself would mean -infinity).
        byteBuffer.writeInteger(overflow ? Int64.min + 1 : value)
    }

    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard format == .binary, type == .timestamptz || type == .timestamp else { throw PostgresDecodingError.Code.typeMismatch }
        guard buffer.readableBytes == 8, let value = buffer.readInteger(as: Int64.self) else { throw PostgresDecodingError.Code.failure }
        // ±infinity and values whose Unix form would not fit have no Timestamp.
        let (micros, overflow) = value.addingReportingOverflow(Self.epochOffset)
        guard !overflow, value != .min, value != .max else { throw PostgresDecodingError.Code.failure }
        self.timestamp = Timestamp(microsecondsSinceEpoch: micros)
    }
}

extension Timestamp {
    /// This instant as a `timestamptz` query parameter.
    var postgres: PostgresTimestamp { PostgresTimestamp(self) }
}
