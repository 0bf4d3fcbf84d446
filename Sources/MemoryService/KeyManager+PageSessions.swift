package import MemoryCore
import MemoryStore
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

extension KeyManager {
    /// The key with this id while it is valid (the deployment's admin key for its fixed id, when
    /// one is configured); nil when unknown or revoked. The web pages' sign-in cookie names a key
    /// by id, so a revoked key ends its page sessions at their next request. Reads the store (a
    /// primary-key lookup) every time; throws only when the store cannot be reached.
    package func activeKey(id: UUID) async throws -> APIKey? {
        if id == Self.deploymentAdminKeyID { return deploymentAdminRecord }
        guard let key = try await store.apiKey(id: id), key.revokedAt == nil else { return nil }
        return key
    }

    /// The record of `MEMORYHUB_ADMIN_KEY`, when the deployment has one: never stored, its id all zeros.
    var deploymentAdminRecord: APIKey? {
        deploymentAdminDigest.map {
            APIKey(
                id: Self.deploymentAdminKeyID, userID: "admin", name: "MEMORYHUB_ADMIN_KEY", isAdmin: true, secretHash: $0,
                createdAt: Timestamp(microsecondsSinceEpoch: 0))
        }
    }
}
