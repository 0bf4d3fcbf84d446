import MemoryCore
import Testing

@Suite struct CapturePipelineTests {
    let pipeline = CapturePipeline()

    func kept(_ role: CaptureTurn.Role, _ text: String) -> [CapturedMemory] {
        pipeline.capture(CaptureTurn(id: "t", role: role, text: text))
    }

    @Test func eachRuleKeepsItsKindAndChitChatIsDropped() {
        #expect(kept(.user, "I prefer tabs over spaces in this repo").map(\.memoryType) == [.preference])
        #expect(kept(.user, "ok let's go with PostgreSQL instead of MySQL").map(\.memoryType) == [.decision])
        #expect(kept(.user, "The build failed with error: cannot find 'Deployer' in scope").map(\.memoryType) == [.error])
        #expect(kept(.user, "All migrations go in db/migrations, always with a timestamp prefix").map(\.memoryType) == [.pattern])
        #expect(kept(.user, "fyi the staging API listens on port 8443").map(\.memoryType) == [.fact])
        #expect(kept(.assistant, "Here it is:\n```swift\nlet x = 1\nlet y = 2\nprint(x + y)\n```").map(\.memoryType) == [.code])
        for chatter in ["thanks, that worked!", "ok", "sounds good", "What does this function return?"] {
            #expect(kept(.user, chatter).isEmpty, "\(chatter)")
        }
        for narration in ["Let me look at the file first.", "Great question!", "I'll run the tests now."] {
            #expect(kept(.assistant, narration).isEmpty, "\(narration)")
        }
        // The assistant's opinion is not the user's decision or preference.
        #expect(kept(.assistant, "I prefer to check first").isEmpty)
    }

    @Test func spansPointIntoTheTurnAndContentIsThatSpan() {
        let text = "Café notes. The fix is to bind to 0.0.0.0 inside the container, not localhost. Thanks!"
        let memories = kept(.assistant, text)
        #expect(memories.count == 1)
        let memory = memories[0]
        var view = String.UnicodeScalarView()
        view.append(contentsOf: Array(text.unicodeScalars)[memory.span])
        #expect(String(view).trimmedWhitespace == memory.content)
        #expect(memory.content.hasPrefix("The fix is to bind"))
        #expect(memory.rule.contains("the fix is"))
    }

    @Test func pastedOutputKeepsItsErrorLinesOnly() {
        let text = """
            tests fail:
            ```
            Traceback (most recent call last):
              File "app.py", line 3, in <module>
            ModuleNotFoundError: No module named 'etl'
            ```
            """
        let memories = kept(.user, text)
        #expect(memories.count == 1 && memories[0].memoryType == .error)
        #expect(memories[0].content.hasSuffix("ModuleNotFoundError: No module named 'etl'"), "\(memories)")
    }

    /// The pipeline redacts each turn itself, so a paragraph whose only detail is a secret is
    /// dropped whether the text came raw or already redacted (the hooks once redacted first and
    /// so kept such paragraphs).
    @Test func aParagraphWhoseOnlyDetailIsASecretIsNotKept() {
        let raw = "here's the pat i use for ghcr: ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8 — just make the secret with it"
        #expect(kept(.user, raw).isEmpty)
        #expect(kept(.user, SecretRedactor().redact(raw).text).isEmpty)
        let withDetail = kept(.user, "the CI token ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8 lives in the DEPLOY_TOKEN secret")
        #expect(withDetail.map(\.content) == ["the CI token [REDACTED:github_token] lives in the DEPLOY_TOKEN secret"])
    }

    @Test func unfencedPastedOutputKeepsItsErrorLinesOnly() {
        let text = "I ran it and got this:\n\n$ make itest\nBuilding...\nerror: linker command failed with exit code 1\nmake: *** [itest] Error 1"
        let memories = kept(.user, text)
        #expect(memories.map(\.content) == ["error: linker command failed with exit code 1\nmake: *** [itest] Error 1"], "\(memories)")
    }

    @Test func aListUnderAPreferenceIntroIsPreferences() {
        let text = "a few things about how I like code in this repo:\n- indent with 4 spaces\n- no force unwraps"
        #expect(kept(.user, text).filter { $0.memoryType == .preference }.map(\.content) == ["- indent with 4 spaces", "- no force unwraps"])
    }

    @Test func importanceFollowsTheTypeAndTheTwelveFactors() {
        let plain = kept(.user, "I prefer small commits")[0].importance
        let emphatic = kept(.user, "IMPORTANT: I prefer small commits, this is critical!!")[0].importance
        #expect(plain >= 0.8 && plain <= 1)
        #expect(emphatic > plain)
    }

    @Test func theSameContentTwiceInOneCallIsKeptOnce() {
        let turns = [
            CaptureTurn(id: "a", role: .user, text: "the local db is on host port 5433"),
            CaptureTurn(id: "b", role: .user, text: "The local DB is on host  port 5433"),
        ]
        #expect(pipeline.capture(turns).count == 1)
    }
}
