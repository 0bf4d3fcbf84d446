/// An error a caller can cause or meet. `detail` is a sentence safe to show the caller (it never
/// carries stored data beyond the ids the caller sent); `debugDescription` may carry more.
package struct MemoryHubError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The class of failure; interfaces map it to a status (HTTP) or a tool error (MCP).
    package enum Kind: String, Sendable, Hashable {
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
    package struct Code: Sendable, Hashable, CustomStringConvertible {
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
            case duplicateContent = "duplicate_content"
            case sameChain = "same_chain"
            case cleanupRunning = "cleanup_running"
            case cleanupDisabled = "cleanup_disabled"
            case cleanupFailed = "cleanup_failed"
            case embeddingPending = "embedding_pending"
            case embedderUnavailable = "embedder_unavailable"
            case embedderUnreachable = "embedder_unreachable"
            case forbidden
            case payloadTooLarge = "payload_too_large"
            case storeUnavailable = "store_unavailable"
            case internalError = "internal_error"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The request could not be parsed.
        package static let malformedRequest = Code(.malformedRequest)
        /// A field is missing, out of range or of the wrong type.
        package static let invalidField = Code(.invalidField)
        package static let sessionNotFound = Code(.sessionNotFound)
        package static let memoryNotFound = Code(.memoryNotFound)
        /// Another object (a parent session, an API key) was not found.
        package static let notFound = Code(.notFound)
        /// A session state change that the lifecycle does not allow.
        package static let invalidTransition = Code(.invalidTransition)
        package static let conflict = Code(.conflict)
        /// The user already has a session with this client session id.
        package static let duplicateClientSessionID = Code(.duplicateClientSessionID)
        /// An object with this id already exists.
        package static let duplicateID = Code(.duplicateID)
        /// The user already has a memory with this content in the project (a store-internal
        /// signal: the write path answers with the existing memory instead).
        package static let duplicateContent = Code(.duplicateContent)
        /// Another cleanup run holds the lease.
        package static let cleanupRunning = Code(.cleanupRunning)
        /// The process runs no cleanup service to wake.
        package static let cleanupDisabled = Code(.cleanupDisabled)
        /// A manual cleanup run failed (recorded in the job history).
        package static let cleanupFailed = Code(.cleanupFailed)
        /// A chain merge named two sessions of one chain.
        package static let sameChain = Code(.sameChain)
        /// The memory has no vector yet.
        package static let embeddingPending = Code(.embeddingPending)
        /// Semantic search was asked for without an embedding model.
        package static let embedderUnavailable = Code(.embedderUnavailable)
        /// The embedding model failed or did not answer in time (or its circuit breaker is open).
        package static let embedderUnreachable = Code(.embedderUnreachable)
        package static let forbidden = Code(.forbidden)
        package static let payloadTooLarge = Code(.payloadTooLarge)
        package static let storeUnavailable = Code(.storeUnavailable)
        package static let internalError = Code(.internalError)

        /// The code as the API spells it, e.g. `session_not_found`.
        package var description: String { base.rawValue }
    }

    package let kind: Kind
    /// A stable machine code, e.g. `.sessionNotFound` (`session_not_found`).
    package let code: Code
    package let detail: String
    /// The request field at fault, for `invalidField`.
    package let field: String?
    private let underlying: String?

    package init(kind: Kind, code: Code, detail: String, field: String? = nil, underlying: String? = nil) {
        self.kind = kind
        self.code = code
        self.detail = detail
        self.field = field
        self.underlying = underlying
    }

    package var description: String { detail }
    package var debugDescription: String {
        "MemoryHubError(\(kind), \(code)): \(detail)" + (underlying.map { " [\($0)]" } ?? "")
    }

    package static func malformed(_ detail: String) -> MemoryHubError {
        MemoryHubError(kind: .malformedRequest, code: .malformedRequest, detail: detail)
    }

    package static func invalidField(_ field: String, _ detail: String) -> MemoryHubError {
        MemoryHubError(kind: .invalidField, code: .invalidField, detail: detail, field: field)
    }

    package static func sessionNotFound(_ id: String) -> MemoryHubError {
        MemoryHubError(kind: .notFound, code: .sessionNotFound, detail: "Session \(id) was not found.")
    }

    package static func memoryNotFound(_ id: String) -> MemoryHubError {
        MemoryHubError(kind: .notFound, code: .memoryNotFound, detail: "Memory \(id) was not found.")
    }

    package static func notFound(_ detail: String) -> MemoryHubError {
        MemoryHubError(kind: .notFound, code: .notFound, detail: detail)
    }

    package static func invalidTransition(from: SessionState, to: SessionState) -> MemoryHubError {
        MemoryHubError(
            kind: .conflict, code: .invalidTransition,
            detail: "A session cannot go from \(from.rawValue) to \(to.rawValue).")
    }

    package static func conflict(_ detail: String) -> MemoryHubError {
        MemoryHubError(kind: .conflict, code: .conflict, detail: detail)
    }

    package static func forbidden(_ detail: String) -> MemoryHubError {
        MemoryHubError(kind: .forbidden, code: .forbidden, detail: detail)
    }

    package static func payloadTooLarge(limit: Int) -> MemoryHubError {
        MemoryHubError(
            kind: .payloadTooLarge, code: .payloadTooLarge,
            detail: "The request body is larger than the limit of \(limit) bytes.")
    }

    package static func unavailable(_ underlying: String) -> MemoryHubError {
        MemoryHubError(
            kind: .unavailable, code: .storeUnavailable,
            detail: "The store is unavailable; try again shortly.", underlying: underlying)
    }

    package static func `internal`(_ underlying: String) -> MemoryHubError {
        MemoryHubError(kind: .internal, code: .internalError, detail: "An internal error occurred.", underlying: underlying)
    }
}
