import MemoryCore
import Foundation

/// One turn of a Claude Code conversation worth remembering: a prompt the user typed, or an
/// answer of the assistant (its text blocks joined, with the files its tools touched).
package struct TranscriptTurn: Sendable, Hashable {
    package enum Role: String, Sendable {
        case user, assistant
    }

    /// Stable across reads of the same transcript: the entry's `uuid` (for an assistant answer
    /// split over several entries, its message id), else a hash of the entry. Kept in the
    /// memory's metadata as `transcript_entry`, so a turn is stored once.
    package var id: String
    package var role: Role
    package var text: String
    package var timestamp: String?
    /// Files named by the answer's tool calls (`file_path`, `path`, `notebook_path`).
    package var files: [String]
    /// Names of the tools the answer called.
    package var tools: [String]

    package init(id: String, role: Role, text: String, timestamp: String? = nil, files: [String] = [], tools: [String] = []) {
        self.id = id
        self.role = role
        self.text = text
        self.timestamp = timestamp
        self.files = files
        self.tools = tools
    }
}

/// Reads a Claude Code transcript (JSON lines) into the turns worth remembering.
///
/// Kept: what the user typed, and the text the assistant answered. Left out: tool results,
/// thinking, sidechains (subagents), meta and system entries, slash-command plumbing, the
/// summary Claude Code writes when it compacts, and everything MemoryHub itself injected
/// (between `<memoryhub-context>` markers), so memories never feed on themselves. Lines that are
/// not JSON (a partly written last line, say) are skipped.
package struct TranscriptReader: Sendable {
    /// Marks context MemoryHub injected; the reader drops everything between the two.
    package static let openMarker = "<memoryhub-context>"
    package static let closeMarker = "</memoryhub-context>"

    /// Texts shorter than this (after cleaning) are not worth a memory ("ok", "thanks").
    package var minimumCharacters: Int = 8

    package init(minimumCharacters: Int = 8) {
        self.minimumCharacters = minimumCharacters
    }

    package func turns(atPath path: String) throws -> [TranscriptTurn] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MemoryHubError.notFound("The transcript \(path) could not be read.")
        }
        return turns(in: data)
    }

    package func turns<Bytes: Collection<UInt8>>(in bytes: Bytes) -> [TranscriptTurn] where Bytes.Index == Int {
        var result: [TranscriptTurn] = []
        var lineStart = bytes.startIndex
        var index = bytes.startIndex
        func take(_ line: Bytes.SubSequence) {
            guard !line.isEmpty, let entry = try? JSONParser.parse(line), case .object(let object) = entry else { return }
            guard let turn = Self.turn(of: object) else { return }
            // An answer is written as one entry per content block, all with the message's id.
            if turn.role == .assistant, let last = result.last, last.role == .assistant, last.id == turn.id {
                result[result.count - 1] = TranscriptTurn(
                    id: last.id, role: .assistant, text: [last.text, turn.text].filter { !$0.isEmpty }.joined(separator: "\n\n"),
                    timestamp: last.timestamp ?? turn.timestamp, files: last.files.addingUnique(turn.files),
                    tools: last.tools.addingUnique(turn.tools))
            } else {
                result.append(turn)
            }
        }
        while index < bytes.endIndex {
            if bytes[index] == 0x0A {
                take(bytes[lineStart..<index])
                lineStart = index + 1
            }
            index += 1
        }
        if lineStart < bytes.endIndex { take(bytes[lineStart..<bytes.endIndex]) }
        return result.compactMap { turn in
            var cleaned = turn
            cleaned.text = turn.text.trimmingCharacters(in: .whitespacesAndNewlines)
            return cleaned.text.count >= minimumCharacters ? cleaned : nil
        }
    }

    /// The turn an entry holds, or nil for entries that are not conversation.
    static func turn(of entry: JSONObject) -> TranscriptTurn? {
        guard let type = entry["type"]?.stringValue, type == "user" || type == "assistant" else { return nil }
        for flag in ["isSidechain", "isMeta", "isCompactSummary", "isVisibleInTranscriptOnly"] where entry[flag] == .bool(true) {
            return nil
        }
        guard let message = entry["message"]?.objectValue else { return nil }
        let timestamp = entry["timestamp"]?.stringValue
        if type == "user" {
            let text: String
            switch message["content"] {
            case .string(let content)?: text = content
            case .array(let blocks)?:
                text = blocks.compactMap { block -> String? in
                    guard let object = block.objectValue, object["type"]?.stringValue == "text" else { return nil }
                    return object["text"]?.stringValue
                }.joined(separator: "\n")
            default: return nil
            }
            guard let cleaned = cleanUserText(text) else { return nil }
            return TranscriptTurn(id: entryID(entry, role: "user", text: cleaned), role: .user, text: cleaned, timestamp: timestamp)
        }
        guard case .array(let blocks)? = message["content"] else {
            if let content = message["content"]?.stringValue, let cleaned = stripInjected(content) {
                return TranscriptTurn(id: assistantID(entry, message, text: cleaned), role: .assistant, text: cleaned, timestamp: timestamp)
            }
            return nil
        }
        var texts: [String] = []
        var files: [String] = []
        var tools: [String] = []
        for block in blocks {
            guard let object = block.objectValue else { continue }
            switch object["type"]?.stringValue {
            case "text":
                if let text = object["text"]?.stringValue, let cleaned = stripInjected(text) { texts.append(cleaned) }
            case "tool_use":
                if let name = object["name"]?.stringValue { tools = tools.addingUnique([name]) }
                if let input = object["input"]?.objectValue {
                    for key in ["file_path", "path", "notebook_path"] {
                        if let file = input[key]?.stringValue, !file.isEmpty { files = files.addingUnique([file]) }
                    }
                }
            default:
                continue
            }
        }
        let text = texts.joined(separator: "\n\n")
        if text.isEmpty && files.isEmpty { return nil }
        return TranscriptTurn(
            id: assistantID(entry, message, text: text), role: .assistant, text: text, timestamp: timestamp, files: files, tools: tools)
    }

    /// A user text worth keeping: without injected context, and not Claude Code's own plumbing.
    static func cleanUserText(_ text: String) -> String? {
        guard let stripped = stripInjected(text) else { return nil }
        let tags = ["<command-name>", "<command-message>", "<local-command-stdout>", "<local-command-stderr>"]
        let prefixes = [
            "[Request interrupted by user", "Caveat: The messages below were generated by the user while running local commands",
            "This session is being continued from a previous conversation",
        ]
        if tags.contains(where: { stripped.contains($0) }) || prefixes.contains(where: { stripped.hasPrefix($0) }) { return nil }
        return stripped
    }

    /// Removes MemoryHub's injected context and Claude Code's system reminders; nil when nothing is left.
    static func stripInjected(_ text: String) -> String? {
        var result = removeRegions(of: text, open: openMarker, close: closeMarker)
        result = removeRegions(of: result, open: "<system-reminder>", close: "</system-reminder>")
        let trimmed = result.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Everything outside `open ... close`; an unclosed `open` drops the rest of the text.
    static func removeRegions(of text: String, open: String, close: String) -> String {
        guard text.contains(open) else { return text }
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: open) {
            result += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            guard let end = after.range(of: close) else { return result }
            rest = after[end.upperBound...]
        }
        return result + rest
    }

    private static func entryID(_ entry: JSONObject, role: String, text: String) -> String {
        if let uuid = entry["uuid"]?.stringValue, !uuid.isEmpty { return uuid }
        return "sha:" + StableHash.hex(role + "\u{0}" + (entry["timestamp"]?.stringValue ?? "") + "\u{0}" + text)
    }

    private static func assistantID(_ entry: JSONObject, _ message: JSONObject, text: String) -> String {
        if let id = message["id"]?.stringValue, !id.isEmpty { return "message:" + id }
        return entryID(entry, role: "assistant", text: text)
    }
}

/// FNV-1a, 64 bits: a stable id for transcript entries that carry none (not for security).
enum StableHash {
    static func hex(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
