import Hummingbird
import MemoryAPI
import MemoryCore
import NIOCore
import Foundation

extension Request {
    /// Reads the whole body, refusing it with 413 as soon as it grows past `limit`, and parses it
    /// as a JSON object (400 when it is not one). An empty body reads as `{}`.
    func jsonFields(limit: Int) async throws -> JSONFields {
        guard let value = try await jsonBody(limit: limit) else { return JSONFields([:]) }
        guard case .object(let object) = value else {
            throw MemoryHubError.malformed("The request body must be a JSON object.")
        }
        return JSONFields(object)
    }

    /// The body as any JSON value (KnowledgeHub's `extract-from-chunks` routes take a bare array);
    /// nil for an empty body; 413 past `limit`, 400 when it is not JSON.
    func jsonBody(limit: Int) async throws -> JSONValue? {
        if let length = headers[.contentLength].flatMap(Int.init), length > limit {
            throw MemoryHubError.payloadTooLarge(limit: limit)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw MemoryHubError.payloadTooLarge(limit: limit)
        }
        guard buffer.readableBytes > 0 else { return nil }
        do {
            return try JSONParser.parse(buffer.readableBytesView)
        } catch {
            throw MemoryHubError.malformed("The request body is not valid JSON.")
        }
    }

    /// The one user the request names in the `X-User-ID` header, the `user_id` query parameter
    /// (unless `query` is false) and the body's `user_id`: nil when none does, 403 when two differ.
    func namedUser(body: JSONFields? = nil, query: Bool = true) throws -> String? {
        try Caller.namedUser([
            ("X-User-ID header", headers[.userID]),
            ("user_id parameter", query ? uri.queryParameters.get("user_id") : nil),
            ("body's user_id", try body?.string("user_id")),
        ])
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
