package import MemoryCore
import Metrics

/// Applies ``SecretRedactor`` to everything a write would store (a memory's content, summary,
/// entities, tags and every metadata string; a session's metadata, tags and summary) before
/// storage, indexing, embedding, caching or logging, and counts what it replaced per kind (`memoryhub_secrets_redacted_total{kind}`,
/// `memoryhub_private_spans_removed_total`). A metadata string under a secret-named key
/// (`{"api_key": "…"}`) is replaced whole.
package struct SecretRedaction: Sendable {
    /// Whether writes are redacted (on unless a benchmark compares against it off).
    package var isEnabled: Bool
    /// The scanner with the configured allow-list, for callers that redact text before it
    /// becomes a write (the capture pipeline).
    package let redactor: SecretRedactor

    package struct Configuration: Sendable {
        /// Off only to measure what redaction costs.
        package var enabled = true
        /// Exact values never redacted (`MEMORYHUB_REDACTION_ALLOW`, comma-separated).
        package var allowList: Set<String> = []

        package init() {}
    }

    package init(configuration: Configuration) {
        isEnabled = configuration.enabled
        redactor = SecretRedactor(allowList: configuration.allowList)
    }

    private static let privateSpans = Counter(label: "memoryhub.private_spans.removed.total")
    private static let counters: [SecretKind: Counter] = Dictionary(
        uniqueKeysWithValues: SecretKind.allCases.map { ($0, Counter(label: "memoryhub.secrets.redacted.total", dimensions: [("kind", $0.rawValue)])) })

    /// The memory with every secret replaced.
    package func redacting(_ memory: NewMemory) -> NewMemory {
        guard isEnabled else { return memory }
        var result = memory
        result.content = text(memory.content)
        result.summary = memory.summary.map(text)
        result.entities = memory.entities.map(text)
        result.tags = memory.tags.map(text)
        result.metadata = metadata(memory.metadata)
        return result
    }

    /// The change with every secret replaced.
    package func redacting(_ change: MemoryChange) -> MemoryChange {
        guard isEnabled else { return change }
        var result = change
        result.content = change.content.map(text)
        if case .some(.some(let summary)) = change.summary { result.summary = .some(text(summary)) }
        result.entities = change.entities?.map(text)
        result.tags = change.tags?.map(text)
        result.metadataPatch = metadata(change.metadataPatch)
        return result
    }

    /// One string with every secret replaced, counted.
    package func text(_ value: String) -> String {
        guard isEnabled else { return value }
        let result = redactor.redact(value)
        guard result.changed else { return value }
        for (kind, count) in result.counts { Self.counters[kind]?.increment(by: Int64(count)) }
        if result.privateSpans > 0 { Self.privateSpans.increment(by: Int64(result.privateSpans)) }
        return result.text
    }

    /// Every string of a metadata object redacted; a string under a secret-named key replaced whole.
    package func metadata(_ object: JSONObject) -> JSONObject {
        guard isEnabled else { return object }
        var result = object
        for (key, value) in object {
            if case .string(let string) = value, SecretRedactor.isSecretName(key), string.count >= 4, !SecretRedactor.isPlaceholder(string) {
                Self.counters[.secretAssignment]?.increment()
                result[key] = .string(SecretKind.secretAssignment.replacement)
            } else {
                result[key] = self.value(value)
            }
        }
        return result
    }

    private func value(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let string): .string(text(string))
        case .array(let items): .array(items.map(self.value))
        case .object(let object): .object(metadata(object))
        default: value
        }
    }
}
