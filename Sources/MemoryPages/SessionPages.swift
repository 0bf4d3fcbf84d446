import Hummingbird
import MemoryCore
import MemoryService
import Foundation

extension PageSite {
    static let sessionsPerPage = 25
    static let memoriesPerPage = 50
    /// Sessions read at most to filter by state or text (the store filters by user and project only).
    static let sessionScanLimit = 10_000

    struct SessionsView {
        var chrome: Chrome
        var project: String?
        var text: String?
        var states: [Choice]
        var sessions: [SessionRow]
        var pager: Pager
        var empty: Bool
    }

    /// `/sessions?project=&state=&q=&page=`: the person's sessions, newest first.
    func sessions(_ request: Request, _ visitor: PageVisitor) async throws -> Response {
        let query = PageForm(query: request)
        let project = query["project"]
        let state = query["state"].flatMap(SessionState.init(rawValue:))
        let text = query["q"]
        let page = try query.page()
        let size = Self.sessionsPerPage
        let shown: [Session]
        let total: Int
        if state == nil && text == nil {
            let found = try await services.sessions.list(
                userID: visitor.user, projectID: project, activeOnly: false, limit: size, offset: (page - 1) * size)
            (shown, total) = (found.items, found.total)
        } else {
            let needle = text?.lowercased()
            var matches: [Session] = []
            var offset = 0
            while offset < Self.sessionScanLimit {
                let found = try await services.sessions.list(userID: visitor.user, projectID: project, activeOnly: state == .active, limit: 200, offset: offset)
                matches += found.items.filter { session in
                    (state == nil || session.state == state) && (needle.map { Self.session(session, contains: $0) } ?? true)
                }
                offset += found.items.count
                if found.items.isEmpty || offset >= found.total { break }
            }
            total = matches.count
            shown = Array(matches.dropFirst((page - 1) * size).prefix(size))
        }
        let link = { (page: Int) in
            PageLink.make("/sessions", [("project", project), ("state", state?.rawValue), ("q", text), ("page", page > 1 ? String(page) : nil)])
        }
        let view = SessionsView(
            chrome: Chrome(title: "Sessions", visitor: visitor, current: "/sessions"), project: project, text: text,
            states: [Choice(value: "", label: "any state", selected: state == nil)]
                + SessionState.allCases.map { Choice(value: $0.rawValue, label: $0.rawValue, selected: $0 == state) },
            sessions: shown.map { SessionRow($0) }, pager: Pager(page: page, size: size, total: total, link: link), empty: shown.isEmpty)
        return renderer.page("sessions", view)
    }

    /// Whether the session's id, project, summary, tags or metadata mention `needle` (lower case).
    static func session(_ session: Session, contains needle: String) -> Bool {
        let fields = [session.id.lowercased, session.projectID ?? "", session.summary ?? "", session.clientSessionID ?? ""] + session.tags
        return fields.contains { $0.lowercased().contains(needle) }
            || JSONWriter.string(.object(session.metadata)).lowercased().contains(needle)
    }

    struct SessionView {
        var chrome: Chrome
        var session: SessionRow
        var clientSessionID: String?
        var parentID: String?
        var endReason: String?
        var duration: String?
        var summary: String?
        var metadata: String?
        var insights: [InsightList]
        var hasInsights: Bool
        var ancestors: [SessionRow]
        var descendants: [SessionRow]
        var hasChain: Bool
        var types: [Choice]
        var minImportance: String?
        var memories: [MemoryRow]
        var pager: Pager
        var empty: Bool
    }

    struct InsightList {
        var title: String
        var items: [String]
    }

    /// `/sessions/{id}?type=&min_importance=&page=`: one session, its chain and its memories.
    func session(_ request: Request, id: UUID, _ visitor: PageVisitor) async throws -> Response {
        let query = PageForm(query: request)
        let type = query["type"].flatMap(MemoryType.init(rawValue:))
        let minImportance = query["min_importance"].flatMap { Double($0) }
        let page = try query.page()
        let size = Self.memoriesPerPage
        let session = try await services.sessions.session(id: id, actingUser: visitor.user)
        async let chain = services.sessions.chain(id: id, actingUser: visitor.user)
        async let insights = services.sessions.insights(id: id, actingUser: visitor.user)
        async let memories = services.memories.list(
            sessionID: id, actingUser: visitor.user, memoryType: type, minImportance: minImportance, limit: size, offset: (page - 1) * size)
        let members = try await chain
        let position = members.firstIndex { $0.id == id } ?? 0
        let found = try await memories
        let report = try await insights
        let lists = [
            InsightList(title: "Topics", items: report.topics), InsightList(title: "Key decisions", items: report.keyDecisions),
            InsightList(title: "Errors encountered", items: report.errorsEncountered),
            InsightList(title: "Learning points", items: report.learningPoints), InsightList(title: "Action items", items: report.actionItems),
        ].filter { !$0.items.isEmpty }
        let link = { (page: Int) in
            PageLink.make("/sessions/\(id.lowercased)", [
                ("type", type?.rawValue), ("min_importance", minImportance.map { PageFormat.number($0) }),
                ("page", page > 1 ? String(page) : nil),
            ])
        }
        let view = SessionView(
            chrome: Chrome(
                title: "Session " + String(id.lowercased.suffix(8)), visitor: visitor, current: "/sessions",
                flash: query["deleted"] != nil ? "The memory was deleted." : nil),
            session: SessionRow(session), clientSessionID: session.clientSessionID, parentID: session.parentSessionID?.lowercased,
            endReason: session.endReason, duration: session.duration.map { Self.duration(seconds: $0) }, summary: session.summary,
            metadata: PageFormat.json(session.metadata), insights: lists, hasInsights: !lists.isEmpty,
            ancestors: members[..<position].map { SessionRow($0) }, descendants: members.dropFirst(position + 1).map { SessionRow($0) },
            hasChain: members.count > 1,
            types: [Choice(value: "", label: "any type", selected: type == nil)]
                + MemoryType.allCases.map { Choice(value: $0.rawValue, label: $0.rawValue, selected: $0 == type) },
            minImportance: minImportance.map { PageFormat.number($0) }, memories: found.items.map { MemoryRow($0) },
            pager: Pager(page: page, size: size, total: found.total, link: link), empty: found.items.isEmpty)
        return renderer.page("session", view)
    }

    /// `3 h 12 min`, `4 min`, `12 s`.
    static func duration(seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return "\(whole / 60) min" }
        return "\(whole / 3600) h \(whole % 3600 / 60) min"
    }
}
