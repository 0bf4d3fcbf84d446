import Metrics
package import Logging
import MemoryCore
internal import PostgresNIO

/// Turns what postgres-nio throws into the errors callers understand: `MemoryHubError` with the
/// kind the interfaces map to a status (409, 422, 503, 500), or `CancellationError`.
///
/// Server messages may quote stored data, so only the SQLSTATE and the message (never the detail
/// or the query with its parameters) go into the log and into `debugDescription`.
package enum PostgresErrorTranslation {
    /// The name of the unique index on `(user_id, client_session_id)`.
    static let clientSessionIndex = "sessions_user_client"

    package static func translate(_ error: any Error, logger: Logger) -> any Error {
        switch error {
        case let error as MemoryHubError:
            return error
        case let error as CancellationError:
            return error
        case let error as PostgresMemoryStore.UnchangedBatch:
            return error
        case _ where Task.isCancelled:
            // The caller gave up; whatever broke on the way out is not the store's failure.
            return CancellationError()
        case let error as PostgresTransactionError:
            guard let inner = error.closureError ?? error.beginError ?? error.commitError else {
                return MemoryHubError.unavailable("transaction failed without an error")
            }
            return translate(inner, logger: logger)
        case let error as PSQLError:
            return translate(error, logger: logger)
        case let error as PostgresDecodingError:
            logger.error("Unreadable row from PostgreSQL", metadata: ["memoryhub.postgres.column": "\(error.columnName)"])
            return MemoryHubError.internal("cannot decode column \(error.columnName) as \(error.targetType)")
        case let error as JSONParser.Error:
            logger.error("Corrupt JSON in PostgreSQL", metadata: ["memoryhub.error": "\(error)"])
            return MemoryHubError.internal("corrupt JSON in store: \(error)")
        default:
            // Socket, TLS and pool failures from below postgres-nio: the store cannot be used now.
            logger.warning("PostgreSQL unavailable", metadata: ["memoryhub.error": "\(String(reflecting: type(of: error)))"])
            return MemoryHubError.unavailable("\(type(of: error))")
        }
    }

    /// Statements stopped by `statement_timeout` or `lock_timeout` (`memoryhub_store_timeouts_total`).
    static let storeTimeouts = Counter(label: "memoryhub.store.timeouts.total")

    private static func translate(_ error: PSQLError, logger: Logger) -> MemoryHubError {
        guard error.code == .server, let serverInfo = error.serverInfo else {
            switch error.code {
            case .tooManyParameters, .invalidCommandTag:
                logger.error("PostgreSQL client error", metadata: ["memoryhub.postgres.code": "\(error.code)"])
                return MemoryHubError.internal("postgres-nio: \(error.code)")
            default:
                logger.warning("PostgreSQL unavailable", metadata: ["memoryhub.postgres.code": "\(error.code)"])
                return MemoryHubError.unavailable("postgres-nio: \(error.code)")
            }
        }
        let state = serverInfo[.sqlState] ?? ""
        let message = serverInfo[.message] ?? ""
        let summary = "SQLSTATE \(state): \(message)"
        switch state {
        case "23505":
            switch serverInfo[.constraintName] {
            case clientSessionIndex:
                return MemoryHubError(
                    kind: .conflict, code: .duplicateClientSessionID,
                    detail: "The user already has a session with this client_session_id.")
            case "sessions_pkey":
                return MemoryHubError(kind: .conflict, code: .duplicateID, detail: "A session with this id already exists.")
            case "memories_pkey":
                return MemoryHubError(kind: .conflict, code: .duplicateID, detail: "A memory with this id already exists.")
            case "memories_content_hash":
                return MemoryHubError(kind: .conflict, code: .duplicateContent, detail: "The user already has a memory with this content in the project.")
            default:
                logger.error("PostgreSQL unique violation", metadata: ["memoryhub.postgres.message": "\(message)"])
                return MemoryHubError.internal(summary)
            }
        case "22021", "22P05":
            // character_not_in_repertoire, untranslatable_character: U+0000 that slipped past the checks.
            return MemoryHubError(
                kind: .invalidField, code: .invalidField,
                detail: "A text value contains a character the store cannot keep (U+0000).", underlying: summary)
        case "22008", "22003":
            return MemoryHubError(
                kind: .invalidField, code: .invalidField, detail: "A value is outside the range the store can keep.", underlying: summary)
        case "57014", "55P03":
            // statement_timeout or lock_timeout: a lock held elsewhere or a slow query.
            storeTimeouts.increment()
            logger.warning("PostgreSQL statement timed out", metadata: ["memoryhub.postgres.sqlstate": "\(state)"])
            return MemoryHubError(
                kind: .unavailable, code: .storeUnavailable,
                detail: "The store did not answer in time (a lock held by another transaction, or a slow query); try again shortly.",
                underlying: summary)
        case _ where state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57") || state.hasPrefix("28")
            || state == "40001" || state == "40P01" || state == "55P03" || state == "3D000":
            // Connection trouble, resources, shutdown or cancellation, authentication, conflicts a
            // retry resolves, a missing database: nothing the caller did wrong.
            logger.warning("PostgreSQL unavailable", metadata: ["memoryhub.postgres.sqlstate": "\(state)"])
            return MemoryHubError.unavailable(summary)
        default:
            logger.error("PostgreSQL error", metadata: ["memoryhub.postgres.sqlstate": "\(state)", "memoryhub.postgres.message": "\(message)"])
            return MemoryHubError.internal(summary)
        }
    }
}
