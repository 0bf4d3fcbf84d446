import MemoryCore
import Foundation

/// Field checks shared by every interface (HTTP, MCP, CLI). Errors name the API field.
///
/// Identifiers (user, project, client session id, tags, entities) refuse every control character
/// (Unicode category Cc: U+0000–U+001F and U+007F–U+009F): they are compared byte for byte and
/// shown in lists, where an invisible character can only mislead. User, project and client session
/// ids must also be in NFC (see `isNFC`). Free text (content, summary,
/// metadata) may hold any character but U+0000, which the stores refuse themselves
/// (`StoredTextCheck`) so that no write path can store less than it acknowledged.
package enum Validation {
    package static func identifier(_ value: String, field: String) throws -> String {
        guard !value.isEmpty, value.count <= 255 else {
            throw MemoryHubError.invalidField(field, "\(field) must be 1 to 255 characters long.")
        }
        if let scalar = value.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            throw MemoryHubError.invalidField(
                field, "\(field) must not contain control characters (it contains U+\(hex(scalar))).")
        }
        guard isNFC(value) else {
            throw MemoryHubError.invalidField(
                field, "\(field) must be in Unicode normalization form C (NFC), e.g. é as U+00E9 rather than e + U+0301.")
        }
        return value
    }

    /// True when `value` is its own NFC form, byte for byte. Swift compares strings by canonical
    /// equivalence while the stores compare bytes: two ids that differ only in composition would
    /// be one user to the in-process caches and indexes and two users to the store, so only the
    /// NFC spelling is accepted.
    static func isNFC(_ value: String) -> Bool {
        if value.utf8.allSatisfy({ $0 < 0x80 }) { return true }
        return value.utf8.elementsEqual(value.precomposedStringWithCanonicalMapping.utf8)
    }

    package static func optionalIdentifier(_ value: String?, field: String) throws -> String? {
        try value.map { try identifier($0, field: field) }
    }

    package static func unitInterval(_ value: Double?, field: String) throws -> Double? {
        guard let value else { return nil }
        guard value.isFinite, (0...1).contains(value) else {
            throw MemoryHubError.invalidField(field, "\(field) must be between 0 and 1.")
        }
        return value
    }

    package static func strings(_ values: [String], field: String, maxCount: Int = 100, maxLength: Int = 255) throws -> [String] {
        guard values.count <= maxCount else {
            throw MemoryHubError.invalidField(field, "\(field) may hold at most \(maxCount) items.")
        }
        for value in values where value.isEmpty || value.count > maxLength {
            throw MemoryHubError.invalidField(field, "Each item of \(field) must be 1 to \(maxLength) characters long.")
        }
        for value in values {
            if let scalar = value.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
                throw MemoryHubError.invalidField(
                    field, "Items of \(field) must not contain control characters (one contains U+\(hex(scalar))).")
            }
        }
        return values
    }

    package static func content(_ value: String, maxBytes: Int, field: String = "content") throws -> String {
        guard !value.isEmpty else { throw MemoryHubError.invalidField(field, "\(field) must not be empty.") }
        guard value.utf8.count <= maxBytes else {
            throw MemoryHubError.invalidField(field, "\(field) is longer than the limit of \(maxBytes) bytes.")
        }
        return value
    }

    /// Search and context query text: any character but U+0000, which no store can match.
    package static func queryText(_ value: String, field: String = "query") throws {
        if value.unicodeScalars.contains("\u{0}") {
            throw MemoryHubError.invalidField(field, "\(field) must not contain the character U+0000.")
        }
    }

    private static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    package static func paging(limit: Int, offset: Int, maxLimit: Int) throws {
        guard (1...maxLimit).contains(limit) else {
            throw MemoryHubError.invalidField("limit", "limit must be between 1 and \(maxLimit).")
        }
        guard offset >= 0 else { throw MemoryHubError.invalidField("offset", "offset must not be negative.") }
    }
}
