import MemoryCore

/// Field checks shared by every interface (HTTP, MCP, CLI). Errors name the API field.
enum Validation {
    static func identifier(_ value: String, field: String) throws -> String {
        guard !value.isEmpty, value.count <= 255 else {
            throw MemoryHubError.invalidField(field, "\(field) must be 1 to 255 characters long.")
        }
        return value
    }

    static func optionalIdentifier(_ value: String?, field: String) throws -> String? {
        try value.map { try identifier($0, field: field) }
    }

    static func unitInterval(_ value: Double?, field: String) throws -> Double? {
        guard let value else { return nil }
        guard value.isFinite, (0...1).contains(value) else {
            throw MemoryHubError.invalidField(field, "\(field) must be between 0 and 1.")
        }
        return value
    }

    static func strings(_ values: [String], field: String, maxCount: Int = 100, maxLength: Int = 255) throws -> [String] {
        guard values.count <= maxCount else {
            throw MemoryHubError.invalidField(field, "\(field) may hold at most \(maxCount) items.")
        }
        for value in values where value.isEmpty || value.count > maxLength {
            throw MemoryHubError.invalidField(field, "Each item of \(field) must be 1 to \(maxLength) characters long.")
        }
        return values
    }

    static func content(_ value: String, maxBytes: Int, field: String = "content") throws -> String {
        guard !value.isEmpty else { throw MemoryHubError.invalidField(field, "\(field) must not be empty.") }
        guard value.utf8.count <= maxBytes else {
            throw MemoryHubError.invalidField(field, "\(field) is longer than the limit of \(maxBytes) bytes.")
        }
        return value
    }

    static func paging(limit: Int, offset: Int, maxLimit: Int) throws {
        guard (1...maxLimit).contains(limit) else {
            throw MemoryHubError.invalidField("limit", "limit must be between 1 and \(maxLimit).")
        }
        guard offset >= 0 else { throw MemoryHubError.invalidField("offset", "offset must not be negative.") }
    }
}
