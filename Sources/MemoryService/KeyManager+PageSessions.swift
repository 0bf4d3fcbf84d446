package import MemoryCore
import MemoryStore
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

extension KeyManager {
    /// The record of `MEMORYHUB_ADMIN_KEY`, when the deployment has one: never stored, its id all zeros.
    var deploymentAdminRecord: APIKey? {
        deploymentAdminDigest.map {
            APIKey(
                id: Self.deploymentAdminKeyID, userID: "admin", name: "MEMORYHUB_ADMIN_KEY", isAdmin: true, secretHash: $0,
                createdAt: Timestamp(microsecondsSinceEpoch: 0))
        }
    }
}
