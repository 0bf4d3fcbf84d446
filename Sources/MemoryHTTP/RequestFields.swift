import Hummingbird
import MemoryCore
import NIOCore
import Foundation

/// The fields of a JSON request body, read with the checks of the API: a wrong type or a value
/// out of range is a 422 naming the field; unknown fields are ignored.
struct BodyFields {
    let object: JSONObject

    init(_ object: JSONObject) { self.object = object }

    /// Reads the whole body, refusing it with 413 as soon as it grows past `limit`, and parses it
    /// as a JSON object (400 when it is not one). An empty body reads as `{}`.
    static func read(_ request: Request, limit: Int) async throws -> BodyFields {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw MemoryHubError.payloadTooLarge(limit: limit)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw MemoryHubError.payloadTooLarge(limit: limit)
        }
        guard buffer.readableBytes > 0 else { return BodyFields([:]) }
        let value: JSONValue
        do {
            value = try JSONParser.parse(buffer.readableBytesView)
        } catch {
            throw MemoryHubError.malformed("The request body is not valid JSON.")
        }
        guard case .object(let object) = value else {
            throw MemoryHubError.malformed("The request body must be a JSON object.")
        }
        return BodyFields(object)
    }

    /// The value, or nil when the field is absent or null.
    func value(_ field: String) -> JSONValue? {
        guard let value = object[field], !value.isNull else { return nil }
        return value
    }

    func has(_ field: String) -> Bool { object[field] != nil }

    func string(_ field: String) throws -> String? {
        guard let value = value(field) else { return nil }
        guard case .string(let text) = value else { throw wrongType(field, "a string", value) }
        return text
    }

    func requiredString(_ field: String) throws -> String {
        guard let text = try string(field) else { throw missing(field) }
        return text
    }

    func double(_ field: String) throws -> Double? {
        guard let value = value(field) else { return nil }
        guard let number = value.numberValue else { throw wrongType(field, "a number", value) }
        return number
    }

    func int(_ field: String) throws -> Int? {
        guard let value = value(field) else { return nil }
        switch value {
        case .int(let number) where number >= Int64(Int32.min) && number <= Int64(Int32.max): return Int(number)
        case .double(let number) where number == number.rounded() && abs(number) < 1e9: return Int(number)
        default: throw wrongType(field, "an integer", value)
        }
    }

    func bool(_ field: String) throws -> Bool? {
        guard let value = value(field) else { return nil }
        guard case .bool(let flag) = value else { throw wrongType(field, "a boolean", value) }
        return flag
    }

    func uuid(_ field: String) throws -> UUID? {
        guard let text = try string(field) else { return nil }
        guard let id = UUID(uuidString: text) else {
            throw MemoryHubError.invalidField(field, "\(field) must be a UUID.")
        }
        return id
    }

    func requiredUUID(_ field: String) throws -> UUID {
        guard let id = try uuid(field) else { throw missing(field) }
        return id
    }

    func strings(_ field: String) throws -> [String]? {
        guard let value = value(field) else { return nil }
        guard case .array(let items) = value else { throw wrongType(field, "an array of strings", value) }
        return try items.map { item in
            guard case .string(let text) = item else { throw wrongType(field, "an array of strings", value) }
            return text
        }
    }

    func uuids(_ field: String) throws -> [UUID]? {
        try strings(field).map { texts in
            try texts.map { text in
                guard let id = UUID(uuidString: text) else {
                    throw MemoryHubError.invalidField(field, "\(field) must be an array of UUIDs.")
                }
                return id
            }
        }
    }

    func jsonObject(_ field: String) throws -> JSONObject? {
        guard let value = value(field) else { return nil }
        guard case .object(let members) = value else { throw wrongType(field, "a JSON object", value) }
        return members
    }

    func array(_ field: String) throws -> [JSONValue]? {
        guard let value = value(field) else { return nil }
        guard case .array(let items) = value else { throw wrongType(field, "an array", value) }
        return items
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ field: String, _ type: E.Type) throws -> E? where E.RawValue == String {
        guard let text = try string(field) else { return nil }
        guard let value = E(rawValue: text) else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw MemoryHubError.invalidField(field, "\(field) must be one of: \(allowed).")
        }
        return value
    }

    /// An array of enumeration values, each checked.
    func enumerations<E: RawRepresentable & CaseIterable>(_ field: String, _ type: E.Type) throws -> [E]? where E.RawValue == String {
        try strings(field).map { texts in
            try texts.map { text in
                guard let value = E(rawValue: text) else {
                    let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
                    throw MemoryHubError.invalidField(field, "Each item of \(field) must be one of: \(allowed).")
                }
                return value
            }
        }
    }

    func timestamp(_ field: String) throws -> Timestamp? {
        guard let text = try string(field) else { return nil }
        guard let value = Timestamp(iso8601: text) else {
            throw MemoryHubError.invalidField(field, "\(field) must be an ISO 8601 date-time.")
        }
        return value
    }

    private func wrongType(_ field: String, _ expected: String, _ value: JSONValue) -> MemoryHubError {
        MemoryHubError.invalidField(field, "\(field) must be \(expected), not \(value.typeName).")
    }

    private func missing(_ field: String) -> MemoryHubError {
        MemoryHubError.invalidField(field, "\(field) is required.")
    }
}

/// Query parameters, read with the same checks as body fields.
struct QueryFields {
    let request: Request

    init(_ request: Request) { self.request = request }

    func string(_ field: String) -> String? {
        request.uri.queryParameters.get(field)
    }

    func requiredString(_ field: String) throws -> String {
        guard let text = string(field) else { throw MemoryHubError.invalidField(field, "\(field) is required.") }
        return text
    }

    func int(_ field: String, default fallback: Int) throws -> Int {
        guard let text = string(field) else { return fallback }
        guard let value = Int(text) else { throw MemoryHubError.invalidField(field, "\(field) must be an integer.") }
        return value
    }

    func double(_ field: String) throws -> Double? {
        guard let text = string(field) else { return nil }
        guard let value = Double(text), value.isFinite else { throw MemoryHubError.invalidField(field, "\(field) must be a number.") }
        return value
    }

    func bool(_ field: String, default fallback: Bool) throws -> Bool {
        guard let text = string(field)?.lowercased() else { return fallback }
        switch text {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw MemoryHubError.invalidField(field, "\(field) must be true or false.")
        }
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ field: String, _ type: E.Type) throws -> E? where E.RawValue == String {
        guard let text = string(field) else { return nil }
        guard let value = E(rawValue: text) else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw MemoryHubError.invalidField(field, "\(field) must be one of: \(allowed).")
        }
        return value
    }
}

extension RequestContext {
    /// A UUID path parameter; 400 when it is not a UUID.
    func uuidParameter(_ name: String) throws -> UUID {
        let text = try textParameter(name)
        guard let id = UUID(uuidString: text) else {
            throw MemoryHubError.malformed("'\(text)' is not a valid id.")
        }
        return id
    }

    /// A path parameter, percent-decoded once (as query parameters are): `j%C3%B6rg` is `jörg`.
    /// 400 when its percent-encoding is not valid UTF-8.
    func textParameter(_ name: String) throws -> String {
        let raw = parameters.get(name) ?? ""
        guard let decoded = raw.removingPercentEncoding else {
            throw MemoryHubError.malformed("The path parameter \(name) is not valid percent-encoded UTF-8.")
        }
        return decoded
    }
}
