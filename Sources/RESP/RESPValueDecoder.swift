package import NIOCore

/// Decodes RESP3 and RESP2 values from bytes, one complete top-level value at a time.
///
/// The decoder is resumable: it consumes every complete scalar and aggregate header as soon as it arrives and
/// keeps the partly built aggregates itself, so a large reply arriving in many reads is parsed once, and the
/// bytes it leaves in the buffer never exceed one incomplete scalar (see ``Limits/maximumBufferSize``).
/// Truncated input makes ``decode(buffer:)`` return `nil`; malformed input, or input beyond ``Limits``,
/// throws ``RESPProtocolError``. After an error the decoder's state is undefined: drop the connection.
///
/// It is a pure value over a `ByteBuffer`, usable without a channel; in a pipeline wrap it in
/// `ByteToMessageHandler(decoder, maximumBufferSize: decoder.limits.maximumBufferSize)`.
package struct RESPValueDecoder: NIOSingleStepByteToMessageDecoder {
    /// The decoded message type.
    package typealias InboundOut = RESPValue

    /// Caps on what the decoder accepts, so that a faulty or hostile peer cannot exhaust memory or stack.
    package struct Limits: Sendable, Hashable {
        /// The longest bulk string, bulk error, verbatim string or streamed string payload, in bytes.
        package var maximumBulkLength: Int = 512 * 1024 * 1024
        /// The most elements in one array, set or push frame, or pairs in one map or attribute.
        package var maximumElementCount: Int = 1 << 20
        /// The deepest nesting of aggregates (a flat array has depth 1).
        package var maximumDepth: Int = 64
        /// The longest line (simple string, simple error, number, or header), in bytes, without its CR LF.
        package var maximumLineLength: Int = 64 * 1024
        /// The most bytes one top-level value may span on the wire.
        package var maximumMessageSize: Int = 1024 * 1024 * 1024

        /// Creates the default limits.
        package init() {}

        /// The most bytes the decoder leaves unconsumed: one header line plus one bulk payload.
        /// Give this to `ByteToMessageHandler` as its `maximumBufferSize`.
        package var maximumBufferSize: Int {
            let (sum, overflow) = self.maximumBulkLength.addingReportingOverflow(self.maximumLineLength + 8)
            return overflow ? Int.max : sum
        }
    }

    /// The limits this decoder enforces.
    package let limits: Limits

    private var stack: [Frame] = []
    /// Bytes of the current top-level value consumed so far.
    private var consumed = 0

    /// Creates a decoder.
    package init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Decodes the next complete value, consuming its bytes, or returns `nil` if more bytes are needed.
    package mutating func decode(buffer: inout ByteBuffer) throws -> RESPValue? {
        while let (token, length) = try self.nextToken(in: buffer) {
            buffer.moveReaderIndex(forwardBy: length)
            let offset = self.consumed
            self.consumed += length
            if let value = try self.apply(token, offset: offset) {
                self.consumed = 0
                return value
            }
        }
        return nil
    }

    /// Decodes as ``decode(buffer:)`` does; bytes of an incomplete value left at the end stay unconsumed.
    package mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> RESPValue? {
        try self.decode(buffer: &buffer)
    }
}

// MARK: - Aggregates under construction

extension RESPValueDecoder {
    private enum FrameKind {
        case array
        case set
        case push
        case map
        case attribute
        /// An attribute whose pairs are complete, waiting for the value it describes.
        case attributed([RESPValue.Pair])
        case streamedString
    }

    private struct Frame {
        var kind: FrameKind
        /// Elements still expected; `nil` for streamed aggregates, which end with `.`.
        var remaining: Int?
        var elements: [RESPValue] = []
        var bytes: [UInt8] = []
    }

    private enum Token {
        case value(RESPValue)
        case aggregate(FrameKind, count: Int)
        case streamedAggregate(FrameKind)
        case streamedStringStart
        /// A streamed-string chunk; empty for the terminating `;0`.
        case streamedStringChunk([UInt8])
        case streamEnd
    }

    private mutating func apply(_ token: Token, offset: Int) throws -> RESPValue? {
        if let top = self.stack.last, case .streamedString = top.kind {
            guard case .streamedStringChunk(let chunk) = token else {
                throw RESPProtocolError(.unexpectedStreamPart, offset: offset)
            }
            if chunk.isEmpty {
                let frame = self.stack.removeLast()
                return try self.complete(.bulkString(frame.bytes), offset: offset)
            }
            guard top.bytes.count + chunk.count <= self.limits.maximumBulkLength else {
                throw RESPProtocolError(.bulkLengthTooLarge, offset: offset)
            }
            self.stack[self.stack.count - 1].bytes += chunk
            return nil
        }
        switch token {
        case .value(let value):
            return try self.complete(value, offset: offset)
        case .aggregate(.attribute, count: 0):
            try self.push(Frame(kind: .attributed([]), remaining: 1), offset: offset)
        case .aggregate(let kind, count: 0):
            return try self.complete(Self.build(kind, elements: []), offset: offset)
        case .aggregate(let kind, let count):
            let isPaired = if case .map = kind { true } else if case .attribute = kind { true } else { false }
            try self.push(Frame(kind: kind, remaining: isPaired ? count * 2 : count), offset: offset)
        case .streamedAggregate(let kind):
            try self.push(Frame(kind: kind, remaining: nil), offset: offset)
        case .streamedStringStart:
            try self.push(Frame(kind: .streamedString, remaining: nil), offset: offset)
        case .streamedStringChunk:
            throw RESPProtocolError(.unexpectedStreamPart, offset: offset)
        case .streamEnd:
            guard let top = self.stack.last, top.remaining == nil else {
                throw RESPProtocolError(.unexpectedStreamPart, offset: offset)
            }
            if case .map = top.kind, !top.elements.count.isMultiple(of: 2) {
                throw RESPProtocolError(.unexpectedStreamPart, offset: offset)
            }
            let frame = self.stack.removeLast()
            return try self.complete(Self.build(frame.kind, elements: frame.elements), offset: offset)
        }
        return nil
    }

    private mutating func push(_ frame: Frame, offset: Int) throws {
        guard self.stack.count < self.limits.maximumDepth else {
            throw RESPProtocolError(.nestingTooDeep, offset: offset)
        }
        self.stack.append(frame)
    }

    /// Adds a finished value to the innermost open aggregate, closing every aggregate it completes.
    /// Returns the top-level value once it is complete.
    private mutating func complete(_ value: RESPValue, offset: Int) throws -> RESPValue? {
        var value = value
        while !self.stack.isEmpty {
            let index = self.stack.count - 1
            self.stack[index].elements.append(value)
            guard let remaining = self.stack[index].remaining else {
                // Streamed aggregate: bounded by element count instead of a declared length.
                let isMap = if case .map = self.stack[index].kind { true } else { false }
                let maximum = isMap ? self.limits.maximumElementCount * 2 : self.limits.maximumElementCount
                guard self.stack[index].elements.count <= maximum else {
                    throw RESPProtocolError(.tooManyElements, offset: offset)
                }
                return nil
            }
            if remaining > 1 {
                self.stack[index].remaining = remaining - 1
                return nil
            }
            let frame = self.stack.removeLast()
            if case .attribute = frame.kind {
                self.stack.append(Frame(kind: .attributed(Self.pairs(frame.elements)), remaining: 1))
                return nil
            }
            value = Self.build(frame.kind, elements: frame.elements)
        }
        return value
    }

    private static func build(_ kind: FrameKind, elements: [RESPValue]) -> RESPValue {
        switch kind {
        case .array: .array(elements)
        case .set: .set(elements)
        case .push: .push(elements)
        case .map: .map(Self.pairs(elements))
        case .attribute: .attribute(Self.pairs(elements), .null)
        case .attributed(let pairs): .attribute(pairs, elements.first ?? .null)
        case .streamedString: .bulkString([])
        }
    }

    private static func pairs(_ elements: [RESPValue]) -> [RESPValue.Pair] {
        stride(from: 0, to: elements.count - 1, by: 2).map {
            RESPValue.Pair(key: elements[$0], value: elements[$0 + 1])
        }
    }
}

// MARK: - Tokens

extension RESPValueDecoder {
    /// Reads the next token without consuming it: the token and its length in bytes, or `nil` if incomplete.
    private func nextToken(in buffer: ByteBuffer) throws -> (Token, Int)? {
        guard let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else {
            return nil
        }
        // Reject garbage at once rather than waiting for a line end that may never come.
        guard Self.typeBytes.contains(type) else {
            throw RESPProtocolError(.invalidTypeByte, offset: self.consumed)
        }
        guard let lineLength = try self.lineLength(in: buffer) else {
            return nil
        }
        let headerLength = 1 + lineLength + 2
        try self.checkMessageSize(adding: headerLength)
        let line = buffer.viewBytes(at: buffer.readerIndex + 1, length: lineLength)!
        let offset = self.consumed

        switch type {
        case UInt8(ascii: "+"):
            return (.value(.simpleString(String(decoding: line, as: UTF8.self))), headerLength)
        case UInt8(ascii: "-"):
            return (.value(.simpleError(String(decoding: line, as: UTF8.self))), headerLength)
        case UInt8(ascii: ":"):
            guard let value = Self.parseInteger(line) else {
                throw RESPProtocolError(.invalidInteger, offset: offset)
            }
            return (.value(.integer(value)), headerLength)
        case UInt8(ascii: "_"):
            guard line.isEmpty else { throw RESPProtocolError(.invalidNull, offset: offset) }
            return (.value(.null), headerLength)
        case UInt8(ascii: "#"):
            switch Array(line) {
            case [UInt8(ascii: "t")]: return (.value(.boolean(true)), headerLength)
            case [UInt8(ascii: "f")]: return (.value(.boolean(false)), headerLength)
            default: throw RESPProtocolError(.invalidBoolean, offset: offset)
            }
        case UInt8(ascii: ","):
            guard let value = Self.parseDouble(line) else {
                throw RESPProtocolError(.invalidDouble, offset: offset)
            }
            return (.value(.double(value)), headerLength)
        case UInt8(ascii: "("):
            guard Self.isBigNumber(line) else { throw RESPProtocolError(.invalidBigNumber, offset: offset) }
            return (.value(.bigNumber(String(decoding: line, as: UTF8.self))), headerLength)
        case UInt8(ascii: "."):
            guard line.isEmpty else { throw RESPProtocolError(.unexpectedStreamPart, offset: offset) }
            return (.streamEnd, headerLength)
        case UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "="), UInt8(ascii: ";"):
            return try self.blobToken(type: type, line: line, headerLength: headerLength, in: buffer)
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: "%"), UInt8(ascii: "|"), UInt8(ascii: ">"):
            return try self.aggregateToken(type: type, line: line, headerLength: headerLength)
        default:
            throw RESPProtocolError(.invalidTypeByte, offset: offset)
        }
    }

    /// A value whose header gives the length of a binary payload that follows it.
    private func blobToken(type: UInt8, line: ByteBufferView, headerLength: Int, in buffer: ByteBuffer) throws -> (Token, Int)? {
        let offset = self.consumed
        if type == UInt8(ascii: "$"), line.elementsEqual([UInt8(ascii: "?")]) {
            return (.streamedStringStart, headerLength)
        }
        guard let declared = Self.parseInteger(line) else {
            throw RESPProtocolError(.invalidLength, offset: offset)
        }
        if declared == -1, type == UInt8(ascii: "$") {
            return (.value(.null), headerLength)
        }
        guard declared >= 0 else { throw RESPProtocolError(.invalidLength, offset: offset) }
        guard declared <= self.limits.maximumBulkLength else {
            throw RESPProtocolError(.bulkLengthTooLarge, offset: offset)
        }
        let length = Int(declared)
        if type == UInt8(ascii: ";"), length == 0 {
            return (.streamedStringChunk([]), headerLength)
        }
        let total = headerLength + length + 2
        try self.checkMessageSize(adding: total)
        guard buffer.readableBytes >= total else { return nil }
        let payloadStart = buffer.readerIndex + headerLength
        guard buffer.getInteger(at: payloadStart + length, as: UInt16.self) == Self.crlf else {
            throw RESPProtocolError(.missingCRLF, offset: offset + headerLength + length)
        }
        let payload = buffer.getBytes(at: payloadStart, length: length)!
        switch type {
        case UInt8(ascii: "$"):
            return (.value(.bulkString(payload)), total)
        case UInt8(ascii: "!"):
            return (.value(.bulkError(String(decoding: payload, as: UTF8.self))), total)
        case UInt8(ascii: ";"):
            return (.streamedStringChunk(payload), total)
        default:
            guard payload.count >= 4, payload[3] == UInt8(ascii: ":") else {
                throw RESPProtocolError(.invalidVerbatimString, offset: offset)
            }
            let format = String(decoding: payload[0..<3], as: UTF8.self)
            let text = String(decoding: payload[4...], as: UTF8.self)
            return (.value(.verbatimString(format: format, text: text)), total)
        }
    }

    private func aggregateToken(type: UInt8, line: ByteBufferView, headerLength: Int) throws -> (Token, Int) {
        let offset = self.consumed
        let kind: FrameKind =
            switch type {
            case UInt8(ascii: "*"): .array
            case UInt8(ascii: "~"): .set
            case UInt8(ascii: "%"): .map
            case UInt8(ascii: "|"): .attribute
            default: .push
            }
        if line.elementsEqual([UInt8(ascii: "?")]) {
            switch kind {
            case .array, .set, .map: return (.streamedAggregate(kind), headerLength)
            default: throw RESPProtocolError(.invalidLength, offset: offset)
            }
        }
        guard let declared = Self.parseInteger(line) else {
            throw RESPProtocolError(.invalidLength, offset: offset)
        }
        if declared == -1, type == UInt8(ascii: "*") {
            return (.value(.null), headerLength)
        }
        guard declared >= 0 else { throw RESPProtocolError(.invalidLength, offset: offset) }
        guard declared <= self.limits.maximumElementCount else {
            throw RESPProtocolError(.tooManyElements, offset: offset)
        }
        return (.aggregate(kind, count: Int(declared)), headerLength)
    }

    /// The length of the line after the type byte, without its CR LF; `nil` if its CR LF has not arrived.
    private func lineLength(in buffer: ByteBuffer) throws -> Int? {
        let maximum = self.limits.maximumLineLength
        let offset = self.consumed
        return try buffer.withUnsafeReadableBytes { bytes -> Int? in
            var index = 1
            let end = min(bytes.count, 1 + maximum + 1)
            while index < end {
                switch bytes[index] {
                case UInt8(ascii: "\r"):
                    guard index + 1 < bytes.count else { return nil }
                    guard bytes[index + 1] == UInt8(ascii: "\n") else {
                        throw RESPProtocolError(.missingCRLF, offset: offset + index)
                    }
                    return index - 1
                case UInt8(ascii: "\n"):
                    throw RESPProtocolError(.missingCRLF, offset: offset + index)
                default:
                    index += 1
                }
            }
            if bytes.count >= 1 + maximum + 1 {
                throw RESPProtocolError(.lineTooLong, offset: offset)
            }
            return nil
        }
    }

    private func checkMessageSize(adding length: Int) throws {
        if self.consumed + length > self.limits.maximumMessageSize {
            throw RESPProtocolError(.messageTooLarge, offset: self.consumed)
        }
    }

    private static let typeBytes = Set("+-:_#,(.$!=;*~%|>".utf8)

    private static let crlf = UInt16(UInt8(ascii: "\r")) << 8 | UInt16(UInt8(ascii: "\n"))

    /// Parses `[+-]digits` into an `Int64`, rejecting overflow and anything else.
    static func parseInteger(_ text: some Collection<UInt8>) -> Int64? {
        var digits = text[...]
        var negative = false
        switch digits.first {
        case UInt8(ascii: "-"):
            negative = true
            digits = digits.dropFirst()
        case UInt8(ascii: "+"):
            digits = digits.dropFirst()
        default:
            break
        }
        guard !digits.isEmpty else { return nil }
        // Accumulate negatively so that Int64.min parses without overflow.
        var value: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = shifted.subtractingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = next
        }
        if negative { return value }
        return value == .min ? nil : -value
    }

    /// Parses a RESP3 double: `[+-]digits[.digits][(e|E)[+-]digits]`, `inf`, `-inf` or `nan`.
    static func parseDouble(_ text: some Collection<UInt8>) -> Double? {
        let string = String(decoding: text, as: UTF8.self).lowercased()
        switch string {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan", "-nan", "+nan": return .nan
        default: break
        }
        var bytes = Array(text)[...]
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            bytes = bytes.dropFirst()
        }
        func digitCount() -> Int {
            let count = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        var mantissaDigits = digitCount()
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            mantissaDigits += digitCount()
        }
        guard mantissaDigits > 0 else { return nil }
        if let first = bytes.first, first == UInt8(ascii: "e") || first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
                bytes = bytes.dropFirst()
            }
            guard digitCount() > 0 else { return nil }
        }
        guard bytes.isEmpty else { return nil }
        return Double(string)
    }

    /// Whether the text is an optionally signed, non-empty run of decimal digits.
    static func isBigNumber(_ text: some Collection<UInt8>) -> Bool {
        var digits = text[...]
        if let first = digits.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            digits = digits.dropFirst()
        }
        return !digits.isEmpty && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
