import Hummingbird
import MemoryCore
import MemoryService
import Foundation

extension PageSite {
    struct KeysView {
        var chrome: Chrome
        var user: String?
        var keys: [KeyRow]
        var created: CreatedKey?
        var empty: Bool
    }

    struct KeyRow {
        var id: String
        var user: String
        var name: String?
        var admin: Bool
        var created: String
        var lastUsed: String?
        var revoked: String?
    }

    struct CreatedKey {
        var text: String
        var user: String
    }

    /// `/keys?user=`: every key (admins only), newest first, never a key's secret.
    func keys(_ request: Request, _ visitor: PageVisitor, created: CreatedKey?) async throws -> Response {
        guard visitor.isAdmin else {
            throw MemoryHubError.forbidden("The keys page needs an admin API key.")
        }
        let user = PageForm(query: request)["user"]
        let keys = try await services.keys.list(userID: user)
        let view = KeysView(
            chrome: Chrome(title: "API keys", visitor: visitor, current: "/keys"), user: user,
            keys: keys.map {
                KeyRow(
                    id: $0.id.lowercased, user: $0.userID, name: $0.name, admin: $0.isAdmin, created: PageFormat.time($0.createdAt),
                    lastUsed: $0.lastUsedAt.map(PageFormat.time), revoked: $0.revokedAt.map(PageFormat.time))
            },
            created: created, empty: keys.isEmpty)
        return renderer.page("keys", view)
    }

    /// `POST /keys`: creates a key and shows it this once.
    func createKey(_ request: Request, form: PageForm, _ visitor: PageVisitor) async throws -> Response {
        guard visitor.isAdmin else { throw MemoryHubError.forbidden("The keys page needs an admin API key.") }
        guard let user = form["user_id"] else { throw MemoryHubError.invalidField("user_id", "user_id is required.") }
        let (key, text) = try await services.keys.create(userID: user, name: form["name"], admin: form["admin"] != nil)
        return try await keys(request, visitor, created: CreatedKey(text: text, user: key.userID))
    }

    /// `POST /keys/{id}/revoke`.
    func revokeKey(id: UUID, _ visitor: PageVisitor) async throws -> Response {
        guard visitor.isAdmin else { throw MemoryHubError.forbidden("The keys page needs an admin API key.") }
        _ = try await services.keys.revoke(id: id)
        return PageGate.redirect("/keys")
    }
}
