/// The byte-level scan behind ``SecretRedactor``: one pass over UTF-8, each rule anchored at a
/// token boundary, look-ahead bounded. Multi-byte characters are never part of a secret, so every
/// finding starts and ends on an ASCII byte and slicing stays valid UTF-8.
struct SecretScanner {
    struct Finding: Equatable {
        var kind: SecretKind
        var range: Range<Int>
    }

    let bytes: [UInt8]
    var findings: [Finding] = []

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The longest value an assignment rule reads; longer literals are cut there.
    static let maximumValueLength = 512

    mutating func scan() {
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "-"), let end = privateKeyBlock(at: index) {
                findings.append(Finding(kind: .privateKey, range: index..<end))
                index = end
                continue
            }
            if byte == UInt8(ascii: ":"), index + 2 < count, bytes[index + 1] == UInt8(ascii: "/"), bytes[index + 2] == UInt8(ascii: "/") {
                // Resume after what the URL rule read, so no byte is read by it twice.
                index = max(index + 3, urlCredentials(at: index))
                continue
            }
            if Self.isKeyCharacter(byte), index == 0 || !Self.isKeyCharacter(bytes[index - 1]) {
                let end = word(at: index)
                if let token = prefixedToken(at: index) {
                    findings.append(token)
                    index = max(token.range.upperBound, index + 1)
                    continue
                }
                assignment(key: index..<end)
                authorizationCredential(scheme: index..<end)
                index = max(end, index + 1)
                continue
            }
            index += 1
        }
        if mentionsAWS() { bareAWSSecretKeys() }
    }

    // MARK: AWS secret keys without a name

    /// Whether the text talks about AWS (an access key id was found, or it says aws, IAM or S3).
    func mentionsAWS() -> Bool {
        if findings.contains(where: { $0.kind == .awsAccessKeyID }) { return true }
        let needles: [[UInt8]] = [Array("aws".utf8), Array("iam ".utf8), Array("s3 ".utf8), Array("secret access key".utf8)]
        return needles.contains { bytes.firstRange(ofCaseInsensitive: $0, from: 0) != nil }
    }

    /// In text about AWS, a free-standing 40-character run of base64 characters mixing upper case,
    /// lower case and digits is a secret access key (a CSV of credentials, `aws configure` output,
    /// a positional argument). Hex digests never mix cases, so commit ids stay.
    mutating func bareAWSSecretKeys() {
        func isKeyByte(_ byte: UInt8) -> Bool { Self.isAlphanumeric(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "+") }
        var index = 0
        while index < bytes.count {
            guard isKeyByte(bytes[index]) else {
                index += 1
                continue
            }
            let end = run(from: index, while: isKeyByte)
            let before = index > 0 ? bytes[index - 1] : 0x20
            let after = end < bytes.count ? bytes[end] : 0x20
            if end - index == 40, before != UInt8(ascii: "="), after != UInt8(ascii: "="), !Self.isKeyCharacter(before),
                !Self.isKeyCharacter(after)
            {
                let run = bytes[index..<end]
                if run.contains(where: Self.isUpper), run.contains(where: { $0 >= 0x61 && $0 <= 0x7A }), run.contains(where: Self.isDigit),
                    !Self.isPlaceholder(run)
                {
                    findings.append(Finding(kind: .awsSecretAccessKey, range: index..<end))
                }
            }
            index = end
        }
    }

    // MARK: Character classes

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
    }
    static func isLetter(_ byte: UInt8) -> Bool { byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A }
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    static func isUpper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }
    /// Characters of key names and of most tokens: letters, digits, `_`, `-`, `.`.
    static func isKeyCharacter(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }
    static func isBase64URL(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    func word(at start: Int) -> Int {
        var end = start
        while end < bytes.count, Self.isKeyCharacter(bytes[end]) { end += 1 }
        return end
    }

    func run(from start: Int, while predicate: (UInt8) -> Bool) -> Int {
        var end = start
        while end < bytes.count, predicate(bytes[end]) { end += 1 }
        return end
    }

    func hasPrefix(_ prefix: StaticString, at index: Int, ignoringCase: Bool = false) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard index + length <= bytes.count else { return false }
        return prefix.withUTF8Buffer { buffer in
            for offset in 0..<length {
                let byte = bytes[index + offset], expected = buffer[offset]
                if ignoringCase ? byte | 0x20 != expected | 0x20 : byte != expected { return false }
            }
            return true
        }
    }

    // MARK: Provider tokens

    private struct TokenRule: Sendable {
        var prefix: StaticString
        var kind: SecretKind
        var body: @Sendable (UInt8) -> Bool
        var minimumLength: Int
        var maximumLength: Int = .max
    }

    private static let tokenRules: [TokenRule] = [
        TokenRule(prefix: "sk-ant-", kind: .anthropicKey, body: isBase64URL, minimumLength: 32),
        TokenRule(prefix: "sk-", kind: .openAIKey, body: isBase64URL, minimumLength: 20),
        TokenRule(prefix: "github_pat_", kind: .gitHubToken, body: { isAlphanumeric($0) || $0 == UInt8(ascii: "_") }, minimumLength: 30),
        TokenRule(prefix: "ghp_", kind: .gitHubToken, body: isAlphanumeric, minimumLength: 30),
        TokenRule(prefix: "gho_", kind: .gitHubToken, body: isAlphanumeric, minimumLength: 30),
        TokenRule(prefix: "ghu_", kind: .gitHubToken, body: isAlphanumeric, minimumLength: 30),
        TokenRule(prefix: "ghs_", kind: .gitHubToken, body: isAlphanumeric, minimumLength: 30),
        TokenRule(prefix: "ghr_", kind: .gitHubToken, body: isAlphanumeric, minimumLength: 30),
        TokenRule(prefix: "glpat-", kind: .gitLabToken, body: isBase64URL, minimumLength: 20),
        TokenRule(prefix: "xoxb-", kind: .slackToken, body: isBase64URL, minimumLength: 10),
        TokenRule(prefix: "xoxp-", kind: .slackToken, body: isBase64URL, minimumLength: 10),
        TokenRule(prefix: "xoxa-", kind: .slackToken, body: isBase64URL, minimumLength: 10),
        TokenRule(prefix: "xoxs-", kind: .slackToken, body: isBase64URL, minimumLength: 10),
        TokenRule(prefix: "xoxr-", kind: .slackToken, body: isBase64URL, minimumLength: 10),
        TokenRule(prefix: "xoxe-", kind: .slackToken, body: isBase64URL, minimumLength: 10),
        TokenRule(prefix: "sk_live_", kind: .stripeKey, body: isAlphanumeric, minimumLength: 16),
        TokenRule(prefix: "sk_test_", kind: .stripeKey, body: isAlphanumeric, minimumLength: 16),
        TokenRule(prefix: "rk_live_", kind: .stripeKey, body: isAlphanumeric, minimumLength: 16),
        TokenRule(prefix: "rk_test_", kind: .stripeKey, body: isAlphanumeric, minimumLength: 16),
        TokenRule(prefix: "whsec_", kind: .stripeKey, body: isAlphanumeric, minimumLength: 24),
        TokenRule(prefix: "AIza", kind: .googleAPIKey, body: isBase64URL, minimumLength: 30, maximumLength: 40),
        TokenRule(prefix: "AKIA", kind: .awsAccessKeyID, body: { isUpper($0) || isDigit($0) }, minimumLength: 16, maximumLength: 16),
        TokenRule(prefix: "ASIA", kind: .awsAccessKeyID, body: { isUpper($0) || isDigit($0) }, minimumLength: 16, maximumLength: 16),
        TokenRule(prefix: "ABIA", kind: .awsAccessKeyID, body: { isUpper($0) || isDigit($0) }, minimumLength: 16, maximumLength: 16),
        TokenRule(prefix: "ACCA", kind: .awsAccessKeyID, body: { isUpper($0) || isDigit($0) }, minimumLength: 16, maximumLength: 16),
        TokenRule(prefix: "hf_", kind: .huggingFaceToken, body: isAlphanumeric, minimumLength: 30),
        TokenRule(prefix: "npm_", kind: .npmToken, body: isAlphanumeric, minimumLength: 36),
        TokenRule(prefix: "mhk_", kind: .memoryHubKey, body: isBase64URL, minimumLength: 40),
    ]

    /// A provider token starting at `start`, a JWT or a SendGrid key.
    func prefixedToken(at start: Int) -> Finding? {
        let first = bytes[start]
        if first == UInt8(ascii: "e"), hasPrefix("eyJ", at: start) { return jsonWebToken(at: start) }
        if first == UInt8(ascii: "S"), hasPrefix("SG.", at: start) { return sendGridKey(at: start) }
        for rule in Self.tokenRules where rule.prefix.withUTF8Buffer({ $0.first == first }) && hasPrefix(rule.prefix, at: start) {
            let bodyStart = start + rule.prefix.utf8CodeUnitCount
            let end = run(from: bodyStart, while: rule.body)
            let length = end - bodyStart
            guard length >= rule.minimumLength, length <= rule.maximumLength else { continue }
            // A token glued to more token characters (`AKIA…` inside a longer word) is something else.
            if end < bytes.count, Self.isAlphanumeric(bytes[end]) { continue }
            let body = bytes[bodyStart..<end]
            if Self.isPlaceholder(body) { return nil }
            if rule.kind == .openAIKey, !(body.contains(where: Self.isDigit) && body.contains(where: Self.isLetter)) { return nil }
            return Finding(kind: rule.kind, range: start..<end)
        }
        return nil
    }

    /// `eyJ….eyJ….signature`: a JWT's header and payload are base64url JSON objects.
    func jsonWebToken(at start: Int) -> Finding? {
        let headerEnd = run(from: start, while: Self.isBase64URL)
        guard headerEnd - start >= 10, headerEnd < bytes.count, bytes[headerEnd] == UInt8(ascii: "."),
            hasPrefix("eyJ", at: headerEnd + 1)
        else { return nil }
        let payloadEnd = run(from: headerEnd + 1, while: Self.isBase64URL)
        guard payloadEnd - headerEnd - 1 >= 10, payloadEnd < bytes.count, bytes[payloadEnd] == UInt8(ascii: ".") else { return nil }
        let signatureEnd = run(from: payloadEnd + 1, while: Self.isBase64URL)
        return Finding(kind: .jwt, range: start..<signatureEnd)
    }

    /// `SG.<22>.<43>`.
    func sendGridKey(at start: Int) -> Finding? {
        let idEnd = run(from: start + 3, while: Self.isBase64URL)
        guard idEnd - start - 3 >= 16, idEnd < bytes.count, bytes[idEnd] == UInt8(ascii: ".") else { return nil }
        let secretEnd = run(from: idEnd + 1, while: Self.isBase64URL)
        guard secretEnd - idEnd - 1 >= 30 else { return nil }
        return Finding(kind: .sendGridKey, range: start..<secretEnd)
    }

    // MARK: Private keys

    /// `-----BEGIN [RSA |EC |OPENSSH |ENCRYPTED |DSA |PGP ]PRIVATE KEY[ BLOCK]-----` through the
    /// matching END line; an unterminated block runs to the end of the text (a truncated paste).
    func privateKeyBlock(at start: Int) -> Int? {
        guard hasPrefix("-----BEGIN ", at: start) else { return nil }
        var index = start + 11
        let lineLimit = min(bytes.count, index + 64)
        var headerEnd: Int?
        while index < lineLimit, bytes[index] != 0x0A {
            if hasPrefix("PRIVATE KEY", at: index) {
                let dashes = run(from: index + 11, while: { $0 != UInt8(ascii: "-") && $0 != 0x0A })
                if hasPrefix("-----", at: dashes) { headerEnd = dashes + 5 }
                break
            }
            index += 1
        }
        guard let headerEnd else { return nil }
        var search = headerEnd
        while search < bytes.count {
            if bytes[search] == UInt8(ascii: "-"), hasPrefix("-----END ", at: search) {
                var end = search + 9
                while end < bytes.count, bytes[end] != 0x0A {
                    if hasPrefix("-----", at: end) { return end + 5 }
                    end += 1
                }
                return end
            }
            search += 1
        }
        return bytes.count
    }

    // MARK: URLs

    /// At `://`: the password of `scheme://user:password@host`, or a whole Slack webhook URL.
    /// Returns where scanning may go on (after the webhook URL; else after `://`).
    mutating func urlCredentials(at colon: Int) -> Int {
        var schemeStart = colon
        while schemeStart > 0, colon - schemeStart < 32, Self.isAlphanumeric(bytes[schemeStart - 1]) || bytes[schemeStart - 1] == UInt8(ascii: "+")
            || bytes[schemeStart - 1] == UInt8(ascii: ".") || bytes[schemeStart - 1] == UInt8(ascii: "-")
        {
            schemeStart -= 1
        }
        let authorityStart = colon + 3
        guard colon - schemeStart >= 2 else { return authorityStart }
        let authorityEnd = run(from: authorityStart) { byte in
            !(byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") || Self.isWhitespace(byte)
                || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
                || byte == UInt8(ascii: "`"))
        }
        if hasPrefix("hooks.slack.com/services/", at: authorityStart) {
            let end = run(from: authorityStart) { !(Self.isWhitespace($0) || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") || $0 == UInt8(ascii: ")") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "`")) }
            if end - authorityStart > 40 { findings.append(Finding(kind: .slackToken, range: schemeStart..<end)) }
            return end
        }
        guard let at = bytes[authorityStart..<authorityEnd].lastIndex(of: UInt8(ascii: "@")),
            let separator = bytes[authorityStart..<at].firstIndex(of: UInt8(ascii: ":"))
        else { return authorityStart }
        let password = bytes[(separator + 1)..<at]
        guard !password.isEmpty, bytes[authorityStart] != UInt8(ascii: "["), !Self.isReference(password), !Self.isPlaceholder(password)
        else { return authorityStart }
        findings.append(Finding(kind: .passwordInURL, range: (separator + 1)..<at))
        return authorityStart
    }

    // MARK: Assignments

    /// `key` is a word; when it names a secret and is followed by a separator and a literal value,
    /// the value is a finding. Separators: `=`, `:`, `:=`, `=>`; a space after a `--flag`, after a
    /// Dockerfile `ENV`/`ARG` name or a Redis `requirepass`; `(` before a quoted random-looking
    /// literal (`bearer_auth("…")`); and, in prose, "password is/to <random-looking value>".
    mutating func assignment(key: Range<Int>) {
        if mySQLPasswordFlag(key) { return }
        var keyBytes = bytes[key]
        var flag = false
        while keyBytes.first == UInt8(ascii: "-") {
            keyBytes = keyBytes.dropFirst()
            flag = true
        }
        while keyBytes.last == UInt8(ascii: ".") || keyBytes.last == UInt8(ascii: "-") { keyBytes = keyBytes.dropLast() }
        guard keyBytes.count >= 3 else { return }
        let connectionStyle = key.lowerBound > 0 && bytes[key.lowerBound - 1] == UInt8(ascii: ";")
        // A key inside quotes ("api_key": …) closes its quote before the separator.
        var index = key.upperBound
        if index < bytes.count, key.lowerBound > 0, bytes[index] == bytes[key.lowerBound - 1],
            bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'")
        {
            index += 1
        }
        let afterKey = index
        while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        guard index < bytes.count else { return }
        let separator = bytes[index]
        var valueStart: Int
        var mustLookRandom = false
        var isEquals = false
        let words = Self.keyWords(Array(keyBytes))
        if separator == UInt8(ascii: "=") {
            guard !(index + 1 < bytes.count && (bytes[index + 1] == UInt8(ascii: "=") || bytes[index + 1] == UInt8(ascii: "~"))) else { return }
            valueStart = index + 1
            isEquals = index == afterKey
            if valueStart < bytes.count, bytes[valueStart] == UInt8(ascii: ">") { valueStart += 1 }
        } else if separator == UInt8(ascii: ":") {
            guard !(index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: ":")) else { return }
            valueStart = index + 1
            if valueStart < bytes.count, bytes[valueStart] == UInt8(ascii: "=") { valueStart += 1 }
        } else if separator == UInt8(ascii: "("), index == afterKey, index + 1 < bytes.count,
            bytes[index + 1] == UInt8(ascii: "\"") || bytes[index + 1] == UInt8(ascii: "'")
        {
            valueStart = index + 1
            mustLookRandom = true
        } else if index > afterKey,
            flag || ["requirepass", "masterauth"].contains(words.last ?? "") || keyFollowsLinePrefix(key.lowerBound, ["ENV", "ARG"])
        {
            valueStart = index
        } else if index > afterKey, ["password", "passphrase"].contains(words.last ?? ""),
            hasPrefix("is ", at: index, ignoringCase: true) || hasPrefix("to ", at: index, ignoringCase: true)
        {
            valueStart = index + 3
            mustLookRandom = true
        } else {
            return
        }
        guard var kind = Self.secretKind(forKey: Array(keyBytes), connectionStyle: connectionStyle) else { return }
        while valueStart < bytes.count, Self.isSpace(bytes[valueStart]) { valueStart += 1 }
        guard var value = literalValue(at: valueStart) else { return }
        let terminatedBySemicolon = value.range.upperBound < bytes.count && bytes[value.range.upperBound] == UInt8(ascii: ";")
        let isConnection = kind == .connectionString || connectionStyle || (terminatedBySemicolon && isEquals && !value.quoted)
        // ODBC quotes a value in braces: PWD={…};
        if isConnection, !value.quoted, bytes[value.range.lowerBound] == UInt8(ascii: "{"),
            let close = bytes[value.range.lowerBound..<min(bytes.count, value.range.lowerBound + Self.maximumValueLength)]
                .firstIndex(of: UInt8(ascii: "}"))
        {
            value = ((value.range.lowerBound + 1)..<close, true)
        }
        let valueBytes = bytes[value.range]
        if mustLookRandom, !Self.looksRandom(valueBytes) { return }
        if !value.quoted, !isConnection, Self.looksLikeCode(valueBytes) { return }
        if words.last == "pwd", valueBytes.first == UInt8(ascii: "/") || valueBytes.first == UInt8(ascii: "~") { return }
        guard valueBytes.count >= (isConnection ? 1 : 4), !Self.isReference(valueBytes), !Self.isPlaceholder(valueBytes) else { return }
        if kind == .secretAssignment, isConnection { kind = .connectionString }
        findings.append(Finding(kind: kind, range: value.range))
    }

    /// MySQL's `-pSECRET` / `-p'SECRET'` (the password glued to the flag) on a mysql command line.
    mutating func mySQLPasswordFlag(_ word: Range<Int>) -> Bool {
        guard word.count >= 2, bytes[word.lowerBound] == UInt8(ascii: "-"), bytes[word.lowerBound + 1] == UInt8(ascii: "p"),
            word.lowerBound == 0 || Self.isSpace(bytes[word.lowerBound - 1]),
            lineContains("mysql", around: word.lowerBound) || lineContains("mariadb", around: word.lowerBound)
        else { return false }
        let start = word.lowerBound + 2
        guard start < bytes.count, let value = literalValue(at: start), value.range.count >= 4 else { return false }
        guard !Self.isReference(bytes[value.range]), !Self.isPlaceholder(bytes[value.range]) else { return false }
        findings.append(Finding(kind: .secretAssignment, range: value.range))
        return true
    }

    /// Whether the line holding `position` contains `needle` (looking at most 256 bytes either side).
    func lineContains(_ needle: StaticString, around position: Int) -> Bool {
        var index = position
        while index > 0, bytes[index - 1] != 0x0A, position - index < 256 { index -= 1 }
        let limit = min(bytes.count, position + 256)
        while index < limit, bytes[index] != 0x0A {
            if hasPrefix(needle, at: index) { return true }
            index += 1
        }
        return false
    }

    /// Whether the word at `position` directly follows one of `words` at the start of its line
    /// (Dockerfile `ENV NAME value`).
    func keyFollowsLinePrefix(_ position: Int, _ words: [StaticString]) -> Bool {
        var lineStart = position
        while lineStart > 0, bytes[lineStart - 1] != 0x0A, position - lineStart < 256 { lineStart -= 1 }
        while lineStart < position, Self.isSpace(bytes[lineStart]) { lineStart += 1 }
        return words.contains { word in
            guard hasPrefix(word, at: lineStart) else { return false }
            var index = lineStart + word.utf8CodeUnitCount
            guard index < position, Self.isSpace(bytes[index]) else { return false }
            while index < position, Self.isSpace(bytes[index]) { index += 1 }
            return index == position
        }
    }

    /// A value that reads as generated or chosen to be hard to guess: letters and digits, at least
    /// six characters (prose says "set the password to something long", not a secret).
    static func looksRandom(_ value: ArraySlice<UInt8>) -> Bool {
        value.count >= 6 && value.contains(where: isDigit) && value.contains(where: isLetter)
    }

    /// The literal at `start`: a quoted string on one line (without its quotes), or an unquoted run
    /// up to whitespace or a delimiter; at most ``maximumValueLength`` bytes.
    func literalValue(at start: Int) -> (range: Range<Int>, quoted: Bool)? {
        guard start < bytes.count else { return nil }
        let limit = min(bytes.count, start + Self.maximumValueLength)
        let quote = bytes[start]
        if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") || quote == UInt8(ascii: "`") {
            var end = start + 1
            while end < limit, bytes[end] != quote, bytes[end] != 0x0A { end += 1 }
            guard end > start + 1 else { return nil }
            return ((start + 1)..<end, true)
        }
        var end = start
        while end < limit {
            let byte = bytes[end]
            if Self.isWhitespace(byte) || byte == UInt8(ascii: ",") || byte == UInt8(ascii: ";") || byte == UInt8(ascii: ")")
                || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
                || byte == UInt8(ascii: "`")
            {
                break
            }
            end += 1
        }
        guard end > start else { return nil }
        return (start..<end, false)
    }

    /// Which kind a value assigned to `key` is, or nil when the name says nothing secret.
    /// The name is split into words (`DB_PASSWORD`, `dbPassword`, `db-password`, `db.password` all
    /// give `db password`) and its last word decides: password, passwd, passphrase, secret, token,
    /// credential(s), or key after api/access/secret/private/account/auth/signing/encryption/master.
    static func secretKind(forKey key: [UInt8], connectionStyle: Bool) -> SecretKind? {
        let words = keyWords(key)
        guard let last = words.last else { return nil }
        let previous = words.count >= 2 ? words[words.count - 2] : ""
        let joined = words.joined(separator: "_")
        switch last {
        case "accountkey", "sharedaccesskey", "sharedaccesssignature":
            return .connectionString
        case "pwd":
            // OLDPWD is the shell's previous directory; a PWD whose value is a path is skipped by the caller.
            if connectionStyle { return .connectionString }
            guard previous != "old" else { return nil }
        case "password", "passwd", "passphrase", "secret", "credential", "credentials", "apikey", "secretkey", "accesskey",
            "privatekey", "authtoken", "accesstoken", "refreshtoken", "apitoken", "clientsecret", "requirepass", "masterauth":
            break
        case "auth":
            guard previous == "bearer" || previous == "basic" else { return nil }
        case _ where last.hasSuffix("password") || last.hasSuffix("passwd") || last.hasSuffix("secret"):
            // PGPASSWORD, MYSQL_PWD's cousins, clientsecret spelled as one word.
            break
        case "token":
            if ["page", "next", "continuation", "cancellation", "sync", "csrf", "xsrf", "max", "num", "total", "end", "start"].contains(previous) {
                return nil
            }
        case "key":
            guard ["api", "access", "secret", "private", "account", "auth", "signing", "encryption", "master", "client", "shared", "license"]
                .contains(previous)
            else { return nil }
            if previous == "account" || previous == "shared" { return connectionStyle ? .connectionString : .secretAssignment }
        default:
            return nil
        }
        if joined.contains("aws_secret") || joined.hasSuffix("secret_access_key") { return .awsSecretAccessKey }
        if connectionStyle, last == "password" { return .connectionString }
        return .secretAssignment
    }

    /// `DB_PASSWORD` → [db, password]; `apiKey` → [api, key]; `APIKey` → [api, key].
    static func keyWords(_ key: [UInt8]) -> [String] {
        var words: [String] = []
        var current: [UInt8] = []
        func flush() {
            if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self).lowercased()) }
            current.removeAll(keepingCapacity: true)
        }
        for (offset, byte) in key.enumerated() {
            if byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") {
                flush()
                continue
            }
            if isUpper(byte), let last = current.last {
                let nextIsLower = offset + 1 < key.count && key[offset + 1] >= 0x61 && key[offset + 1] <= 0x7A
                if !isUpper(last) || nextIsLower { flush() }
            }
            current.append(byte)
        }
        flush()
        return words
    }

    // MARK: Authorization headers

    /// `Bearer <token>` and `Basic <base64>` (the scheme is the word at `scheme`).
    mutating func authorizationCredential(scheme: Range<Int>) {
        let length = scheme.count
        guard length == 6 || length == 5 else { return }
        let isBearer = length == 6 && hasPrefix("bearer", at: scheme.lowerBound, ignoringCase: true)
        let isBasic = length == 5 && hasPrefix("basic", at: scheme.lowerBound, ignoringCase: true)
        guard isBearer || isBasic, scheme.upperBound < bytes.count, bytes[scheme.upperBound] == 0x20 else { return }
        let start = scheme.upperBound + 1
        let end = run(from: start) { byte in
            Self.isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "~") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
        }
        let token = bytes[start..<end]
        guard token.count >= (isBearer ? 16 : 12), token.contains(where: Self.isDigit), !Self.isPlaceholder(token) else { return }
        findings.append(Finding(kind: isBearer ? .bearerToken : .basicAuth, range: start..<end))
    }

    // MARK: Values that are not secrets

    /// `${VAR}`, `$VAR`, `$(cmd)`, `%(name)s`, `{{ var }}`, `#{var}`, `<password>`: a value taken
    /// from somewhere else, or a template slot.
    static func isReference(_ value: ArraySlice<UInt8>) -> Bool {
        guard let first = value.first else { return true }
        if first == UInt8(ascii: "$") || first == UInt8(ascii: "<") || first == UInt8(ascii: "%") || first == UInt8(ascii: "{") { return true }
        let text = String(decoding: value, as: UTF8.self)
        // A URL (`op://vault/item`, `vault://…`) names where the secret lives; a password inside
        // one is the URL rule's to find.
        return text.contains("${") || text.contains("{{") || text.contains("#{") || text.contains("\\(") || text.contains("://")
    }

    /// Documentation placeholders: `EXAMPLE`, `your…`, `xxxx`, `****`, `...`, `<…>`, `changeme`-free
    /// sameness (fewer than six distinct characters in a value of twelve or more).
    static func isPlaceholder(_ value: ArraySlice<UInt8>) -> Bool {
        let lower = String(decoding: value, as: UTF8.self).lowercased()
        if placeholderWords.contains(lower) { return true }
        for marker in ["example", "your", "xxxx", "****", "...", "placeholder", "redacted", "<", ">", "dummy", "sample", "replace_me", "replace-me", "insert"]
        where lower.contains(marker) {
            return true
        }
        if value.count >= 12 {
            var distinct = Set<UInt8>()
            for byte in value {
                distinct.insert(byte)
                if distinct.count >= 6 { return false }
            }
            return true
        }
        return false
    }

    /// Values that only name what belongs there (`postgres://user:password@host`).
    static let placeholderWords: Set<String> = [
        "password", "passwd", "pass", "pwd", "secret", "token", "pw", "user", "username", "apikey", "api_key", "key", "null",
        "none", "nil", "undefined", "true", "false",
    ]

    /// An unquoted value that reads as code rather than a literal: a call, a subscript, a keyword,
    /// a bare variable or type name, or a dotted member path (`os.environ`, `process.env.KEY`).
    static func looksLikeCode(_ value: ArraySlice<UInt8>) -> Bool {
        if value.contains(UInt8(ascii: "(")) || value.contains(UInt8(ascii: "[")) { return true }
        let isIdentifierish = value.allSatisfy { isLetter($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "!") }
        if isIdentifierish, value.count <= 20 || value.contains(UInt8(ascii: "_")) { return true }
        // Dotted member paths (`os.environ`, `process.env.KEY`, `var.db_password`): identifier
        // segments without digits (a password like `k8j95Y.jet_t8` has them).
        if value.contains(UInt8(ascii: ".")) {
            let segments = value.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            if segments.count >= 2, segments.allSatisfy({ segment in
                !segment.isEmpty && segment.allSatisfy { isLetter($0) || $0 == UInt8(ascii: "_") }
            }) {
                return true
            }
        }
        return false
    }
}
