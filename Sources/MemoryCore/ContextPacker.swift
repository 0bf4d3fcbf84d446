#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Packs scored memories into titled sections within a memory count and a token budget, each
/// memory at most once, and renders them as markdown. Pure: no I/O.
///
/// Sections are filled in the order given (the most telling first), and rendered in `renderOrder`.
/// Within a section, candidates go by relevance; one below `minRelevance`, already chosen, or too
/// long for what is left is skipped (a long one is shortened when a useful part still fits).
package struct ContextPacker: Sendable {
    /// A section's candidates.
    package struct Candidates: Sendable {
        package var key: String
        package var title: String
        package var items: [Item]

        package init(key: String, title: String, items: [Item]) {
            self.key = key
            self.title = title
            self.items = items
        }
    }

    package struct Item: Sendable {
        package var memory: Memory
        package var relevance: Double
        package var reason: String
        /// The line it takes in the markdown, once packed.
        package var line = ""

        package init(memory: Memory, relevance: Double, reason: String) {
            self.memory = memory
            self.relevance = relevance
            self.reason = reason
        }
    }

    /// A packed section: its items and the tokens its lines (and heading) take.
    package struct Section: Sendable {
        package var key: String
        package var title: String
        package var items: [Item]
        package var tokens: Int
    }

    package var maxMemories: Int
    package var maxTokens: Int
    package var minRelevance: Double
    /// The heading of the whole block.
    package var heading = "# Context from MemoryHub"
    /// No single memory takes more than this many tokens; longer ones are shortened.
    package var maxItemTokens = 400
    /// A shortened memory keeps at least this many tokens, or it is skipped.
    package var minShortenedTokens = 24

    package init(maxMemories: Int, maxTokens: Int, minRelevance: Double) {
        self.maxMemories = maxMemories
        self.maxTokens = maxTokens
        self.minRelevance = minRelevance
    }

    /// The packed sections (non-empty ones, in `renderOrder`), the markdown, and the tokens used.
    package func pack(_ candidates: [Candidates], renderOrder: [String]) -> (sections: [Section], markdown: String, tokens: Int) {
        var used = TokenEstimate.lineTokens(heading)
        guard used <= maxTokens else { return ([], "", 0) }
        var chosen = Set<UUID>()
        var sections: [String: Section] = [:]
        // Two passes: first each section takes at most its share of the memories, so one
        // section with many matches cannot crowd out the others; then what is left of the count
        // and the budget goes to the sections in fill order.
        let share = max(1, maxMemories / max(1, candidates.count))
        let ranked = candidates.map { group in group.items.sorted { $0.relevance > $1.relevance } }
        for pass in 0..<2 {
            for (group, items) in zip(candidates, ranked) {
                let headingTokens = TokenEstimate.lineTokens("") + TokenEstimate.lineTokens("## " + group.title)
                var section = sections[group.key] ?? Section(key: group.key, title: group.title, items: [], tokens: 0)
                for item in items {
                    guard chosen.count < maxMemories, pass == 1 || section.items.count < share else { break }
                    guard item.relevance >= minRelevance, !chosen.contains(item.memory.id) else { continue }
                    let opening = section.items.isEmpty ? headingTokens : 0
                    let room = maxTokens - used - opening
                    guard let line = Self.line(for: item.memory, maxTokens: min(room, maxItemTokens), minTokens: minShortenedTokens) else {
                        continue
                    }
                    let cost = TokenEstimate.lineTokens(line)
                    var packed = item
                    packed.line = line
                    section.items.append(packed)
                    section.tokens += opening + cost
                    used += opening + cost
                    chosen.insert(item.memory.id)
                }
                if !section.items.isEmpty { sections[group.key] = section }
            }
        }
        let ordered = renderOrder.compactMap { sections[$0] }
        guard !ordered.isEmpty else { return ([], "", 0) }
        var lines = [heading]
        for section in ordered {
            lines.append("")
            lines.append("## " + section.title)
            lines += section.items.map(\.line)
        }
        return (ordered, lines.joined(separator: "\n"), used)
    }

    /// `- [type] text` (`- [type, superseded] text` for an outdated memory), with line breaks
    /// folded, shortened with "…" to fit `maxTokens`; nil when not even `minTokens` fit.
    package static func line(for memory: Memory, maxTokens: Int, minTokens: Int) -> String? {
        let text = (memory.summary.flatMap { $0.isEmpty ? nil : $0 } ?? memory.content)
            .split(whereSeparator: \.isNewline).joined(separator: " ")
        let prefix = "- [\(memory.memoryType.rawValue)\(memory.supersededBy == nil ? "" : ", superseded")] "
        let full = prefix + text
        if TokenEstimate.lineTokens(full) <= maxTokens { return full }
        guard maxTokens >= minTokens else { return nil }
        // lineTokens(s) = ceil(scalars/4) + 1 ≤ maxTokens  ⇔  scalars ≤ 4 × (maxTokens − 1).
        let room = 4 * (maxTokens - 1) - prefix.unicodeScalars.count - 1
        guard room > 0 else { return nil }
        // Whole characters (grapheme clusters) only: a flag or an accented letter is kept or
        // dropped, never cut in half.
        var kept = ""
        var scalars = 0
        for character in text {
            scalars += character.unicodeScalars.count
            if scalars > room { break }
            kept.append(character)
        }
        return prefix + kept + "…"
    }
}
