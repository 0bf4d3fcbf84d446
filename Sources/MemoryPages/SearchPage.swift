import Hummingbird
import MemoryCore
import MemoryService
import Foundation

extension PageSite {
    static let resultsPerPage = 20

    /// The filters of API.md's search, as the search and context forms carry them.
    struct Filters {
        var project: String?
        var session: String?
        var types: [MemoryType]
        var minImportance: Double?
        var tags: [String]

        /// Throws `invalidField` (a 422 page) for a minimum importance that is not a number from
        /// 0 to 1 and for a session that is not an id, rather than searching without them.
        init(_ query: PageForm) throws {
            project = query["project"]
            session = query["session"]
            types = query.all("type").compactMap(MemoryType.init(rawValue:))
            if let text = query["min_importance"] {
                minImportance = try Validation.unitInterval(Double(text) ?? .nan, field: "min_importance")
            }
            if let session, UUID(uuidString: session) == nil {
                throw MemoryHubError.invalidField("session", "session must be a session id.")
            }
            tags = query.list("tags")
        }

        var sessionID: UUID? { session.flatMap(UUID.init(uuidString:)) }

        var query: [(String, String?)] {
            [("project", project), ("session", session)] + types.map { ("type", $0.rawValue) }
                + [("min_importance", minImportance.map { PageFormat.number($0) }), ("tags", tags.isEmpty ? nil : tags.joined(separator: ","))]
        }

        var typeChoices: [Choice] {
            MemoryType.allCases.map { Choice(value: $0.rawValue, label: $0.rawValue, selected: types.contains($0)) }
        }
    }

    struct SearchView {
        var chrome: Chrome
        var query: String?
        var modes: [Choice]
        var project: String?
        var session: String?
        var types: [Choice]
        var minImportance: String?
        var tags: String?
        var searched: Bool
        var results: [ResultRow]
        var summary: String?
        var notice: String?
        var pager: Pager?
    }

    struct ResultRow {
        var rank: Int
        var memory: MemoryRow
        var score: String
        var components: [Component]
    }

    /// One part of a score, drawn as a bar scaled to the largest value of that part on the page.
    struct Component {
        var name: String
        var value: String
        var detail: String?
        /// 0...100.
        var percent: Int
    }

    /// `/search?q=&mode=&project=&session=&type=&min_importance=&tags=&page=`: results with the
    /// score of each part drawn.
    func search(_ request: Request, _ visitor: PageVisitor) async throws -> Response {
        let query = PageForm(query: request)
        let filters = try Filters(query)
        let mode = query["mode"].flatMap(SearchMode.init(rawValue:)) ?? .hybrid
        let page = try query.page()
        var view = SearchView(
            chrome: Chrome(title: "Search", visitor: visitor, current: "/search"), query: query["q"],
            modes: SearchMode.allCases.map { Choice(value: $0.rawValue, label: $0.rawValue, selected: $0 == mode) },
            project: filters.project, session: filters.session, types: filters.typeChoices,
            minImportance: filters.minImportance.map { PageFormat.number($0) }, tags: filters.tags.isEmpty ? nil : filters.tags.joined(separator: ", "),
            searched: false, results: [])
        guard let text = query["q"] else { return renderer.page("search", view) }
        var search = SearchRequest(userID: visitor.user, query: text)
        search.mode = mode
        search.explain = true
        search.projectID = filters.project
        search.sessionID = filters.sessionID
        search.memoryTypes = filters.types
        search.minImportance = filters.minImportance
        search.tags = filters.tags
        search.limit = Self.resultsPerPage
        search.offset = (page - 1) * Self.resultsPerPage
        let response = try await services.search.search(search)
        view.searched = true
        view.results = Self.rows(response.results, offset: search.offset)
        view.notice = response.notice
        let milliseconds = Double(response.searchTime.components.seconds) * 1000 + Double(response.searchTime.components.attoseconds) / 1e15
        view.summary = "\(response.total) \(response.total == 1 ? "memory matches" : "memories match"), \(mode.rawValue) search, "
            + "\(PageFormat.number(milliseconds)) ms"
        view.pager = Pager(page: page, size: Self.resultsPerPage, total: response.total) { page in
            PageLink.make("/search", [("q", text), ("mode", mode.rawValue)] + filters.query + [("page", page > 1 ? String(page) : nil)])
        }
        return renderer.page("search", view)
    }

    /// Results with their components, each bar scaled to that component's largest value here.
    static func rows(_ results: [ScoredMemory], offset: Int) -> [ResultRow] {
        let breakdowns = results.compactMap(\.breakdown)
        func largest(_ value: (ScoreBreakdown) -> Double?) -> Double {
            max(1e-12, breakdowns.compactMap(value).map(abs).max() ?? 0)
        }
        let lexical = largest(\.lexicalScore), similarity = largest(\.similarity), fused = largest(\.fused)
        let adjustment = largest(\.adjustment), final = largest(\.final)
        return results.enumerated().map { index, result in
            var components: [Component] = []
            if let parts = result.breakdown {
                func component(_ name: String, _ value: Double?, _ scale: Double, _ detail: String?) -> Component {
                    Component(
                        name: name, value: value.map(PageFormat.score) ?? "–", detail: detail,
                        percent: value.map { PageFormat.percent(abs($0) / scale) } ?? 0)
                }
                components = [
                    component("lexical", parts.lexicalScore, lexical, parts.lexicalRank.map { "rank \($0)" } ?? "no word match"),
                    component("semantic", parts.similarity, similarity, parts.semanticRank.map { "rank \($0)" } ?? "no vector match"),
                    component("fused", parts.fused, fused, nil),
                    component("adjustment", parts.adjustment, adjustment, parts.supersession < 1 ? "superseded × \(PageFormat.number(parts.supersession))" : "importance, recency, use"),
                    component("final", parts.final, final, nil),
                ]
            }
            return ResultRow(rank: offset + index + 1, memory: MemoryRow(result.memory, previewLength: 300), score: PageFormat.score(result.score), components: components)
        }
    }
}
