package import MemoryCore
import Foundation

/// Short plain-text renderings of sessions and memories for the model to read (MCP tool results,
/// the Claude Code hooks' output).
package enum TextRendering {
    package static func number(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return String(rounded)
    }

    package static func session(_ session: Session) -> String {
        var lines = [
            "Session \(session.id.lowercased): \(session.state.rawValue)\(session.endReason.map { " (\($0))" } ?? ""), "
                + "\(session.memoryCount) memories, started \(session.startedAt.iso8601)"
        ]
        if let project = session.projectID { lines.append("Project: \(project)") }
        if let parent = session.parentSessionID { lines.append("Continues: \(parent.lowercased)") }
        if !session.tags.isEmpty { lines.append("Tags: \(session.tags.joined(separator: ", "))") }
        if let summary = session.summary, !summary.isEmpty { lines.append("Summary: \(summary)") }
        return lines.joined(separator: "\n")
    }

    package static func sessionLine(_ session: Session) -> String {
        "- \(session.id.lowercased) \(session.state.rawValue), \(session.projectID ?? "no project"), "
            + "\(session.memoryCount) memories, started \(session.startedAt.iso8601)"
            + (session.summary.map { ": \(oneLine($0, limit: 160))" } ?? "")
    }

    package static func memoryLine(_ memory: Memory) -> String {
        "\(memory.id.lowercased) [\(memory.memoryType.rawValue), importance \(number(memory.importance))] "
            + oneLine(memory.summary ?? memory.content, limit: 300)
    }

    package static func memory(_ memory: Memory) -> String {
        var lines = [
            "Memory \(memory.id.lowercased) [\(memory.memoryType.rawValue), importance \(number(memory.importance)), "
                + "confidence \(number(memory.confidence))] in session \(memory.sessionID.lowercased), created \(memory.createdAt.iso8601)"
        ]
        if let summary = memory.summary { lines.append("Summary: \(summary)") }
        if !memory.entities.isEmpty { lines.append("Entities: \(memory.entities.joined(separator: ", "))") }
        if !memory.tags.isEmpty { lines.append("Tags: \(memory.tags.joined(separator: ", "))") }
        lines.append("Content:\n\(memory.content)")
        return lines.joined(separator: "\n")
    }

    /// What a continued session inherits (`metadata.parent_context`), as a few lines.
    package static func parentContext(_ context: JSONObject) -> String {
        var lines = ["From the previous session:"]
        if let summary = context["summary"]?.stringValue, !summary.isEmpty { lines.append("Summary: \(oneLine(summary, limit: 600))") }
        let entities = context["top_entities"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if !entities.isEmpty { lines.append("Entities: \(entities.joined(separator: ", "))") }
        for fact in context["important_facts"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
            lines.append("- \(oneLine(fact, limit: 300))")
        }
        return lines.count == 1 ? "" : lines.joined(separator: "\n")
    }

    /// The text on one line, cut to `limit` characters (grapheme clusters, so never inside an
    /// emoji) with an ellipsis when longer.
    package static func oneLine(_ text: String, limit: Int) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count <= limit ? flat : String(flat.prefix(limit)) + "…"
    }
}
