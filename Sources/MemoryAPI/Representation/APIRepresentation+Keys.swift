package import MemoryCore

extension APIRepresentation {
    /// An API key as API.md "Access" shows it: `id, user_id, name, admin, created_at,
    /// last_used_at, revoked_at`, plus `key` only when it was just created (shown this once).
    /// Never the digest.
    package static func apiKey(_ key: APIKey, text: String? = nil) -> JSONValue {
        var object: JSONObject = [
            "id": .string(key.id.lowercased),
            "user_id": .string(key.userID),
            "name": key.name.map(JSONValue.string) ?? .null,
            "admin": .bool(key.isAdmin),
            "created_at": .string(key.createdAt.iso8601),
            "last_used_at": key.lastUsedAt.map { .string($0.iso8601) } ?? .null,
            "revoked_at": key.revokedAt.map { .string($0.iso8601) } ?? .null,
        ]
        if let text { object["key"] = .string(text) }
        return .object(object)
    }
}
