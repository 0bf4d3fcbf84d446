import NIOCore
import RESP
import Testing

/// Bounded, deterministic fuzzing: random bytes and mutated valid frames must never crash the decoder; they
/// either decode, wait for more data, or throw `RESPProtocolError`, and do so identically whether the bytes
/// arrive at once or one at a time.
@Suite("RESP value decoder fuzzing")
struct RESPValueDecoderFuzzTests {
    /// The outcome of decoding a whole input: the values, and the error code if it threw.
    struct Outcome: Equatable {
        var values: [RESPValue]
        var error: RESPProtocolError.Code?
    }

    static func outcome(_ input: [UInt8], limits: RESPValueDecoder.Limits, byteByByte: Bool) -> Outcome? {
        var decoder = RESPValueDecoder(limits: limits)
        var values: [RESPValue] = []
        do {
            if byteByByte {
                var buffer = ByteBuffer()
                for byte in input {
                    buffer.writeInteger(byte)
                    while let value = try decoder.decode(buffer: &buffer) {
                        values.append(value)
                    }
                }
            } else {
                var buffer = ByteBuffer(bytes: input)
                while let value = try decoder.decode(buffer: &buffer) {
                    values.append(value)
                }
            }
            return Outcome(values: values, error: nil)
        } catch let error as RESPProtocolError {
            return Outcome(values: values, error: error.code)
        } catch {
            return nil
        }
    }

    /// Small limits so that the fuzzer reaches them.
    static let limits: RESPValueDecoder.Limits = {
        var limits = RESPValueDecoder.Limits()
        limits.maximumBulkLength = 64
        limits.maximumElementCount = 8
        limits.maximumDepth = 4
        limits.maximumLineLength = 32
        limits.maximumMessageSize = 256
        return limits
    }()

    static let alphabet = Array("+-:$*_#,(!=%~|>;.?\r\n0123456789-tfinaex".utf8)

    @Test("random bytes never crash and decode the same whole or byte by byte")
    func randomBytes() {
        var random = SplitMix64(seed: 0x5EED_0001)
        for _ in 0..<3000 {
            let length = Int.random(in: 0...48, using: &random)
            let input = (0..<length).map { _ in
                Bool.random(using: &random)
                    ? Self.alphabet.randomElement(using: &random)!
                    : UInt8.random(in: 0...255, using: &random)
            }
            let whole = Self.outcome(input, limits: Self.limits, byteByByte: false)
            let incremental = Self.outcome(input, limits: Self.limits, byteByByte: true)
            #expect(whole != nil, "non-protocol error for \(input)")
            #expect(whole == incremental, "whole and incremental decoding differ for \(input)")
        }
    }

    @Test("mutated valid frames never crash and decode the same whole or byte by byte")
    func mutatedFrames() {
        var random = SplitMix64(seed: 0x5EED_0002)
        let frames = decodingVectors.map { Array($0.wire.utf8) }
        for _ in 0..<5000 {
            var input = frames.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 1...3, using: &random) where !input.isEmpty {
                let index = Int.random(in: 0..<input.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: input[index] = Self.alphabet.randomElement(using: &random)!
                case 1: input[index] = UInt8.random(in: 0...255, using: &random)
                case 2: input.remove(at: index)
                default: input.insert(Self.alphabet.randomElement(using: &random)!, at: index)
                }
            }
            if Bool.random(using: &random) {
                input = Array(input.prefix(Int.random(in: 0...input.count, using: &random)))
            }
            let whole = Self.outcome(input, limits: Self.limits, byteByByte: false)
            let incremental = Self.outcome(input, limits: Self.limits, byteByByte: true)
            #expect(whole != nil, "non-protocol error for \(input)")
            #expect(whole == incremental, "whole and incremental decoding differ for \(input)")
        }
    }

    @Test("random values survive encoding and decoding")
    func randomValuesRoundTrip() throws {
        var random = SplitMix64(seed: 0x5EED_0003)
        for _ in 0..<500 {
            let value = Self.randomValue(depth: 0, using: &random)
            let wire = encoded(value)
            #expect(try decodeAll(wire) == [value])
            #expect(try decodeByteByByte(wire).values == [value])
        }
    }

    static func randomValue(depth: Int, using random: inout SplitMix64) -> RESPValue {
        let scalarCases = 11
        let choice = Int.random(in: 0..<(depth < 3 ? scalarCases + 6 : scalarCases), using: &random)
        func text() -> String {
            String(decoding: (0..<Int.random(in: 0...6, using: &random)).map { _ in UInt8.random(in: 97...122, using: &random) }, as: UTF8.self)
        }
        func elements() -> [RESPValue] {
            (0..<Int.random(in: 0...3, using: &random)).map { _ in Self.randomValue(depth: depth + 1, using: &random) }
        }
        func pairs() -> [RESPValue.Pair] {
            (0..<Int.random(in: 0...2, using: &random)).map { _ in
                RESPValue.Pair(key: Self.randomValue(depth: depth + 1, using: &random), value: Self.randomValue(depth: depth + 1, using: &random))
            }
        }
        switch choice {
        case 0: return .simpleString(text())
        case 1: return .simpleError(text())
        case 2: return .integer(Int64.random(in: .min ... .max, using: &random))
        case 3: return .bulkString((0..<Int.random(in: 0...20, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
        case 4: return .null
        case 5: return .boolean(Bool.random(using: &random))
        case 6: return .double([.infinity, -.infinity, .nan, 0, -1.5, 1e-300, 6.02e23].randomElement(using: &random)!)
        case 7: return .double(Double(bitPattern: random.next()))
        case 8: return .bigNumber(String(Int64.random(in: .min ... .max, using: &random)) + "123456789012345678901234567890")
        case 9: return .bulkError(text())
        case 10: return .verbatimString(format: "txt", text: text())
        case 11: return .array(elements())
        case 12: return .set(elements())
        case 13: return .push(elements())
        case 14: return .map(pairs())
        case 15: return .attribute(pairs(), Self.randomValue(depth: depth + 1, using: &random))
        default: return .array([])
        }
    }
}
