import MemoryCore

/// Keeps a tool result within what an assistant can take in: Claude Code hands the text and the
/// structured content of a tool result to the model, whose limit is about 25,000 tokens.
///
/// The budget counts characters of the text plus the structured content serialized (about four
/// per token). Over it, in this order until the result fits:
/// 1. memory contents in the structured content are clipped (to 2,000 characters, halving down to
///    100), each ending with a marker that names the memory's id for `get_memory`, with
///    `content_clipped: true` and `content_length` beside it;
/// 2. the longest list (`results`, `memories`, `sessions`, `most_accessed`, a section's
///    `memories`) loses items from its end, and the object says how many with `omitted`;
/// 3. the longest remaining string of the structured content (a context's `formatted_context`)
///    is halved, with a marker, until it fits or no string is longer than 200 characters;
/// 4. the text is cut at a character boundary, with a marker.
package struct ResultBudget: Sendable {
    /// Characters of text plus serialized structured content at most.
    package var maximumCharacters: Int

    /// A budget of `maximumCharacters` (default 60,000, about 15,000 tokens).
    package init(maximumCharacters: Int = 60_000) {
        self.maximumCharacters = max(2_000, maximumCharacters)
    }

    /// The outcome, within the budget.
    package func apply(to outcome: ToolOutcome) -> ToolOutcome {
        guard var structured = outcome.structured else { return clipText(outcome) }
        if size(outcome.text, structured) <= maximumCharacters { return outcome }
        var limit = 2_000
        while limit >= 100 {
            structured = Self.clippingContents(structured, to: limit)
            if size(outcome.text, structured) <= maximumCharacters { return ToolOutcome(text: outcome.text, structured: structured, isError: outcome.isError) }
            limit /= 2
        }
        while size(outcome.text, structured) > maximumCharacters, let shorter = Self.droppingOne(structured) {
            structured = shorter
        }
        // The structured content gets at most half the budget when the text needs the rest.
        while size(outcome.text, structured) > maximumCharacters, size("", structured) > maximumCharacters / 2,
              let shorter = Self.halvingLongestString(structured) {
            structured = shorter
        }
        return clipText(ToolOutcome(text: outcome.text, structured: structured, isError: outcome.isError))
    }

    private func size(_ text: String, _ structured: JSONValue?) -> Int {
        text.count + (structured.map { JSONWriter.bytes($0).count } ?? 0)
    }

    private func clipText(_ outcome: ToolOutcome) -> ToolOutcome {
        let room = maximumCharacters - size("", outcome.structured)
        guard outcome.text.count > max(room, 0) else { return outcome }
        let marker = "\n… [clipped to fit the tool-result budget; ask for less, e.g. a smaller limit or max_tokens]"
        let kept = String(outcome.text.prefix(max(0, room - marker.count)))
        return ToolOutcome(text: kept + marker, structured: outcome.structured, isError: outcome.isError)
    }

    /// Every memory object (one with an `id` and a `content` string) with its content cut to `limit` characters.
    static func clippingContents(_ value: JSONValue, to limit: Int) -> JSONValue {
        switch value {
        case .array(let items):
            return .array(items.map { clippingContents($0, to: limit) })
        case .object(var object):
            if case .string(let content)? = object["content"], case .string(let id)? = object["id"], content.count > limit {
                let whole = object["content_length"]?.numberValue.map(Int.init) ?? content.count
                object["content"] = .string(String(content.prefix(limit)) + "… [clipped: \(limit) of \(whole) characters; get_memory with memory_id \(id) returns it whole]")
                object["content_clipped"] = true
                object["content_length"] = .int(Int64(whole))
                return .object(object)
            }
            for (key, member) in object { object[key] = clippingContents(member, to: limit) }
            return .object(object)
        default:
            return value
        }
    }

    /// The value with its longest string (over 200 characters) cut to half, with a marker; nil when none is that long.
    static func halvingLongestString(_ value: JSONValue) -> JSONValue? {
        func longest(_ value: JSONValue) -> Int {
            switch value {
            case .string(let text): text.count
            case .array(let items): items.map(longest).max() ?? 0
            case .object(let object): object.values.map(longest).max() ?? 0
            default: 0
            }
        }
        let target = longest(value)
        guard target > 200 else { return nil }
        var done = false
        func cut(_ value: JSONValue) -> JSONValue {
            guard !done else { return value }
            switch value {
            case .string(let text) where text.count == target:
                done = true
                return .string(String(text.prefix(target / 2)) + "… [clipped to fit the tool-result budget]")
            case .array(let items):
                return .array(items.map(cut))
            case .object(var object):
                for key in object.keys.sorted() { object[key] = cut(object[key]!) }
                return .object(object)
            default:
                return value
            }
        }
        return cut(value)
    }

    /// The value with one item fewer in its longest list of memories or sessions; nil when none is left to drop.
    static func droppingOne(_ value: JSONValue) -> JSONValue? {
        guard case .object(var object) = value else { return nil }
        let listKeys = ["results", "memories", "sessions", "most_accessed"]
        // The longest droppable list here, or in the nested sections of a context.
        var best: (key: String, count: Int)?
        for key in listKeys {
            if case .array(let items)? = object[key], !items.isEmpty, items.count > (best?.count ?? 0) { best = (key, items.count) }
        }
        if case .array(var sections)? = object["sections"] {
            var longest: (index: Int, count: Int)?
            for (index, section) in sections.enumerated() {
                if case .array(let items)? = section.objectValue?["memories"], !items.isEmpty, items.count > (longest?.count ?? 0) {
                    longest = (index, items.count)
                }
            }
            if let longest, longest.count >= (best?.count ?? 0), let shorter = droppingOne(sections[longest.index]) {
                sections[longest.index] = shorter
                object["sections"] = .array(sections)
                return .object(object)
            }
        }
        guard let best, case .array(var items)? = object[best.key] else { return nil }
        items.removeLast()
        object[best.key] = .array(items)
        let omitted = (object["omitted"]?.numberValue.map(Int.init) ?? 0) + 1
        object["omitted"] = .int(Int64(omitted))
        return .object(object)
    }
}
