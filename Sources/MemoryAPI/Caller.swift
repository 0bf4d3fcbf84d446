import MemoryCore
import MemoryService
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// Who is calling, and as whom: the one place every interface (HTTP, MCP, pages) decides which
/// user a request acts for.
///
/// - In `local` mode (one person on loopback) a request may name any user (`X-User-ID`, a
///   `user_id` in query or body) and acts as that user; naming none acts for the owner of the ids
///   it names.
/// - A user's API key acts only as its user: naming another user is 403, naming none means the
///   key's user.
/// - An admin key acts for any user it names, and may use the admin routes.
package struct Caller: Sendable, Hashable, CustomStringConvertible {
    /// What the caller may do.
    package enum Authority: Sendable, Hashable {
        /// Trusted as it names itself: `local` mode, stdio MCP, the hooks, the CLI.
        case local
        /// An API key of this user.
        case user(String)
        /// An admin API key.
        case admin
    }

    /// What the caller may do.
    package var authority: Authority
    /// The API key's id, for the request log; nil without a key. Never the key itself.
    package var keyID: UUID?

    /// Makes a caller; `keyID` names the key it authenticated with.
    package init(authority: Authority, keyID: UUID? = nil) {
        self.authority = authority
        self.keyID = keyID
    }

    /// A trusted local caller without a key.
    package static let local = Caller(authority: .local)

    /// True for admin keys and for local callers (one person owns everything there).
    package var isAdmin: Bool {
        switch authority {
        case .local, .admin: true
        case .user: false
        }
    }

    /// The user of a user key; nil for local and admin callers.
    package var keyUser: String? {
        if case .user(let user) = authority { return user }
        return nil
    }

    package var description: String {
        switch authority {
        case .local: "local"
        case .user(let user): "key \(keyID?.lowercased ?? "?") of \(user)"
        case .admin: "admin key \(keyID?.lowercased ?? "?")"
        }
    }

    /// The user a request acts for, given the user it names (nil when it names none). Nil means
    /// "the owner of the ids the request names", which only local and admin callers get.
    /// Throws 403 when a user key names another user, 422 when the name is not a valid user id.
    package func actingUser(naming named: String?) throws -> String? {
        let named = try named.map { try Validation.identifier($0, field: "user_id") }
        switch authority {
        case .local, .admin:
            return named
        case .user(let own):
            if let named, named != own {
                throw MemoryHubError.forbidden("This API key acts only as its own user; the request names another user.")
            }
            return own
        }
    }

    /// As `actingUser(naming:)`, for requests that must act for a user (422 `user_id is required`
    /// when none is named and the key has none).
    package func requiredUser(naming named: String?) throws -> String {
        guard let user = try actingUser(naming: named) else {
            throw MemoryHubError.invalidField("user_id", "user_id is required.")
        }
        return user
    }

    /// Throws 403 unless the caller may use the admin routes.
    package func requireAdmin() throws {
        guard isAdmin else { throw MemoryHubError.forbidden("This route needs an admin API key.") }
    }

    /// The one user several sources of a request name (header, query, body, path): nil when none
    /// names one; 403 when two name different users.
    package static func namedUser(_ sources: [(source: String, user: String?)]) throws -> String? {
        var found: (source: String, user: String)?
        for (source, user) in sources {
            guard let user else { continue }
            if let found, found.user != user {
                throw MemoryHubError.forbidden("The \(found.source) and the \(source) name different users.")
            }
            found = (source, user)
        }
        return found?.user
    }
}

/// A transport's per-request context that knows its caller (Hummingbird's request context for
/// HTTP routes and MCP over HTTP).
package protocol CallerContext {
    /// Who sent the request.
    var caller: Caller { get }
}
