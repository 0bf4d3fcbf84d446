/// An error a caller can cause or meet. `detail` is a sentence safe to show the caller (it never
/// carries stored data beyond the ids the caller sent); `debugDescription` may carry more.
public struct MemoryHubError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The class of failure; interfaces map it to a status (HTTP) or a tool error (MCP).
    public enum Kind: String, Sendable, Hashable {
        /// The request could not be parsed (400).
        case malformedRequest
        /// The caller may not do this (403).
        case forbidden
        /// The object does not exist, or belongs to another user (404).
        case notFound
        /// The request conflicts with the object's state (409).
        case conflict
        /// The request body is over the limit (413).
        case payloadTooLarge
        /// A field is missing, out of range or of the wrong type (422).
        case invalidField
        /// The store cannot be reached (503).
        case unavailable
        /// A bug or an unexpected failure (500).
        case `internal`
    }

    public let kind: Kind
    /// A stable machine code, e.g. `session_not_found`, `invalid_field`.
    public let code: String
    public let detail: String
    /// The request field at fault, for `invalidField`.
    public let field: String?
    private let underlying: String?

    public init(kind: Kind, code: String, detail: String, field: String? = nil, underlying: String? = nil) {
        self.kind = kind
        self.code = code
        self.detail = detail
        self.field = field
        self.underlying = underlying
    }

    public var description: String { detail }
    public var debugDescription: String {
        "MemoryHubError(\(kind), \(code)): \(detail)" + (underlying.map { " [\($0)]" } ?? "")
    }

    public static func malformed(_ detail: String) -> MemoryHubError {
        MemoryHubError(kind: .malformedRequest, code: "malformed_request", detail: detail)
    }

    public static func invalidField(_ field: String, _ detail: String) -> MemoryHubError {
        MemoryHubError(kind: .invalidField, code: "invalid_field", detail: detail, field: field)
    }

    public static func sessionNotFound(_ id: String) -> MemoryHubError {
        MemoryHubError(kind: .notFound, code: "session_not_found", detail: "Session \(id) was not found.")
    }

    public static func memoryNotFound(_ id: String) -> MemoryHubError {
        MemoryHubError(kind: .notFound, code: "memory_not_found", detail: "Memory \(id) was not found.")
    }

    public static func notFound(_ detail: String) -> MemoryHubError {
        MemoryHubError(kind: .notFound, code: "not_found", detail: detail)
    }

    public static func invalidTransition(from: SessionState, to: SessionState) -> MemoryHubError {
        MemoryHubError(
            kind: .conflict, code: "invalid_transition",
            detail: "A session cannot go from \(from.rawValue) to \(to.rawValue).")
    }

    public static func conflict(_ detail: String) -> MemoryHubError {
        MemoryHubError(kind: .conflict, code: "conflict", detail: detail)
    }

    public static func forbidden(_ detail: String) -> MemoryHubError {
        MemoryHubError(kind: .forbidden, code: "forbidden", detail: detail)
    }

    public static func payloadTooLarge(limit: Int) -> MemoryHubError {
        MemoryHubError(
            kind: .payloadTooLarge, code: "payload_too_large",
            detail: "The request body is larger than the limit of \(limit) bytes.")
    }

    public static func unavailable(_ underlying: String) -> MemoryHubError {
        MemoryHubError(
            kind: .unavailable, code: "store_unavailable",
            detail: "The store is unavailable; try again shortly.", underlying: underlying)
    }

    public static func `internal`(_ underlying: String) -> MemoryHubError {
        MemoryHubError(kind: .internal, code: "internal_error", detail: "An internal error occurred.", underlying: underlying)
    }
}
