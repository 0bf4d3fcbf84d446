package import MemoryCore

/// The input rules every capture route (API-more.md "Conventions") shares: texts of at most
/// 256 KiB and arrays of at most 1000 items (422 naming the field), bigger bodies 413 at the door.
package enum CaptureInput {
    /// Largest `text`/`content`, in UTF-8 bytes.
    package static let maximumTextBytes = 256 * 1024
    /// Most items in one array field.
    package static let maximumItems = 1000

    /// A required text field within the size limit.
    package static func text(_ fields: JSONFields, _ name: String, allowEmpty: Bool = true) throws -> String {
        let text = try fields.requiredString(name)
        return try checked(text, name, allowEmpty: allowEmpty)
    }

    /// `text` checked against the size limit (and, unless allowed, emptiness).
    package static func checked(_ text: String, _ name: String, allowEmpty: Bool = true) throws -> String {
        guard text.utf8.count <= maximumTextBytes else {
            throw MemoryHubError.invalidField(name, "\(name) may hold at most \(maximumTextBytes) bytes of UTF-8.")
        }
        if !allowEmpty, text.allSatisfy(\.isWhitespace) {
            throw MemoryHubError.invalidField(name, "\(name) must not be empty.")
        }
        return text
    }

    /// An array field of objects, 1...1000 items (or up to 1000 when `required` is false).
    package static func objects(_ fields: JSONFields, _ name: String, required: Bool = true) throws -> [JSONObject] {
        guard let items = try fields.array(name) else {
            if required { throw MemoryHubError.invalidField(name, "\(name) is required.") }
            return []
        }
        return try objects(items, name, required: required)
    }

    /// `items` as objects, 1...1000 of them (or up to 1000 when `required` is false).
    package static func objects(_ items: [JSONValue], _ name: String, required: Bool = true) throws -> [JSONObject] {
        if required, items.isEmpty { throw MemoryHubError.invalidField(name, "\(name) must hold at least one item.") }
        guard items.count <= maximumItems else {
            throw MemoryHubError.invalidField(name, "\(name) may hold at most \(maximumItems) items.")
        }
        return try items.enumerated().map { index, item in
            guard case .object(let object) = item else {
                throw MemoryHubError.invalidField(name, "Item \(index) of \(name) must be a JSON object.")
            }
            return object
        }
    }

    /// Longest term of `entities`/`custom_entities`, in characters: matching walks up to the
    /// longest term from every word, so the terms' length bounds the work.
    package static let maximumTermCharacters = 255

    /// An optional array of strings, at most 1000, each at most 255 characters.
    package static func strings(_ fields: JSONFields, _ name: String) throws -> [String] {
        let strings = try fields.strings(name) ?? []
        guard strings.count <= maximumItems else {
            throw MemoryHubError.invalidField(name, "\(name) may hold at most \(maximumItems) items.")
        }
        guard strings.allSatisfy({ $0.count <= maximumTermCharacters }) else {
            throw MemoryHubError.invalidField(name, "Each item of \(name) may hold at most \(maximumTermCharacters) characters.")
        }
        return strings
    }

    /// The chunk's own `entities` (enrich-chunks, extract-from-chunks), with the same bounds.
    package static func terms(_ value: JSONValue?, field: String) throws -> [String] {
        let strings = value?.arrayValue?.compactMap(\.stringValue) ?? []
        guard strings.count <= maximumItems, strings.allSatisfy({ $0.count <= maximumTermCharacters }) else {
            throw MemoryHubError.invalidField(field, "A chunk's entities may hold at most \(maximumItems) terms of at most \(maximumTermCharacters) characters.")
        }
        return strings
    }

    /// A chunk of the `*-chunks` routes, with its checked `content`.
    package struct Chunk {
        /// Its place in the request's array.
        package var index: Int
        /// The chunk as sent (its other keys are kept by enrich-chunks).
        package var object: JSONObject
        package var content: String
        package var metadata: JSONObject { object["metadata"]?.objectValue ?? [:] }
    }

    /// `chunks`* of the enrich-chunks routes: every chunk must have `content` (else 422 naming it).
    package static func contentChunks(_ fields: JSONFields) throws -> [Chunk] {
        try objects(fields, "chunks").enumerated().map { index, chunk in
            guard let content = chunk["content"]?.stringValue else {
                throw MemoryHubError.invalidField("chunks", "Chunk \(index) has no content.")
            }
            return Chunk(index: index, object: chunk, content: try checked(content, "chunks"))
        }
    }

    /// The bare array body of the extract-from-chunks routes (400 when it is not an array): how
    /// many chunks it holds, and those with text, keeping their indexes.
    package static func bareChunks(_ body: JSONValue?) throws -> (count: Int, chunks: [Chunk]) {
        guard case .array(let items) = body else {
            throw MemoryHubError.malformed("The request body must be a JSON array of chunks.")
        }
        let chunks = try objects(items, "chunks", required: false)
        let withText = try chunks.enumerated().compactMap { index, chunk -> Chunk? in
            guard let content = chunk["content"]?.stringValue, !content.allSatisfy(\.isWhitespace) else { return nil }
            return Chunk(index: index, object: chunk, content: try checked(content, "chunks"))
        }
        return (chunks.count, withText)
    }
}
