/// The parts of a service URL, `scheme://[user[:password]@]host[:port][/path][?query][#fragment]`
/// (RFC 3986's generic syntax as database and cache URLs use it), with user, password, host, path
/// and query percent-decoded. The one parser behind `PostgresMemoryStore.Configuration(url:)` and
/// `RedisConfiguration(url:)`; each checks the scheme, path and parameters it accepts.
///
/// An IPv6 host goes in brackets (`redis://[::1]:6379`); the brackets are not part of `host`.
package struct ServiceURL: Sendable {
    /// The scheme, lower-cased (`postgres`, `redis`).
    package var scheme: String
    /// The user name; nil when the URL has none or an empty one.
    package var user: String?
    /// The password; nil without a `:` in the user information, empty for `user:@host`.
    package var password: String?
    /// The host name or address; never empty.
    package var host: String
    /// The port; nil when the URL names none.
    package var port: Int?
    /// Everything after the first `/` that follows the host, decoded; empty when there is none.
    package var path: String
    /// The query's `name=value` pairs, decoded, in order (a pair without `=` has an empty value).
    package var query: [(name: String, value: String)]
    /// True when the URL has a `#fragment` (which is otherwise ignored).
    package var hasFragment: Bool

    /// Which part of a URL a problem is in.
    package enum Part: String, Sendable {
        case user = "the user name", password = "the password", host = "the host", path = "the path"
        case parameterName = "a parameter name", parameterValue = "a parameter value"
    }

    /// Why a URL could not be parsed. Descriptions never contain the URL (it may hold a password).
    package enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// No `scheme://`.
        case missingScheme
        /// A `%` not followed by two hex digits.
        case malformedPercentEscape(Part)
        /// Percent-decoding gave bytes that are not UTF-8.
        case notUTF8(Part)
        /// `[` without `]`.
        case unterminatedIPv6Address
        /// Something other than `:port` after `]`.
        case textAfterIPv6Address
        /// More than one `:` in a host without brackets.
        case unbracketedIPv6Address
        /// Nothing between `//` (or `@`) and the port or path.
        case missingHost
        /// A port that is not a number from 1 to 65535.
        case invalidPort

        package var description: String {
            switch self {
            case .missingScheme: "the URL has no scheme://"
            case .malformedPercentEscape(let part): "malformed percent escape in \(part.rawValue)"
            case .notUTF8(let part): "\(part.rawValue) is not UTF-8 after percent-decoding"
            case .unterminatedIPv6Address: "unterminated IPv6 address"
            case .textAfterIPv6Address: "unexpected text after the IPv6 address"
            case .unbracketedIPv6Address: "an IPv6 address must be in brackets"
            case .missingHost: "missing host"
            case .invalidPort: "the port must be a number from 1 to 65535"
            }
        }
    }

    /// Parses `text`.
    package init(parsing text: String) throws(ParseError) {
        guard let schemeEnd = text.firstRange(of: "://") else { throw .missingScheme }
        scheme = text[..<schemeEnd.lowerBound].lowercased()
        var rest = text[schemeEnd.upperBound...]
        hasFragment = false
        if let hash = rest.firstIndex(of: "#") {
            hasFragment = true
            rest = rest[..<hash]
        }
        var queryText: Substring = ""
        if let question = rest.firstIndex(of: "?") {
            queryText = rest[rest.index(after: question)...]
            rest = rest[..<question]
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        path = try Self.decoded(rest[authorityEnd...].dropFirst(), .path)

        user = nil
        password = nil
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            let colon = userInfo.firstIndex(of: ":")
            let name = try Self.decoded(userInfo[..<(colon ?? userInfo.endIndex)], .user)
            user = name.isEmpty ? nil : name
            if let colon { password = try Self.decoded(userInfo[userInfo.index(after: colon)...], .password) }
        }

        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .unterminatedIPv6Address }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let afterHost = authority[authority.index(after: close)...]
            if !afterHost.isEmpty {
                guard afterHost.hasPrefix(":") else { throw .textAfterIPv6Address }
                portText = afterHost.dropFirst()
            }
        } else {
            let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw .unbracketedIPv6Address }
            host = try Self.decoded(parts[0], .host)
            portText = parts.count == 2 ? parts[1] : nil
        }
        guard !host.isEmpty else { throw .missingHost }
        port = nil
        if let portText {
            guard !portText.isEmpty, portText.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let number = Int(portText),
                  (1...65535).contains(number)
            else { throw .invalidPort }
            port = number
        }

        query = []
        for pair in queryText.split(separator: "&") {
            let equals = pair.firstIndex(of: "=")
            let name = try Self.decoded(pair[..<(equals ?? pair.endIndex)], .parameterName)
            var value = ""
            if let equals { value = try Self.decoded(pair[pair.index(after: equals)...], .parameterValue) }
            query.append((name, value))
        }
    }

    /// Decodes `%XX` escapes (RFC 3986 §2.1).
    static func decoded(_ text: Substring, _ part: Part) throws(ParseError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw .malformedPercentEscape(part)
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else { throw .notUTF8(part) }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
