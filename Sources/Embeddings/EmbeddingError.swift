/// An error from loading an embedding model or computing embeddings.
///
/// `description` says what went wrong in words safe to log or show (no texts, paths or response
/// bodies); `debugDescription` adds the detail (file path, HTTP body excerpt, underlying error).
package struct EmbeddingError: Error, CustomStringConvertible, CustomDebugStringConvertible, Sendable {
    /// The kind of failure.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: Sendable, Hashable {
            case modelMissing
            case modelCorrupt
            case unsupportedModel
            case remoteStatus
            case remoteUnreachable
            case remoteResponseInvalid
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A model file (config.json, vocab.txt or model.safetensors) is not there or unreadable.
        package static let modelMissing = Code(.modelMissing)
        /// A model file is there but malformed: bad JSON, truncated tensors, wrong shapes.
        package static let modelCorrupt = Code(.modelCorrupt)
        /// The model is well-formed but asks for something this encoder does not implement.
        package static let unsupportedModel = Code(.unsupportedModel)
        /// The remote embedding endpoint answered with a non-2xx HTTP status.
        package static let remoteStatus = Code(.remoteStatus)
        /// The remote embedding endpoint could not be reached or did not answer in time.
        package static let remoteUnreachable = Code(.remoteUnreachable)
        /// The remote embedding endpoint answered 2xx with a body that is not the OpenAI shape.
        package static let remoteResponseInvalid = Code(.remoteResponseInvalid)

        /// The code's name.
        package var description: String {
            switch base {
            case .modelMissing: "modelMissing"
            case .modelCorrupt: "modelCorrupt"
            case .unsupportedModel: "unsupportedModel"
            case .remoteStatus: "remoteStatus"
            case .remoteUnreachable: "remoteUnreachable"
            case .remoteResponseInvalid: "remoteResponseInvalid"
            }
        }
    }

    /// The kind of failure.
    package var code: Code
    /// A short explanation, safe to log.
    package var message: String
    /// The HTTP status, for ``Code/remoteStatus``.
    package var httpStatus: Int?
    /// Detail for debugging only (paths, response excerpts, underlying errors): may carry data.
    package var detail: String?

    init(_ code: Code, _ message: String, httpStatus: Int? = nil, detail: String? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.detail = detail
    }

    /// What went wrong, without data from the inputs, files or responses.
    package var description: String {
        "EmbeddingError.\(code): \(message)"
    }

    /// ``description`` plus the detail.
    package var debugDescription: String {
        guard let detail else { return description }
        return "\(description) (\(detail))"
    }

    static func modelMissing(_ message: String, path: String) -> EmbeddingError {
        EmbeddingError(.modelMissing, message, detail: "path: \(path)")
    }

    static func modelCorrupt(_ message: String, path: String, detail: String? = nil) -> EmbeddingError {
        EmbeddingError(.modelCorrupt, message, detail: ["path: \(path)", detail].compactMap { $0 }.joined(separator: "; "))
    }
}
