import NIOCore
import NIOEmbedded
import RESP
import Testing

/// A byte-exact wire vector and the value it decodes to.
struct DecodingVector: Sendable, CustomTestStringConvertible {
    var wire: String
    var value: RESPValue

    init(_ wire: String, _ value: RESPValue) {
        self.wire = wire
        self.value = value
    }

    var testDescription: String {
        self.wire.replacingOccurrences(of: "\r\n", with: "⏎")
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        self.split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

private let pair = RESPValue.Pair.init(key:value:)

let decodingVectors: [DecodingVector] = [
    // Simple types
    .init("+OK\r\n", .simpleString("OK")),
    .init("+\r\n", .simpleString("")),
    .init("-ERR unknown command 'FOO'\r\n", .simpleError("ERR unknown command 'FOO'")),
    .init(":0\r\n", .integer(0)),
    .init(":-42\r\n", .integer(-42)),
    .init(":+7\r\n", .integer(7)),
    .init(":9223372036854775807\r\n", .integer(.max)),
    .init(":-9223372036854775808\r\n", .integer(.min)),
    .init("#t\r\n", .boolean(true)),
    .init("#f\r\n", .boolean(false)),
    // Bulk strings, including empty and binary payloads that contain CR LF
    .init("$5\r\nhello\r\n", .bulkString(bytes("hello"))),
    .init("$0\r\n\r\n", .bulkString([])),
    .init("$4\r\n\r\n\r\n\r\n", .bulkString([13, 10, 13, 10])),
    // Nulls: RESP2 null bulk string and null array, RESP3 null
    .init("$-1\r\n", .null),
    .init("*-1\r\n", .null),
    .init("_\r\n", .null),
    // Doubles
    .init(",1.23\r\n", .double(1.23)),
    .init(",10\r\n", .double(10)),
    .init(",-0.5\r\n", .double(-0.5)),
    .init(",inf\r\n", .double(.infinity)),
    .init(",-inf\r\n", .double(-.infinity)),
    .init(",nan\r\n", .double(.nan)),
    .init(",1.5e3\r\n", .double(1500)),
    .init(",-2E-2\r\n", .double(-0.02)),
    .init(",6.02e+23\r\n", .double(6.02e23)),
    // Big numbers keep their text
    .init("(3492890328409238509324850943850943825024385\r\n", .bigNumber("3492890328409238509324850943850943825024385")),
    .init("(-3492890328409238509324850943850943825024385\r\n", .bigNumber("-3492890328409238509324850943850943825024385")),
    // Bulk error and verbatim string
    .init("!21\r\nSYNTAX invalid syntax\r\n", .bulkError("SYNTAX invalid syntax")),
    .init("=15\r\ntxt:Some string\r\n", .verbatimString(format: "txt", text: "Some string")),
    .init("=4\r\nmkd:\r\n", .verbatimString(format: "mkd", text: "")),
    // Aggregates
    .init("*0\r\n", .array([])),
    .init("*3\r\n:1\r\n:2\r\n:3\r\n", .array([.integer(1), .integer(2), .integer(3)])),
    .init(
        "*2\r\n*3\r\n:1\r\n:2\r\n:3\r\n*2\r\n+Hello\r\n-World\r\n",
        .array([.array([.integer(1), .integer(2), .integer(3)]), .array([.simpleString("Hello"), .simpleError("World")])])
    ),
    .init("*3\r\n$1\r\na\r\n$-1\r\n_\r\n", .array([.bulkString(bytes("a")), .null, .null])),
    .init("*1\r\n*0\r\n", .array([.array([])])),
    .init(
        "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n",
        .map([pair(.simpleString("first"), .integer(1)), pair(.simpleString("second"), .integer(2))])
    ),
    .init("%0\r\n", .map([])),
    .init(
        "%1\r\n*2\r\n:1\r\n:2\r\n%1\r\n#t\r\n,inf\r\n",
        .map([pair(.array([.integer(1), .integer(2)]), .map([pair(.boolean(true), .double(.infinity))]))])
    ),
    .init("~3\r\n+a\r\n+b\r\n+a\r\n", .set([.simpleString("a"), .simpleString("b"), .simpleString("a")])),
    .init("~0\r\n", .set([])),
    // Attributes bundle with the value they describe, at top level and inside aggregates
    .init(
        "|1\r\n+key-popularity\r\n*2\r\n$1\r\na\r\n,0.1923\r\n*2\r\n:2039123\r\n:9543892\r\n",
        .attribute(
            [pair(.simpleString("key-popularity"), .array([.bulkString(bytes("a")), .double(0.1923)]))],
            .array([.integer(2_039_123), .integer(9_543_892)])
        )
    ),
    .init(
        "*2\r\n|1\r\n+ttl\r\n:10\r\n$1\r\nv\r\n:5\r\n",
        .array([.attribute([pair(.simpleString("ttl"), .integer(10))], .bulkString(bytes("v"))), .integer(5)])
    ),
    .init("|0\r\n+OK\r\n", .attribute([], .simpleString("OK"))),
    // Push frames
    .init(
        ">3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$5\r\nhello\r\n",
        .push([.bulkString(bytes("message")), .bulkString(bytes("chan")), .bulkString(bytes("hello"))])
    ),
    .init(">0\r\n", .push([])),
    // Streamed strings and aggregates
    .init("$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n", .bulkString(bytes("Hello word"))),
    .init("$?\r\n;0\r\n", .bulkString([])),
    .init("*?\r\n:1\r\n*?\r\n.\r\n.\r\n", .array([.integer(1), .array([])])),
    .init("~?\r\n+a\r\n.\r\n", .set([.simpleString("a")])),
    .init("%?\r\n+a\r\n:1\r\n.\r\n", .map([pair(.simpleString("a"), .integer(1))])),
]

@Suite("RESP value decoder")
struct RESPValueDecoderTests {
    @Test("decodes byte-exact vectors", arguments: decodingVectors)
    func decodesVector(_ vector: DecodingVector) throws {
        let values = try decodeAll(bytes(vector.wire))
        #expect(values == [vector.value])
    }

    @Test("needs more data until the last byte, then yields the value", arguments: decodingVectors)
    func decodesVectorOneByteAtATime(_ vector: DecodingVector) throws {
        let input = bytes(vector.wire)
        let (values, completedAt) = try decodeByteByByte(input)
        #expect(values == [vector.value])
        #expect(completedAt == [input.count - 1])
    }

    @Test("consumes exactly one value per call and leaves the rest", arguments: decodingVectors)
    func leavesFollowingBytes(_ vector: DecodingVector) throws {
        var decoder = RESPValueDecoder()
        var buffer = ByteBuffer(bytes: bytes(vector.wire) + bytes("+NEXT\r\n$3\r\nab"))
        #expect(try decoder.decode(buffer: &buffer) == vector.value)
        #expect(try decoder.decode(buffer: &buffer) == .simpleString("NEXT"))
        #expect(try decoder.decode(buffer: &buffer) == nil)
        buffer.writeBytes(bytes("c\r\n"))
        #expect(try decoder.decode(buffer: &buffer) == .bulkString(bytes("abc")))
        #expect(buffer.readableBytes == 0)
    }

    @Test("encoding a decoded vector and decoding it again is lossless", arguments: decodingVectors)
    func roundTrips(_ vector: DecodingVector) throws {
        #expect(try decodeAll(encoded(vector.value)) == [vector.value])
    }

    @Test("decodes pipelined replies in order")
    func decodesSeveralValues() throws {
        let values = try decodeAll(bytes("+OK\r\n:1\r\n$-1\r\n>1\r\n+x\r\n*1\r\n:2\r\n"))
        #expect(values == [.simpleString("OK"), .integer(1), .null, .push([.simpleString("x")]), .array([.integer(2)])])
    }

    @Test("an empty buffer needs more data")
    func emptyBuffer() throws {
        var decoder = RESPValueDecoder()
        var buffer = ByteBuffer()
        #expect(try decoder.decode(buffer: &buffer) == nil)
    }

    @Test("accepts nesting up to the depth limit")
    func nestingAtLimit() throws {
        var limits = RESPValueDecoder.Limits()
        limits.maximumDepth = 64
        let wire = String(repeating: "*1\r\n", count: 64) + ":1\r\n"
        var expected = RESPValue.integer(1)
        for _ in 0..<64 {
            expected = .array([expected])
        }
        #expect(try decodeAll(bytes(wire), limits: limits) == [expected])
    }

    @Test("a large bulk string arriving in chunks is assembled")
    func largeBulkInChunks() throws {
        let payload = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var input = bytes("$100000\r\n")
        input += payload
        input += bytes("\r\n")
        var decoder = RESPValueDecoder()
        var buffer = ByteBuffer()
        var result: RESPValue?
        for chunkStart in stride(from: 0, to: input.count, by: 4096) {
            buffer.writeBytes(input[chunkStart..<min(chunkStart + 4096, input.count)])
            if let value = try decoder.decode(buffer: &buffer) {
                result = value
            }
        }
        #expect(result == .bulkString(payload))
    }

    @Test("works inside a ByteToMessageHandler with maximumBufferSize")
    func inChannelPipeline() throws {
        let decoder = RESPValueDecoder()
        let channel = EmbeddedChannel(
            handler: ByteToMessageHandler(decoder, maximumBufferSize: decoder.limits.maximumBufferSize)
        )
        try channel.writeInbound(ByteBuffer(bytes: bytes("*2\r\n$3\r\nfoo\r\n")))
        #expect(try channel.readInbound(as: RESPValue.self) == nil)
        try channel.writeInbound(ByteBuffer(bytes: bytes("$3\r\nbar\r\n+OK\r\n")))
        #expect(try channel.readInbound(as: RESPValue.self) == .array([.bulkString(bytes("foo")), .bulkString(bytes("bar"))]))
        #expect(try channel.readInbound(as: RESPValue.self) == .simpleString("OK"))
        #expect(try channel.finish().isClean)
    }

    @Test("a malformed reply in a pipeline surfaces as an error")
    func errorInChannelPipeline() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RESPValueDecoder()))
        #expect(throws: RESPProtocolError.self) {
            try channel.writeInbound(ByteBuffer(bytes: bytes("?oops\r\n")))
        }
        _ = try? channel.finish()
    }
}
