/// One value of the Redis serialization protocol, RESP3 or RESP2.
///
/// RESP2 replies decode into the subset of cases RESP2 has; both RESP2 nulls (`$-1`, `*-1`) and the RESP3
/// null (`_`) decode to ``null``.
///
/// Equality and hashing are structural, with one deliberate difference from `Double`: two ``double(_:)``
/// values that are both NaN are equal, so that every value is equal to itself and can live in a `Set`.
package enum RESPValue: Sendable {
    /// A simple string (`+OK`): short, binary-unsafe text.
    case simpleString(String)
    /// A simple error (`-ERR message`): the text after the dash.
    case simpleError(String)
    /// A signed 64-bit integer (`:42`).
    case integer(Int64)
    /// A binary-safe bulk string (`$5\r\nhello`).
    case bulkString([UInt8])
    /// Null: RESP3 `_`, or the RESP2 null bulk string `$-1` and null array `*-1`.
    case null
    /// A boolean (`#t` or `#f`).
    case boolean(Bool)
    /// A double (`,1.5`), including `inf`, `-inf` and `nan`.
    case double(Double)
    /// A big number (`(3492890328409238509324850943850943825024385`), kept as its decimal text.
    case bigNumber(String)
    /// A binary-safe error (`!21\r\nSYNTAX invalid syntax`): its text.
    case bulkError(String)
    /// A verbatim string (`=15\r\ntxt:Some string`): a three-character format such as `txt` or `mkd` and the text.
    case verbatimString(format: String, text: String)
    /// An array (`*2`), or a streamed array (`*?`).
    case array([RESPValue])
    /// A map (`%1`), as an ordered list of key/value pairs: keys may repeat and need not be hashable.
    case map([Pair])
    /// A set (`~2`), in the order the server sent its elements.
    case set([RESPValue])
    /// An attribute (`|1`): out-of-band metadata about the value that follows it, bundled with that value.
    indirect case attribute([Pair], RESPValue)
    /// A push frame (`>3`): out-of-band data the server sends without a request, such as invalidation messages.
    case push([RESPValue])

    /// One key/value pair of a ``RESPValue/map(_:)`` or ``RESPValue/attribute(_:_:)``.
    package struct Pair: Sendable, Hashable {
        /// The key.
        package var key: RESPValue
        /// The value.
        package var value: RESPValue

        /// Creates a pair.
        package init(key: RESPValue, value: RESPValue) {
            self.key = key
            self.value = value
        }
    }
}

// MARK: - Accessors

extension RESPValue {
    /// The value without any attributes wrapped around it; accessors below look through attributes this way.
    package var withoutAttributes: RESPValue {
        var value = self
        while case .attribute(_, let inner) = value {
            value = inner
        }
        return value
    }

    /// The bytes of a bulk string, simple string or verbatim string's text; `nil` for other values.
    package var bytes: [UInt8]? {
        switch self.withoutAttributes {
        case .bulkString(let bytes): bytes
        case .simpleString(let text): Array(text.utf8)
        case .verbatimString(_, let text): Array(text.utf8)
        default: nil
        }
    }

    /// The text of a simple string, verbatim string, or a bulk string holding valid UTF-8; `nil` for other values.
    package var string: String? {
        switch self.withoutAttributes {
        case .simpleString(let text): text
        case .verbatimString(_, let text): text
        case .bulkString(let bytes): String(validating: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// The value of an integer, or of a simple or bulk string holding a decimal integer (as RESP2 servers send
    /// some numbers); `nil` otherwise or when it does not fit an `Int`.
    package var int: Int? {
        switch self.withoutAttributes {
        case .integer(let value): Int(exactly: value)
        case .simpleString, .bulkString: self.string.flatMap { Int($0) }
        default: nil
        }
    }

    /// The value of a double, or of an integer or a string holding a number (RESP2 sends doubles as bulk strings).
    package var double: Double? {
        switch self.withoutAttributes {
        case .double(let value): value
        case .integer(let value): Double(value)
        case .simpleString, .bulkString: self.string.flatMap { Double($0) }
        default: nil
        }
    }

    /// The value of a boolean, or of the integer 0 or 1 (as RESP2 servers send booleans); `nil` otherwise.
    package var bool: Bool? {
        switch self.withoutAttributes {
        case .boolean(let value): value
        case .integer(0): false
        case .integer(1): true
        default: nil
        }
    }

    /// The elements of an array, set or push frame; `nil` for other values.
    package var array: [RESPValue]? {
        switch self.withoutAttributes {
        case .array(let elements), .set(let elements), .push(let elements): elements
        default: nil
        }
    }

    /// The pairs of a map, or of an array with an even number of elements read as alternating keys and values
    /// (how RESP2 servers send maps); `nil` otherwise.
    package var map: [Pair]? {
        switch self.withoutAttributes {
        case .map(let pairs):
            return pairs
        case .array(let elements) where elements.count.isMultiple(of: 2):
            return stride(from: 0, to: elements.count, by: 2).map { Pair(key: elements[$0], value: elements[$0 + 1]) }
        default:
            return nil
        }
    }

    /// Whether this is ``null``.
    package var isNull: Bool {
        if case .null = self.withoutAttributes { true } else { false }
    }

    /// The message of a simple or bulk error; `nil` for other values.
    package var errorMessage: String? {
        switch self.withoutAttributes {
        case .simpleError(let message), .bulkError(let message): message
        default: nil
        }
    }

    /// Whether this is a push frame, which answers no request.
    package var isPush: Bool {
        if case .push = self.withoutAttributes { true } else { false }
    }
}

// MARK: - Hashable

extension RESPValue: Hashable {
    /// Structural equality; NaN doubles equal each other.
    package static func == (lhs: RESPValue, rhs: RESPValue) -> Bool {
        switch (lhs, rhs) {
        case (.simpleString(let a), .simpleString(let b)): a == b
        case (.simpleError(let a), .simpleError(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.bulkString(let a), .bulkString(let b)): a == b
        case (.null, .null): true
        case (.boolean(let a), .boolean(let b)): a == b
        case (.double(let a), .double(let b)): a == b || (a.isNaN && b.isNaN)
        case (.bigNumber(let a), .bigNumber(let b)): a == b
        case (.bulkError(let a), .bulkError(let b)): a == b
        case (.verbatimString(let f1, let t1), .verbatimString(let f2, let t2)): f1 == f2 && t1 == t2
        case (.array(let a), .array(let b)): a == b
        case (.map(let a), .map(let b)): a == b
        case (.set(let a), .set(let b)): a == b
        case (.attribute(let a1, let v1), .attribute(let a2, let v2)): a1 == a2 && v1 == v2
        case (.push(let a), .push(let b)): a == b
        default: false
        }
    }

    /// Hashes consistently with ``==(_:_:)``: all NaN doubles hash alike.
    package func hash(into hasher: inout Hasher) {
        switch self {
        case .simpleString(let text):
            hasher.combine(0)
            hasher.combine(text)
        case .simpleError(let text):
            hasher.combine(1)
            hasher.combine(text)
        case .integer(let value):
            hasher.combine(2)
            hasher.combine(value)
        case .bulkString(let bytes):
            hasher.combine(3)
            hasher.combine(bytes)
        case .null:
            hasher.combine(4)
        case .boolean(let value):
            hasher.combine(5)
            hasher.combine(value)
        case .double(let value):
            hasher.combine(6)
            if value.isNaN {
                hasher.combine(Double.nan.bitPattern)
            } else {
                hasher.combine(value)
            }
        case .bigNumber(let text):
            hasher.combine(7)
            hasher.combine(text)
        case .bulkError(let text):
            hasher.combine(8)
            hasher.combine(text)
        case .verbatimString(let format, let text):
            hasher.combine(9)
            hasher.combine(format)
            hasher.combine(text)
        case .array(let elements):
            hasher.combine(10)
            hasher.combine(elements)
        case .map(let pairs):
            hasher.combine(11)
            hasher.combine(pairs)
        case .set(let elements):
            hasher.combine(12)
            hasher.combine(elements)
        case .attribute(let pairs, let value):
            hasher.combine(13)
            hasher.combine(pairs)
            hasher.combine(value)
        case .push(let elements):
            hasher.combine(14)
            hasher.combine(elements)
        }
    }
}
