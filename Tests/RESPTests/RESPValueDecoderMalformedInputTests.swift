import NIOCore
import RESP
import Testing

/// Malformed wire bytes and the error they must raise.
struct MalformedVector: Sendable, CustomTestStringConvertible {
    var wire: [UInt8]
    var code: RESPProtocolError.Code
    var limits: RESPValueDecoder.Limits
    var label: String

    init(_ label: String, _ wire: String, _ code: RESPProtocolError.Code, limits: RESPValueDecoder.Limits = .init()) {
        self.label = label
        self.wire = Array(wire.utf8)
        self.code = code
        self.limits = limits
    }

    var testDescription: String { self.label }
}

private func limits(_ configure: (inout RESPValueDecoder.Limits) -> Void) -> RESPValueDecoder.Limits {
    var limits = RESPValueDecoder.Limits()
    configure(&limits)
    return limits
}

let malformedVectors: [MalformedVector] = [
    .init("unknown type byte", "?what\r\n", .invalidTypeByte),
    .init("CR as type byte", "\r\n", .invalidTypeByte),
    .init("type byte inside an array", "*1\r\nx\r\n", .invalidTypeByte),
    .init("non-numeric bulk length", "$abc\r\nabc\r\n", .invalidLength),
    .init("empty bulk length", "$\r\n\r\n", .invalidLength),
    .init("negative bulk length", "$-2\r\n", .invalidLength),
    .init("negative array count", "*-2\r\n", .invalidLength),
    .init("null map", "%-1\r\n", .invalidLength),
    .init("null set", "~-1\r\n", .invalidLength),
    .init("null push", ">-1\r\n", .invalidLength),
    .init("null bulk error", "!-1\r\n", .invalidLength),
    .init("null verbatim", "=-1\r\n", .invalidLength),
    .init("streamed push", ">?\r\n", .invalidLength),
    .init("non-numeric integer", ":12a\r\n", .invalidInteger),
    .init("empty integer", ":\r\n", .invalidInteger),
    .init("sign-only integer", ":-\r\n", .invalidInteger),
    .init("integer with spaces", ": 1\r\n", .invalidInteger),
    .init("integer overflow", ":9223372036854775808\r\n", .invalidInteger),
    .init("integer underflow", ":-9223372036854775809\r\n", .invalidInteger),
    .init("boolean other than t/f", "#x\r\n", .invalidBoolean),
    .init("boolean too long", "#tt\r\n", .invalidBoolean),
    .init("double text", ",abc\r\n", .invalidDouble),
    .init("double without exponent digits", ",1e\r\n", .invalidDouble),
    .init("double double sign", ",--1\r\n", .invalidDouble),
    .init("double hex", ",0x10\r\n", .invalidDouble),
    .init("double empty", ",\r\n", .invalidDouble),
    .init("big number with letters", "(12a\r\n", .invalidBigNumber),
    .init("empty big number", "(\r\n", .invalidBigNumber),
    .init("null with text", "_x\r\n", .invalidNull),
    .init("verbatim shorter than its format", "=3\r\ntxt\r\n", .invalidVerbatimString),
    .init("verbatim without colon", "=5\r\ntxtxy\r\n", .invalidVerbatimString),
    .init("bulk without CR LF after payload", "$3\r\nabcXY", .missingCRLF),
    .init("line with CR but no LF", "+OK\rX", .missingCRLF),
    .init("line with bare LF", "+OK\n", .missingCRLF),
    .init("header with bare LF", "*1\n:1\r\n", .missingCRLF),
    .init("stream chunk outside a streamed string", ";3\r\nabc\r\n", .unexpectedStreamPart),
    .init("stream end outside a streamed aggregate", ".\r\n", .unexpectedStreamPart),
    .init("stream end in a counted array", "*3\r\n:1\r\n.\r\n", .unexpectedStreamPart),
    .init("value inside a streamed string", "$?\r\n+OK\r\n", .unexpectedStreamPart),
    .init("streamed map with a key but no value", "%?\r\n+a\r\n.\r\n", .unexpectedStreamPart),
    .init("stream end with text", "*?\r\n.x\r\n", .unexpectedStreamPart),
    .init(
        "bulk over the cap, before its payload arrives",
        "$11\r\n",
        .bulkLengthTooLarge,
        limits: limits { $0.maximumBulkLength = 10 }
    ),
    .init(
        "streamed string over the cap",
        "$?\r\n;6\r\nabcdef\r\n;6\r\nabcdef\r\n",
        .bulkLengthTooLarge,
        limits: limits { $0.maximumBulkLength = 10 }
    ),
    .init("default bulk cap", "$536870913\r\n", .bulkLengthTooLarge),
    .init("array count over the cap", "*3\r\n", .tooManyElements, limits: limits { $0.maximumElementCount = 2 }),
    .init("map count over the cap", "%3\r\n", .tooManyElements, limits: limits { $0.maximumElementCount = 2 }),
    .init("default element cap", "*1048577\r\n", .tooManyElements),
    .init("huge count", "*99999999999999999999\r\n", .invalidLength),
    .init(
        "streamed array over the cap",
        "*?\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n",
        .tooManyElements,
        limits: limits { $0.maximumElementCount = 2 }
    ),
    .init("nesting over the default depth", String(repeating: "*1\r\n", count: 65) + ":1\r\n", .nestingTooDeep),
    .init(
        "nesting over a configured depth",
        "*1\r\n%1\r\n~1\r\n:1\r\n",
        .nestingTooDeep,
        limits: limits { $0.maximumDepth = 2 }
    ),
    .init("line over the cap", "+123456789", .lineTooLong, limits: limits { $0.maximumLineLength = 8 }),
    .init(
        "message over the cap",
        "*3\r\n$3\r\nabc\r\n$3\r\nabc\r\n",
        .messageTooLarge,
        limits: limits { $0.maximumMessageSize = 16 }
    ),
]

@Suite("RESP value decoder, malformed input")
struct RESPValueDecoderMalformedInputTests {
    @Test("throws the right error", arguments: malformedVectors)
    func throwsForMalformedInput(_ vector: MalformedVector) {
        let code = protocolErrorCode { _ = try decodeAll(vector.wire, limits: vector.limits) }
        #expect(code == vector.code)
    }

    @Test("throws the same error when fed one byte at a time", arguments: malformedVectors)
    func throwsForMalformedInputOneByteAtATime(_ vector: MalformedVector) {
        let code = protocolErrorCode { _ = try decodeByteByByte(vector.wire, limits: vector.limits) }
        #expect(code == vector.code)
    }

    @Test("a line exactly at the cap is accepted")
    func lineAtCap() throws {
        var limits = RESPValueDecoder.Limits()
        limits.maximumLineLength = 8
        #expect(try decodeAll(bytes("+12345678\r\n"), limits: limits) == [.simpleString("12345678")])
        #expect(try decodeByteByByte(bytes("+12345678\r\n"), limits: limits).values == [.simpleString("12345678")])
    }

    @Test("a bulk string exactly at the cap is accepted")
    func bulkAtCap() throws {
        var limits = RESPValueDecoder.Limits()
        limits.maximumBulkLength = 3
        #expect(try decodeAll(bytes("$3\r\nabc\r\n"), limits: limits) == [.bulkString(bytes("abc"))])
    }

    @Test("the size cap applies to each message, not to the connection")
    func messageCapIsPerMessage() throws {
        var limits = RESPValueDecoder.Limits()
        limits.maximumMessageSize = 16
        let input = Array(repeating: bytes("$3\r\nabc\r\n"), count: 10).flatMap { $0 }
        #expect(try decodeAll(input, limits: limits).count == 10)
    }

    @Test("errors describe the problem without the message's bytes")
    func errorDescriptionHasNoData() {
        do {
            _ = try decodeAll(bytes("$6\r\nsecretXX"))
            Issue.record("expected an error")
        } catch let error as RESPProtocolError {
            #expect(error.code == .missingCRLF)
            #expect(error.offset == 10)
            #expect(!"\(error)".contains("secret"))
            #expect(!String(reflecting: error).contains("secret"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
