/// The token estimate of DESIGN.md: a quarter of the characters, rounded up. Characters are
/// counted as Unicode scalars, so a long cluster (a family emoji, combining marks) costs what its
/// parts cost.
package enum TokenEstimate {
    /// Tokens of a piece of text.
    package static func tokens(_ text: String) -> Int {
        (text.unicodeScalars.count + 3) / 4
    }

    /// Tokens of one line of a rendered context, counting its line break.
    package static func lineTokens(_ line: String) -> Int {
        tokens(line) + 1
    }
}
