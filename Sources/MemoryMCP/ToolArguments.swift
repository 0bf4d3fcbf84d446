import MemoryCore
import Foundation

/// A tool call's arguments, read with the API's checks: a wrong type, a value out of range or a
/// missing required argument is a `MemoryHubError.invalidField` naming the argument, which the
/// tool call reports as a tool error. A null argument counts as absent.
struct ToolArguments {
    let tool: String
    let values: JSONObject

    init(tool: String, values: JSONObject) {
        self.tool = tool
        self.values = values
    }

    /// Refuses arguments the tool does not take, so a misspelt name (`type` for `memory_type`)
    /// is reported instead of silently ignored.
    func requireOnly(_ allowed: [String]) throws {
        let unknown = values.keys.filter { !allowed.contains($0) }.sorted()
        guard unknown.isEmpty else {
            let names = unknown.map { "'\($0)'" }.joined(separator: ", ")
            throw MemoryHubError.invalidField(
                unknown[0],
                "\(tool) does not take \(names); its arguments are: \(allowed.joined(separator: ", ")).")
        }
    }

    func value(_ name: String) -> JSONValue? {
        guard let value = values[name], !value.isNull else { return nil }
        return value
    }

    func string(_ name: String) throws -> String? {
        guard let value = value(name) else { return nil }
        guard case .string(let text) = value else { throw wrongType(name, "a string", value) }
        return text
    }

    func requiredString(_ name: String) throws -> String {
        guard let text = try string(name) else { throw missing(name) }
        return text
    }

    func double(_ name: String) throws -> Double? {
        guard let value = value(name) else { return nil }
        guard let number = value.numberValue, number.isFinite else { throw wrongType(name, "a number", value) }
        return number
    }

    func int(_ name: String) throws -> Int? {
        guard let value = value(name) else { return nil }
        switch value {
        case .int(let number) where number >= Int64(Int32.min) && number <= Int64(Int32.max): return Int(number)
        case .double(let number) where number == number.rounded() && abs(number) < 1e9: return Int(number)
        default: throw wrongType(name, "an integer", value)
        }
    }

    func int(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let number = try int(name) else { return nil }
        guard range.contains(number) else {
            throw MemoryHubError.invalidField(name, "\(name) must be between \(range.lowerBound) and \(range.upperBound).")
        }
        return number
    }

    func bool(_ name: String) throws -> Bool? {
        guard let value = value(name) else { return nil }
        guard case .bool(let flag) = value else { throw wrongType(name, "a boolean", value) }
        return flag
    }

    func strings(_ name: String) throws -> [String]? {
        guard let value = value(name) else { return nil }
        guard case .array(let items) = value else { throw wrongType(name, "an array of strings", value) }
        return try items.map { item in
            guard case .string(let text) = item else { throw wrongType(name, "an array of strings", value) }
            return text
        }
    }

    func object(_ name: String) throws -> JSONObject? {
        guard let value = value(name) else { return nil }
        guard case .object(let members) = value else { throw wrongType(name, "a JSON object", value) }
        return members
    }

    func uuid(_ name: String) throws -> UUID? {
        guard let text = try string(name) else { return nil }
        guard let id = UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) else {
            throw MemoryHubError.invalidField(name, "\(name) must be a UUID such as 0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b, not '\(text.prefix(80))'.")
        }
        return id
    }

    func requiredUUID(_ name: String) throws -> UUID {
        guard let id = try uuid(name) else { throw missing(name) }
        return id
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ name: String, _ type: E.Type) throws -> E? where E.RawValue == String {
        guard let text = try string(name) else { return nil }
        return try Self.parse(text, name, type)
    }

    func enumerations<E: RawRepresentable & CaseIterable>(_ name: String, _ type: E.Type) throws -> [E]? where E.RawValue == String {
        try strings(name).map { try $0.map { try Self.parse($0, name, type) } }
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
