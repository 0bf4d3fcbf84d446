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

    /// A stable machine code: the API's `code` field. The list is closed, so a misspelt code is a
    /// compile error, and it is part of the API (API.md "Errors").
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String {
            case malformedRequest = "malformed_request"
            case invalidField = "invalid_field"
            case sessionNotFound = "session_not_found"
            case memoryNotFound = "memory_not_found"
            case notFound = "not_found"
            case invalidTransition = "invalid_transition"
            case conflict
            case duplicateClientSessionID = "duplicate_client_session_id"
            case duplicateID = "duplicate_id"
            case embeddingPending = "embedding_pending"
            case embedderUnavailable = "embedder_unavailable"
            case forbidden
            case payloadTooLarge = "payload_too_large"
            case storeUnavailable = "store_unavailable"
            case internalError = "internal_error"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The request could not be parsed.
        public static let malformedRequest = Code(.malformedRequest)
        /// A field is missing, out of range or of the wrong type.
        public static let invalidField = Code(.invalidField)
        public static let sessionNotFound = Code(.sessionNotFound)
        public static let memoryNotFound = Code(.memoryNotFound)
        /// Another object (a parent session, an API key) was not found.
        public static let notFound = Code(.notFound)
        /// A session state change that the lifecycle does not allow.
        public static let invalidTransition = Code(.invalidTransition)
        public static let conflict = Code(.conflict)
        /// The user already has a session with this client session id.
        public static let duplicateClientSessionID = Code(.duplicateClientSessionID)
        /// An object with this id already exists.
        public static let duplicateID = Code(.duplicateID)
        /// The memory has no vector yet.
        public static let embeddingPending = Code(.embeddingPending)
        /// Semantic search was asked for without an embedding model.
        public static let embedderUnavailable = Code(.embedderUnavailable)
        public static let forbidden = Code(.forbidden)
        public static let payloadTooLarge = Code(.payloadTooLarge)
        public static let storeUnavailable = Code(.storeUnavailable)
        public static let internalError = Code(.internalError)

        /// The code as the API spells it, e.g. `session_not_found`.
        public var description: String { base.rawValue }
    }

    public let kind: Kind
    /// A stable machine code, e.g. `.sessionNotFound` (`session_not_found`).
    public let code: Code
    public let detail: String
    /// The request field at fault, for `invalidField`.
    public let field: String?
    private let underlying: String?

    public init(kind: Kind, code: Code, detail: String, field: String? = nil, underlying: String? = nil) {
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
        MemoryHubError(kind: .malformedRequest, code: .malformedRequest, detail: detail)
    }

    public static func invalidField(_ field: String, _ detail: String) -> MemoryHubError {
        MemoryHubError(kind: .invalidField, code: .invalidField, detail: detail, field: field)
    }

    public static func sessionNotFound(_ id: String) -> MemoryHubError {
        MemoryHubError(kind: .notFound, code: .sessionNotFound, detail: "Session \(id) was not found.")
    }

    public static func memoryNotFound(_ id: String) -> MemoryHubError {
        MemoryHubError(kind: .notFound, code: .memoryNotFound, detail: "Memory \(id) was not found.")
    }

    public static func notFound(_ detail: String) -> MemoryHubError {
        MemoryHubError(kind: .notFound, code: .notFound, detail: detail)
    }

    public static func invalidTransition(from: SessionState, to: SessionState) -> MemoryHubError {
        MemoryHubError(
            kind: .conflict, code: .invalidTransition,
            detail: "A session cannot go from \(from.rawValue) to \(to.rawValue).")
    }

    public static func conflict(_ detail: String) -> MemoryHubError {
        MemoryHubError(kind: .conflict, code: .conflict, detail: detail)
    }

    public static func forbidden(_ detail: String) -> MemoryHubError {
        MemoryHubError(kind: .forbidden, code: .forbidden, detail: detail)
    }

    public static func payloadTooLarge(limit: Int) -> MemoryHubError {
        MemoryHubError(
            kind: .payloadTooLarge, code: .payloadTooLarge,
            detail: "The request body is larger than the limit of \(limit) bytes.")
    }

    public static func unavailable(_ underlying: String) -> MemoryHubError {
        MemoryHubError(
            kind: .unavailable, code: .storeUnavailable,
            detail: "The store is unavailable; try again shortly.", underlying: underlying)
    }

    public static func `internal`(_ underlying: String) -> MemoryHubError {
        MemoryHubError(kind: .internal, code: .internalError, detail: "An internal error occurred.", underlying: underlying)
    }
}
