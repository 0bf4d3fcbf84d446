import NIOCore
import NIOEmbedded
import RESP
import Testing

@Suite("RESP command encoder")
struct RESPCommandEncoderTests {
    static func encode(_ command: [RESPArgument]) -> String {
        var buffer = ByteBuffer()
        RESPCommandEncoder.encode(command, into: &buffer)
        return String(decoding: buffer.readableBytesView, as: UTF8.self)
    }

    @Test("a command is an array of bulk strings")
    func simpleCommand() {
        #expect(Self.encode(["PING"]) == "*1\r\n$4\r\nPING\r\n")
        #expect(Self.encode(["GET", "key"]) == "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n")
    }

    @Test("strings are counted in UTF-8 bytes")
    func utf8Length() {
        #expect(Self.encode(["SET", "clé", "日本"]) == "*3\r\n$3\r\nSET\r\n$4\r\nclé\r\n$6\r\n日本\r\n")
    }

    @Test("empty arguments are empty bulk strings")
    func emptyArguments() {
        #expect(Self.encode(["SET", "", .bytes([])]) == "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$0\r\n\r\n")
    }

    @Test("binary arguments are sent unchanged, including CR LF and NUL")
    func binaryArgument() {
        var buffer = ByteBuffer()
        RESPCommandEncoder.encode(["SET", "k", .bytes([0, 13, 10, 255])], into: &buffer)
        #expect(Array(buffer.readableBytesView) == bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\n") + [0, 13, 10, 255] + bytes("\r\n"))
    }

    @Test("integers and doubles are sent as decimal text")
    func numbers() {
        #expect(Self.encode([42, -7, .integer(Int.min)]) == "*3\r\n$2\r\n42\r\n$2\r\n-7\r\n$20\r\n-9223372036854775808\r\n")
        #expect(Self.encode([1.5, .double(-0.25), .double(.infinity), .double(-.infinity), 1e-5])
            == "*5\r\n$3\r\n1.5\r\n$5\r\n-0.25\r\n$3\r\ninf\r\n$4\r\n-inf\r\n$5\r\n1e-05\r\n")
    }

    @Test("an empty command is an empty array")
    func emptyCommand() {
        #expect(Self.encode([]) == "*0\r\n")
    }

    @Test("encoded commands decode as arrays of bulk strings")
    func decodesBack() throws {
        var buffer = ByteBuffer()
        RESPCommandEncoder.encode(["SET", "k", .bytes([1, 2]), 3, 0.5], into: &buffer)
        var decoder = RESPValueDecoder()
        let value = try decoder.decode(buffer: &buffer)
        #expect(value == .array([.bulkString(bytes("SET")), .bulkString(bytes("k")), .bulkString([1, 2]), .bulkString(bytes("3")), .bulkString(bytes("0.5"))]))
    }

    @Test("works as a MessageToByteEncoder in a pipeline")
    func inPipeline() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(RESPCommandEncoder()))
        try channel.writeOutbound(["ECHO", "hi"] as [RESPArgument])
        let written = try channel.readOutbound(as: ByteBuffer.self)
        #expect(written.map { String(decoding: $0.readableBytesView, as: UTF8.self) } == "*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n")
        #expect(try channel.finish().isClean)
    }

    @Test("values encode to their RESP3 wire form")
    func valueEncoding() {
        #expect(encoded(.null) == bytes("_\r\n"))
        #expect(encoded(.double(.nan)) == bytes(",nan\r\n"))
        #expect(encoded(.double(-.infinity)) == bytes(",-inf\r\n"))
        #expect(encoded(.verbatimString(format: "txt", text: "hi")) == bytes("=6\r\ntxt:hi\r\n"))
        #expect(encoded(.attribute([.init(key: .simpleString("a"), value: .integer(1))], .boolean(true))) == bytes("|1\r\n+a\r\n:1\r\n#t\r\n"))
        #expect(encoded(.map([.init(key: .bulkString(bytes("k")), value: .array([]))])) == bytes("%1\r\n$1\r\nk\r\n*0\r\n"))
    }
}
