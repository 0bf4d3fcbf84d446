import Hummingbird
import MemoryCore
import Foundation

/// The fields of a URL query or an `application/x-www-form-urlencoded` body, in order; a name
/// may repeat (checkboxes).
struct PageForm: Sendable {
    private(set) var fields: [(name: String, value: String)] = []

    /// Parses `name=value&...` (`+` is a space; percent escapes decoded; malformed escapes kept as typed).
    init(encoded text: Substring) {
        for pair in text.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            fields.append((Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : ""))
        }
    }

    /// The request's query.
    init(query request: Request) {
        self.init(encoded: Substring(request.uri.query ?? ""))
    }

    /// The request's form body, read up to `limit` bytes (413 past it).
    static func body(of request: Request, limit: Int) async throws -> PageForm {
        let buffer = try await request.body.collect(upTo: limit)
        return PageForm(encoded: Substring(String(buffer: buffer)))
    }

    /// The first value named `name`, without outer white space; nil when absent or blank.
    subscript(_ name: String) -> String? {
        guard let value = fields.first(where: { $0.name == name })?.value.trimmingCharacters(in: .whitespacesAndNewlines),
              !value.isEmpty
        else { return nil }
        return value
    }

    /// The first value named `name` exactly as sent (a memory's content keeps its white space).
    func raw(_ name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// Every non-blank value named `name`.
    func all(_ name: String) -> [String] {
        fields.filter { $0.name == name }.map { $0.value.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A comma-separated list field as its items, blanks dropped.
    /// The `page` parameter: 1 when absent; a whole number from 1 to ``maximumPage``, or a 422
    /// (so that no page number can overflow an offset).
    func page() throws -> Int {
        guard let text = self["page"] else { return 1 }
        guard let page = Int(text), (1...Self.maximumPage).contains(page) else {
            throw MemoryHubError.invalidField("page", "page must be a whole number from 1 to \(Self.maximumPage).")
        }
        return page
    }

    static let maximumPage = 100_000

    func list(_ name: String) -> [String] {
        (raw(name) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

/// A page address with its query, each value percent-encoded.
enum PageLink {
    private static let allowed: CharacterSet = {
        var set = CharacterSet.alphanumerics
        set.insert(charactersIn: "-._~")
        return set
    }()

    /// `path?name=value&...`, leaving out nil and empty values.
    static func make(_ path: String, _ query: [(String, String?)]) -> String {
        let pairs = query.compactMap { name, value -> String? in
            guard let value, !value.isEmpty else { return nil }
            return name + "=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        }
        return pairs.isEmpty ? path : path + "?" + pairs.joined(separator: "&")
    }
}
