/// Bytes from the server that are not valid RESP, or that exceed the decoder's limits.
///
/// `description` names the problem only; `debugDescription` adds the byte offset within the message,
/// never the message's bytes.
package struct RESPProtocolError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What was wrong with the bytes.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidTypeByte
            case invalidLength
            case invalidInteger
            case invalidDouble
            case invalidBoolean
            case invalidNull
            case invalidBigNumber
            case invalidVerbatimString
            case missingCRLF
            case unexpectedStreamPart
            case bulkLengthTooLarge
            case tooManyElements
            case nestingTooDeep
            case lineTooLong
            case messageTooLarge
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The first byte of a value is no RESP type marker.
        package static let invalidTypeByte = Self(.invalidTypeByte)
        /// A length or count is not a decimal number, or is negative other than a RESP2 null's `-1`.
        package static let invalidLength = Self(.invalidLength)
        /// An integer is not a decimal number that fits 64 bits.
        package static let invalidInteger = Self(.invalidInteger)
        /// A double is not a decimal number, `inf`, `-inf` or `nan`.
        package static let invalidDouble = Self(.invalidDouble)
        /// A boolean is neither `t` nor `f`.
        package static let invalidBoolean = Self(.invalidBoolean)
        /// A null has text after its `_`.
        package static let invalidNull = Self(.invalidNull)
        /// A big number is not an optionally negative run of decimal digits.
        package static let invalidBigNumber = Self(.invalidBigNumber)
        /// A verbatim string does not start with a three-character format and a colon.
        package static let invalidVerbatimString = Self(.invalidVerbatimString)
        /// A line or a bulk payload does not end with CR LF, or a line contains a lone CR or LF.
        package static let missingCRLF = Self(.missingCRLF)
        /// A streamed-string chunk or end marker appears outside a streamed value.
        package static let unexpectedStreamPart = Self(.unexpectedStreamPart)
        /// A bulk length exceeds ``RESPValueDecoder/Limits/maximumBulkLength``.
        package static let bulkLengthTooLarge = Self(.bulkLengthTooLarge)
        /// An aggregate's element count exceeds ``RESPValueDecoder/Limits/maximumElementCount``.
        package static let tooManyElements = Self(.tooManyElements)
        /// Aggregates are nested deeper than ``RESPValueDecoder/Limits/maximumDepth``.
        package static let nestingTooDeep = Self(.nestingTooDeep)
        /// A line has no CR LF within ``RESPValueDecoder/Limits/maximumLineLength``.
        package static let lineTooLong = Self(.lineTooLong)
        /// One message's bytes exceed ``RESPValueDecoder/Limits/maximumMessageSize``.
        package static let messageTooLarge = Self(.messageTooLarge)

        /// The code's name.
        package var description: String { self.base.rawValue }
    }

    /// What was wrong.
    package var code: Code
    /// How many bytes into the current message the problem was found.
    package var offset: Int

    /// Creates an error.
    package init(_ code: Code, offset: Int) {
        self.code = code
        self.offset = offset
    }

    /// The problem's name, without data from the message.
    package var description: String {
        "RESPProtocolError.\(self.code)"
    }

    /// The problem's name and where in the message it was found.
    package var debugDescription: String {
        "RESPProtocolError(code: \(self.code), offset: \(self.offset))"
    }
}
