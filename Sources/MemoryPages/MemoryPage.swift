import Crypto
import Hummingbird
import MemoryCore
import MemoryService
import Foundation

extension PageSite {
    struct MemoryView {
        var chrome: Chrome
        var memory: MemoryRow
        /// The whole content (the row holds a preview).
        var content: String
        var contentDigest: String
        var summary: String
        /// The importance as stored (the row shows it rounded): what the form starts from.
        var importanceText: String
        var confidence: String
        var entitiesText: String
        var tagsText: String
        var metadata: String?
        var related: [String]
        var supersededBy: String?
        var similar: [SimilarRow]
        var similarNote: String?
        var accessCount: Int64
        var lastAccessed: String?
        var updated: String
        var hasEmbedding: Bool
        var project: String?
    }

    struct SimilarRow {
        var memory: MemoryRow
        var similarity: String
        var percent: Int
    }

    /// `/memories/{id}`: every field, the edit form, related and similar memories.
    func memory(_ request: Request, id: UUID, _ visitor: PageVisitor) async throws -> Response {
        // A person looking is not the assistant recalling: no access is counted.
        let memory = try await services.memories.read(id: id, actingUser: visitor.user)
        var similar: [SimilarRow] = []
        var note: String?
        do {
            similar = try await services.search.similarMemories(to: id, actingUser: visitor.user, limit: 5, minSimilarity: 0.3).results
                .map { SimilarRow(memory: MemoryRow($0.memory, previewLength: 200), similarity: PageFormat.number($0.similarity), percent: PageFormat.percent($0.similarity)) }
            if similar.isEmpty { note = "No other memory is similar enough." }
        } catch let error as MemoryHubError where error.kind == .conflict || error.kind == .invalidField || error.kind == .unavailable {
            note = error.detail
        }
        let saved = PageForm(query: request)["saved"] != nil
        let view = MemoryView(
            chrome: Chrome(title: "Memory " + String(id.lowercased.suffix(8)), visitor: visitor, current: "/sessions", flash: saved ? "Saved." : nil),
            memory: MemoryRow(memory), content: memory.content, contentDigest: Self.digest(memory.content), summary: memory.summary ?? "",
            importanceText: String(memory.importance),
            confidence: PageFormat.number(memory.confidence), entitiesText: memory.entities.joined(separator: ", "),
            tagsText: memory.tags.joined(separator: ", "), metadata: PageFormat.json(memory.metadata),
            related: memory.relatedMemories.map(\.lowercased), supersededBy: memory.supersededBy?.lowercased, similar: similar, similarNote: note,
            accessCount: memory.accessCount, lastAccessed: memory.lastAccessed.map(PageFormat.time), updated: PageFormat.time(memory.updatedAt),
            hasEmbedding: memory.hasEmbedding, project: memory.projectID)
        return renderer.page("memory", view)
    }

    /// `POST /memories/{id}`: saves the edit form. Each field is changed only when the person
    /// changed it (the form carries what it showed: a digest of the content, the other fields as
    /// shown), so saving one field never rewrites another (content keeps its vector, an entity
    /// holding a comma stays whole, importance is not rounded); an emptied summary clears it.
    func updateMemory(id: UUID, form: PageForm, _ visitor: PageVisitor) async throws -> Response {
        var change = MemoryChange()
        if let content = form.raw("content").map(Self.unixLines), Self.digest(content) != form["content_digest"] {
            change.content = content
        }
        func edited(_ name: String) -> String? {
            guard let value = form.raw(name), value != form.raw(name + "_shown") else { return nil }
            return value
        }
        if let summary = edited("summary") {
            let trimmed = summary.trimmingCharacters(in: .whitespacesAndNewlines)
            change.summary = .some(trimmed.isEmpty ? nil : trimmed)
        }
        if let text = edited("importance") {
            guard let importance = Double(text.trimmingCharacters(in: .whitespaces)) else {
                throw MemoryHubError.invalidField("importance", "importance must be a number between 0 and 1.")
            }
            change.importance = importance
        }
        if edited("tags") != nil { change.tags = form.list("tags") }
        if edited("entities") != nil { change.entities = form.list("entities") }
        _ = try await services.memories.update(id: id, actingUser: visitor.user, change: change)
        return PageGate.redirect("/memories/\(id.lowercased)?saved=1")
    }

    struct DeletionView {
        var chrome: Chrome
        var memory: MemoryRow
    }

    /// `/memories/{id}/delete`: asks before deleting.
    func confirmDeletion(id: UUID, _ visitor: PageVisitor) async throws -> Response {
        let memory = try await services.memories.read(id: id, actingUser: visitor.user)
        return renderer.page(
            "delete", DeletionView(chrome: Chrome(title: "Delete memory", visitor: visitor, current: "/sessions"), memory: MemoryRow(memory)))
    }

    /// `POST /memories/{id}/delete`: deletes, then shows its session.
    func deleteMemory(id: UUID, form: PageForm, _ visitor: PageVisitor) async throws -> Response {
        let session = PageSite.optionalID(form["session"])
        try await services.memories.delete(id: id, actingUser: visitor.user)
        return PageGate.redirect(session.map { "/sessions/\($0.lowercased)?deleted=1" } ?? "/sessions")
    }

    /// Browsers send a textarea's line breaks as CR LF (a lone CR too); memories keep LF.
    static func unixLines(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    /// SHA-256 of the text with its line breaks as the form sends them back, hex: tells whether
    /// the edit form changed the content.
    static func digest(_ text: String) -> String {
        SHA256.hash(data: Array(unixLines(text).utf8)).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    static func optionalID(_ text: String?) -> UUID? {
        text.flatMap(UUID.init(uuidString:))
    }
}
