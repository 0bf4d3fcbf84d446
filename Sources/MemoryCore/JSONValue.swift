#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Any JSON value. Session and memory metadata are JSON objects of these; integers and doubles are
/// kept apart so that `5` reads back as `5`, not `5.0`.
package enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    package var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    package var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    package var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The value as a Double when it is any JSON number.
    package var numberValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    package var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The JSON type's name, for error messages.
    package var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    package init(stringLiteral value: String) { self = .string(value) }
    package init(integerLiteral value: Int64) { self = .int(value) }
    package init(floatLiteral value: Double) { self = .double(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    package init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    package init(nilLiteral: ()) { self = .null }
}

/// A JSON object, as session and memory metadata are.
package typealias JSONObject = [String: JSONValue]

extension JSONValue {
    /// `{name: count}` of a tally keyed by names (`by_type` of the capture statistics).
    package static func counts<Key: RawRepresentable>(_ tally: [Key: Int]) -> JSONValue where Key.RawValue == String {
        .object(Dictionary(uniqueKeysWithValues: tally.map { ($0.key.rawValue, .int(Int64($0.value))) }))
    }

    /// Python's truthiness, which KnowledgeHub's context flags (`is_critical`, `project_id`, …)
    /// follow: null, false, 0, "", [] and {} are false; everything else is true.
    package var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let flag): flag
        case .int(let number): number != 0
        case .double(let number): number != 0
        case .string(let text): !text.isEmpty
        case .array(let items): !items.isEmpty
        case .object(let members): !members.isEmpty
        }
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// Merges `patch` key by key: a `null` value removes the key, any other value replaces it.
    package func merging(patch: JSONObject) -> JSONObject {
        var result = self
        for (key, value) in patch {
            if value.isNull { result.removeValue(forKey: key) } else { result[key] = value }
        }
        return result
    }
}

/// Encodes and decodes the JSON text that stores and caches keep, through `JSONWriter` and
/// `JSONParser`, which keep integers and doubles apart exactly.
package enum JSONText {
    package static func encode(_ object: JSONObject) -> String { JSONWriter.string(.object(object)) }

    package static func encode(_ strings: [String]) -> String { JSONWriter.string(.array(strings.map(JSONValue.string))) }

    package static func decodeObject(_ text: String) throws -> JSONObject {
        guard case .object(let object) = try JSONParser.parse(text) else {
            throw JSONParser.Error(message: "Expected a JSON object", offset: 0)
        }
        return object
    }

    package static func decodeStrings(_ text: String) throws -> [String] {
        guard case .array(let items) = try JSONParser.parse(text) else {
            throw JSONParser.Error(message: "Expected a JSON array", offset: 0)
        }
        return try items.map { item in
            guard case .string(let value) = item else { throw JSONParser.Error(message: "Expected a string", offset: 0) }
            return value
        }
    }
}
