#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// The members of a JSON object (a request body, an MCP tool's arguments), read with the API's
/// checks. A wrong type, a value out of range or a missing required member is a
/// `MemoryHubError.invalidField` naming the member (a 422 over HTTP, a tool error over MCP). A
/// null member counts as absent; members nobody reads are ignored unless `requireOnly` refuses them.
package struct JSONFields: Sendable {
    /// The object as it was sent.
    package let object: JSONObject

    /// Reads `object`.
    package init(_ object: JSONObject) {
        self.object = object
    }

    /// The member's value; nil when absent or null.
    package func value(_ name: String) -> JSONValue? {
        guard let value = object[name], !value.isNull else { return nil }
        return value
    }

    /// True when the member is present, even as null (PATCH uses null to clear a field).
    package func has(_ name: String) -> Bool { object[name] != nil }

    /// Refuses members outside `allowed`, so a misspelt name (`type` for `memory_type`) is
    /// reported instead of ignored; `owner` names what takes them in the sentence ("create_memory").
    package func requireOnly(_ allowed: [String], owner: String) throws {
        let unknown = object.keys.filter { !allowed.contains($0) }.sorted()
        guard let first = unknown.first else { return }
        let names = unknown.map { "'\($0)'" }.joined(separator: ", ")
        throw MemoryHubError.invalidField(first, "\(owner) does not take \(names); its arguments are: \(allowed.joined(separator: ", ")).")
    }

    /// A string member.
    package func string(_ name: String) throws -> String? {
        guard let value = value(name) else { return nil }
        guard case .string(let text) = value else { throw wrongType(name, "a string", value) }
        return text
    }

    /// A string member that must be present.
    package func requiredString(_ name: String) throws -> String {
        guard let text = try string(name) else { throw missing(name) }
        return text
    }

    /// A finite number (an integer reads as its double).
    package func double(_ name: String) throws -> Double? {
        guard let value = value(name) else { return nil }
        guard let number = value.numberValue, number.isFinite else { throw wrongType(name, "a number", value) }
        return number
    }

    /// An integer in the 32-bit range (a whole double such as `10.0` counts).
    package func int(_ name: String) throws -> Int? {
        guard let value = value(name) else { return nil }
        switch value {
        case .int(let number):
            guard number >= Int64(Int32.min) && number <= Int64(Int32.max) else { throw Self.outOfRange(name) }
            return Int(number)
        case .double(let number) where number.isFinite && number == number.rounded():
            guard abs(number) < 1e9 else { throw Self.outOfRange(name) }
            return Int(number)
        default: throw wrongType(name, "an integer", value)
        }
    }

    /// A whole number outside the 32-bit range: the range, not "not an integer".
    private static func outOfRange(_ name: String) -> MemoryHubError {
        MemoryHubError.invalidField(name, "\(name) must be an integer between \(Int32.min) and \(Int32.max).")
    }

    /// An integer that must lie in `range`.
    package func int(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let number = try int(name) else { return nil }
        guard range.contains(number) else {
            throw MemoryHubError.invalidField(name, "\(name) must be between \(range.lowerBound) and \(range.upperBound).")
        }
        return number
    }

    /// A boolean member.
    package func bool(_ name: String) throws -> Bool? {
        guard let value = value(name) else { return nil }
        guard case .bool(let flag) = value else { throw wrongType(name, "a boolean", value) }
        return flag
    }

    /// A UUID written as a string (outer spaces are ignored).
    package func uuid(_ name: String) throws -> UUID? {
        guard let text = try string(name) else { return nil }
        guard let id = UUID(uuidString: text.trimmedWhitespace) else {
            throw MemoryHubError.invalidField(
                name, "\(name) must be a UUID such as 0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b, not '\(text.prefix(80))'.")
        }
        return id
    }

    /// A UUID member that must be present.
    package func requiredUUID(_ name: String) throws -> UUID {
        guard let id = try uuid(name) else { throw missing(name) }
        return id
    }

    /// An array of strings.
    package func strings(_ name: String) throws -> [String]? {
        guard let value = value(name) else { return nil }
        guard case .array(let items) = value else { throw wrongType(name, "an array of strings", value) }
        return try items.map { item in
            guard case .string(let text) = item else { throw wrongType(name, "an array of strings", value) }
            return text
        }
    }

    /// An array of UUID strings.
    package func uuids(_ name: String) throws -> [UUID]? {
        try strings(name).map { texts in
            try texts.map { text in
                guard let id = UUID(uuidString: text) else {
                    throw MemoryHubError.invalidField(name, "\(name) must be an array of UUIDs.")
                }
                return id
            }
        }
    }

    /// A JSON object member.
    package func object(_ name: String) throws -> JSONObject? {
        guard let value = value(name) else { return nil }
        guard case .object(let members) = value else { throw wrongType(name, "a JSON object", value) }
        return members
    }

    /// A JSON array member.
    package func array(_ name: String) throws -> [JSONValue]? {
        guard let value = value(name) else { return nil }
        guard case .array(let items) = value else { throw wrongType(name, "an array", value) }
        return items
    }

    /// One of an enumeration's raw values.
    package func enumeration<E: RawRepresentable & CaseIterable>(_ name: String, _ type: E.Type) throws -> E? where E.RawValue == String {
        guard let text = try string(name) else { return nil }
        return try Self.parse(text, name, type)
    }

    /// An array of an enumeration's raw values, each checked.
    package func enumerations<E: RawRepresentable & CaseIterable>(_ name: String, _ type: E.Type) throws -> [E]? where E.RawValue == String {
        try strings(name).map { try $0.map { try Self.parse($0, name, type) } }
    }

    /// An ISO 8601 date-time.
    package func timestamp(_ name: String) throws -> Timestamp? {
        guard let text = try string(name) else { return nil }
        guard let value = Timestamp(iso8601: text) else {
            throw MemoryHubError.invalidField(name, "\(name) must be an ISO 8601 date-time.")
        }
        return value
    }

    private static func parse<E: RawRepresentable & CaseIterable>(_ text: String, _ name: String, _ type: E.Type) throws -> E where E.RawValue == String {
        guard let value = E(rawValue: text) else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw MemoryHubError.invalidField(name, "\(name) must be one of: \(allowed); '\(text.prefix(80))' is not.")
        }
        return value
    }

    private func wrongType(_ name: String, _ expected: String, _ value: JSONValue) -> MemoryHubError {
        MemoryHubError.invalidField(name, "\(name) must be \(expected), not \(value.typeName).")
    }

    private func missing(_ name: String) -> MemoryHubError {
        MemoryHubError.invalidField(name, "\(name) is required.")
    }
}
