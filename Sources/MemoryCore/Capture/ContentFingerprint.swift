/// The text write-time de-duplication compares: content with case folded and every run of
/// whitespace made one space, trimmed. "We deploy with  make run\n" and "we deploy with make run"
/// are the same memory; anything else (punctuation, wording) is not.
package enum ContentFingerprint {
    /// `content` lowercased, whitespace runs collapsed to one space, ends trimmed.
    package static func normalized(_ content: String) -> String {
        var result = ""
        result.reserveCapacity(content.utf8.count)
        var pendingSpace = false
        for character in content.lowercased() {
            if character.isWhitespace {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace {
                result.append(" ")
                pendingSpace = false
            }
            result.append(character)
        }
        return result
    }
}
