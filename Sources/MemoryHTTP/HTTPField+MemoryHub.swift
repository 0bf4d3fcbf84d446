import HTTPTypes

/// The header fields of API.md that HTTP itself does not name.
extension HTTPField.Name {
    /// How many items a list has in all, beyond the page returned.
    static let totalCount = HTTPField.Name("X-Total-Count")!
    /// The user a request acts for in `local` mode (an API key names it otherwise).
    static let userID = HTTPField.Name("X-User-ID")!
    /// A key presented without the Bearer scheme.
    static let apiKey = HTTPField.Name("X-API-Key")!
}
