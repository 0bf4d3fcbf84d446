import RESP
import Testing

@Suite("RESP values")
struct RESPValueTests {
    @Test("NaN doubles are equal to each other and hash alike, unlike Double")
    func nanEquality() {
        #expect(RESPValue.double(.nan) == .double(.nan))
        #expect(RESPValue.double(.nan) == .double(-.nan))
        #expect(RESPValue.double(.nan) != .double(1))
        #expect(RESPValue.double(0) == .double(-0.0))
        let set: Set<RESPValue> = [.double(.nan), .double(.nan), .array([.double(.nan)]), .array([.double(.nan)])]
        #expect(set.count == 2)
        #expect(Set<RESPValue>([.double(0), .double(-0.0)]).count == 1)
    }

    @Test("structurally different values are different")
    func inequality() {
        #expect(RESPValue.simpleString("a") != .bulkString([97]))
        #expect(RESPValue.simpleError("a") != .bulkError("a"))
        #expect(RESPValue.array([.integer(1)]) != .set([.integer(1)]))
        #expect(RESPValue.array([.integer(1)]) != .push([.integer(1)]))
        #expect(RESPValue.attribute([], .null) != .null)
        #expect(Set<RESPValue>([.array([]), .set([]), .push([]), .map([])]).count == 4)
    }

    @Test("accessors read the natural Swift value")
    func accessors() {
        #expect(RESPValue.bulkString([104, 105]).bytes == [104, 105])
        #expect(RESPValue.bulkString([104, 105]).string == "hi")
        #expect(RESPValue.bulkString([0xFF, 0xFE]).string == nil)
        #expect(RESPValue.simpleString("OK").string == "OK")
        #expect(RESPValue.verbatimString(format: "txt", text: "t").string == "t")
        #expect(RESPValue.integer(5).int == 5)
        #expect(RESPValue.bulkString(Array("12".utf8)).int == 12)
        #expect(RESPValue.bulkString(Array("x".utf8)).int == nil)
        #expect(RESPValue.double(1.5).double == 1.5)
        #expect(RESPValue.bulkString(Array("2.5".utf8)).double == 2.5)
        #expect(RESPValue.boolean(true).bool == true)
        #expect(RESPValue.integer(0).bool == false)
        #expect(RESPValue.integer(5).string == nil)
        #expect(RESPValue.null.isNull)
        #expect(!RESPValue.bulkString([]).isNull)
        #expect(RESPValue.set([.integer(1)]).array == [.integer(1)])
        #expect(RESPValue.simpleError("ERR x").errorMessage == "ERR x")
        #expect(RESPValue.bulkError("ERR y").errorMessage == "ERR y")
        #expect(RESPValue.simpleString("ERR").errorMessage == nil)
    }

    @Test("map reads RESP3 maps and RESP2 flat arrays alike")
    func mapAccessor() {
        let pairs = [RESPValue.Pair(key: .bulkString([97]), value: .integer(1))]
        #expect(RESPValue.map(pairs).map == pairs)
        #expect(RESPValue.array([.bulkString([97]), .integer(1)]).map == pairs)
        #expect(RESPValue.array([.integer(1)]).map == nil)
    }

    @Test("accessors look through attributes")
    func attributes() {
        let value = RESPValue.attribute([.init(key: .simpleString("ttl"), value: .integer(3))], .bulkString([120]))
        #expect(value.bytes == [120])
        #expect(value.withoutAttributes == .bulkString([120]))
        #expect(RESPValue.attribute([], .null).isNull)
        #expect(RESPValue.attribute([], .push([])).isPush)
    }
}
