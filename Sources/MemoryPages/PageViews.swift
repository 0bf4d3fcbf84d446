import MemoryCore
import MemoryService
import Foundation

// What the templates see: plain values, numbers already formatted. Mustache escapes every
// `{{value}}` for HTML; the templates never use triple braces.

/// The header of every page.
struct Chrome {
    struct Link {
        var title: String
        var href: String
        var current: Bool
    }

    var title: String
    /// Nil on the sign-in page.
    var visitor: VisitorView?
    var nav: [Link]
    /// A one-line notice ("Memory saved.").
    var flash: String?
    /// The form token, for the templates' hidden fields (a stored property: templates see no
    /// computed ones).
    var csrf: String

    struct VisitorView {
        var label: String
        var csrf: String
        var isAdmin: Bool
    }

    init(title: String, visitor: PageVisitor?, current: String, flash: String? = nil) {
        self.title = title
        self.visitor = visitor.map { VisitorView(label: $0.label, csrf: $0.formToken, isAdmin: $0.isAdmin) }
        self.flash = flash
        csrf = visitor?.formToken ?? ""
        var links: [(String, String)] = [("Sessions", "/sessions"), ("Search", "/search"), ("Context", "/context"), ("Status", "/status")]
        if visitor?.isAdmin == true { links.append(("Keys", "/keys")) }
        nav = visitor == nil ? [] : links.map { Link(title: $0.0, href: $0.1, current: $0.1 == current) }
    }
}

/// Previous and next links of a paged list.
struct Pager {
    var previous: String?
    var next: String?
    var label: String

    /// Page `page` (1-based) of `total` items, `size` a page; `link` makes a page's address.
    init(page: Int, size: Int, total: Int, link: (Int) -> String) {
        let pages = max(1, (total + size - 1) / size)
        previous = page > 1 ? link(page - 1) : nil
        next = page < pages ? link(page + 1) : nil
        let first = total == 0 ? 0 : (page - 1) * size + 1
        label = "\(first)–\(min(total, page * size)) of \(total)"
    }
}

/// One option of a select or a checkbox group.
struct Choice {
    var value: String
    var label: String
    var selected: Bool
}

/// A session in a list or a chain.
struct SessionRow {
    var id: String
    var shortID: String
    var project: String?
    var state: String
    var started: String
    var ended: String?
    var summary: String?
    var memoryCount: Int
    /// "1 memory", "12 memories".
    var memories: String
    var tags: [String]
    var current: Bool

    init(_ session: Session, current: Bool = false) {
        id = session.id.lowercased
        shortID = String(id.suffix(8))
        project = session.projectID
        state = session.state.rawValue
        started = PageFormat.time(session.startedAt)
        ended = session.endedAt.map(PageFormat.time)
        summary = session.summary.map { PageFormat.preview($0, 240) }
        memoryCount = session.memoryCount
        memories = session.memoryCount == 1 ? "1 memory" : "\(session.memoryCount) memories"
        tags = session.tags
        self.current = current
    }
}

/// A memory in a list.
struct MemoryRow {
    var id: String
    var shortID: String
    var sessionID: String
    var content: String
    var summary: String?
    var type: String
    var importance: String
    /// 0...100, for the importance bar.
    var importancePercent: Int
    var entities: [String]
    var tags: [String]
    var superseded: Bool
    var created: String

    init(_ memory: Memory, previewLength: Int = 400) {
        id = memory.id.lowercased
        shortID = String(id.suffix(8))
        sessionID = memory.sessionID.lowercased
        content = PageFormat.preview(memory.content, previewLength)
        summary = memory.summary
        type = memory.memoryType.rawValue
        importance = PageFormat.number(memory.importance)
        importancePercent = PageFormat.percent(memory.importance)
        entities = memory.entities
        tags = memory.tags
        superseded = memory.supersededBy != nil
        created = PageFormat.time(memory.createdAt)
    }
}

/// Formatting shared by the pages.
enum PageFormat {
    /// `2026-11-29 23:41 UTC`.
    static func time(_ timestamp: Timestamp) -> String {
        let text = timestamp.iso8601
        guard text.count >= 16 else { return text }
        return text.prefix(10) + " " + text.dropFirst(11).prefix(5) + " UTC"
    }

    /// At most `length` characters, with an ellipsis when cut.
    static func preview(_ text: String, _ length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length)) + "…"
    }

    /// Two decimals ("–" for a value that is not a finite number below 10^15).
    static func number(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return "–" }
        let hundredths = (value * 100).rounded()
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = Int(abs(hundredths))
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// Four decimals, for scores ("–" for a value that is not a finite number below 10^14).
    static func score(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e14 else { return "–" }
        let scaled = Int((abs(value) * 10_000).rounded())
        let fraction = String(scaled % 10_000)
        return (value < 0 ? "-" : "") + "\(scaled / 10_000)." + String(repeating: "0", count: 4 - fraction.count) + fraction
    }

    /// `value` (0...1) as a whole percentage, clamped.
    static func percent(_ value: Double) -> Int {
        guard value.isFinite else { return 0 }
        return Int((min(1, max(0, value)) * 100).rounded())
    }

    /// A JSON object, indented, for the metadata blocks.
    static func json(_ object: JSONObject) -> String? {
        object.isEmpty ? nil : JSONWriter.string(.object(object))
    }
}
