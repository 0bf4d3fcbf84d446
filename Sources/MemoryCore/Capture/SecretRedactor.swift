/// Finds secrets in text and replaces each with `[REDACTED:kind]`, and drops `<private>…</private>`
/// spans, so that neither reaches the store, the search index, an embedding, a cache or a log.
///
/// Recognised (see ``SecretKind``): provider tokens by their documented prefixes and lengths
/// (OpenAI, Anthropic, GitHub, GitLab, Slack, Stripe, Google, AWS, Hugging Face, npm, SendGrid,
/// MemoryHub), JWTs, PEM private key blocks, passwords in URLs, connection-string passwords and
/// account keys, literals assigned to secret-named keys (`*_PASSWORD`, `*_TOKEN`, `*_SECRET`,
/// `api_key`, …; in env files, shell, YAML, JSON, code and command-line flags), and `Bearer`/`Basic`
/// credentials. What is not redacted, on purpose: values that are references rather than literals
/// (`${DB_PASSWORD}`, `os.environ["TOKEN"]`, `getToken()`, a bare variable or type name),
/// documentation placeholders (anything containing `EXAMPLE`, `your`, `xxxx`, `<…>`, or with fewer
/// than six distinct characters), hashes, UUIDs and base64 blobs that no rule names, and any value
/// on the allow-list.
///
/// The scan works on UTF-8 bytes in one pass plus bounded look-ahead (at most 512 bytes per
/// assignment value): time is linear in the input, and no regular expression can backtrack.
package struct SecretRedactor: Sendable {
    /// Exact values never redacted (false positives an operator has vouched for).
    package var allowList: Set<String>

    /// A redactor; `allowList` holds exact values that must pass through.
    package init(allowList: Set<String> = []) {
        self.allowList = allowList
    }

    /// What one call found: the text to store and how many secrets of each kind it replaced.
    package struct Result: Sendable, Equatable {
        /// The text with secrets replaced and private spans removed.
        package var text: String
        /// Replacements made, per kind.
        package var counts: [SecretKind: Int]
        /// How many `<private>` spans were removed.
        package var privateSpans: Int

        /// Whether anything was replaced or removed.
        package var changed: Bool { !counts.isEmpty || privateSpans > 0 }
    }

    /// Redacts `text`: removes `<private>` spans, then replaces every secret found.
    package func redact(_ text: String) -> Result {
        var (bytes, privateSpans) = Self.removingPrivateSpans(Array(text.utf8))
        guard bytes.count >= 4 else {
            return Result(text: privateSpans == 0 ? text : String(decoding: bytes, as: UTF8.self), counts: [:], privateSpans: privateSpans)
        }
        var scanner = SecretScanner(bytes: bytes)
        scanner.scan()
        let findings = merged(scanner.findings, in: bytes)
        if findings.isEmpty {
            return Result(text: privateSpans == 0 ? text : String(decoding: bytes, as: UTF8.self), counts: [:], privateSpans: privateSpans)
        }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var counts: [SecretKind: Int] = [:]
        var position = 0
        for finding in findings {
            output.append(contentsOf: bytes[position..<finding.range.lowerBound])
            output.append(contentsOf: finding.kind.replacement.utf8)
            counts[finding.kind, default: 0] += 1
            position = finding.range.upperBound
        }
        output.append(contentsOf: bytes[position...])
        bytes = output
        return Result(text: String(decoding: bytes, as: UTF8.self), counts: counts, privateSpans: privateSpans)
    }

    /// Whether a key name says its value is a secret (`DB_PASSWORD`, `apiKey`, `client-secret`),
    /// used for metadata objects whose keys name what their string values are.
    package static func isSecretName(_ name: String) -> Bool {
        // A lone PWD names a directory far more often than a password.
        name.lowercased() != "pwd" && SecretScanner.secretKind(forKey: Array(name.utf8), connectionStyle: false) != nil
    }

    /// Whether a value is a documentation placeholder or a reference rather than a literal.
    package static func isPlaceholder(_ value: String) -> Bool {
        SecretScanner.isPlaceholder(Array(value.utf8)[...])
    }

    /// Findings sorted by start, overlapping ones joined into one region named by the most
    /// specific kind among them; allow-listed values dropped first.
    private func merged(_ findings: [SecretScanner.Finding], in bytes: [UInt8]) -> [SecretScanner.Finding] {
        var kept = findings
        if !allowList.isEmpty {
            kept.removeAll { allowList.contains(String(decoding: bytes[$0.range], as: UTF8.self)) }
        }
        kept.sort { $0.range.lowerBound < $1.range.lowerBound }
        var result: [SecretScanner.Finding] = []
        for finding in kept {
            if let last = result.last, finding.range.lowerBound < last.range.upperBound {
                let upper = max(last.range.upperBound, finding.range.upperBound)
                let kind = finding.kind.priority > last.kind.priority ? finding.kind : last.kind
                result[result.count - 1] = .init(kind: kind, range: last.range.lowerBound..<upper)
            } else {
                result.append(finding)
            }
        }
        return result
    }

    /// Removes every `<private>…</private>` span (tags included, any case); an unclosed span
    /// runs to the end of the text.
    static func removingPrivateSpans(_ bytes: [UInt8]) -> ([UInt8], Int) {
        let open = Array("<private>".utf8), close = Array("</private>".utf8)
        guard let first = bytes.firstRange(ofCaseInsensitive: open, from: 0) else { return (bytes, 0) }
        var output: [UInt8] = []
        var position = 0, spans = 0
        var next: Range<Int>? = first
        while let start = next {
            output.append(contentsOf: bytes[position..<start.lowerBound])
            spans += 1
            guard let end = bytes.firstRange(ofCaseInsensitive: close, from: start.upperBound) else {
                position = bytes.count
                break
            }
            position = end.upperBound
            next = bytes.firstRange(ofCaseInsensitive: open, from: position)
        }
        if position < bytes.count { output.append(contentsOf: bytes[position...]) }
        return (output, spans)
    }
}

extension Array where Element == UInt8 {
    /// The first occurrence of `needle` (ASCII, lowercase) at or after `from`, ignoring ASCII case.
    func firstRange(ofCaseInsensitive needle: [UInt8], from: Int) -> Range<Int>? {
        guard let head = needle.first, count >= needle.count else { return nil }
        var index = from
        while index + needle.count <= count {
            if self[index] | 0x20 == head {
                var matched = true
                for offset in 1..<needle.count where self[index + offset] | 0x20 != needle[offset] | 0x20 {
                    matched = false
                    break
                }
                if matched { return index..<(index + needle.count) }
            }
            index += 1
        }
        return nil
    }
}
