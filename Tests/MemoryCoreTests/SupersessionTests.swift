import Foundation
import MemoryCore
import Testing

@Suite struct SupersessionTests {
    let session = UUID()

    func candidate(_ content: String, _ type: MemoryType = .fact, session: UUID? = nil) -> Supersession.Candidate {
        Supersession.Candidate(id: UUID(), content: content, memoryType: type, sessionID: session ?? self.session)
    }

    func verdict(_ content: String, _ type: MemoryType = .fact, session: UUID? = nil, over candidates: [Supersession.Candidate]) -> Supersession.Verdict? {
        Supersession.find(content: content, memoryType: type, sessionID: session ?? self.session, candidates: candidates)
    }

    @Test func theSameVerbAndPrepositionWithACueSupersedesAcrossSessions() {
        let old = candidate("We deploy with make run", session: UUID())
        let found = verdict("We now deploy with the release script", over: [old])
        #expect(found?.supersededID == old.id)
        #expect(found?.reason.contains("deploy with") == true)
        // Without a cue the two may both hold: nothing is superseded.
        #expect(verdict("We also deploy with the release script", over: [old]) == nil)
    }

    @Test func aNumberNextToTheSameWordIsAValueChange() {
        let old = candidate("let's bump it to 8 workers, the suite is slow", .decision)
        #expect(verdict("ok set it to 4 workers then", .decision, over: [old])?.supersededID == old.id)
        let port = candidate("The API listens on port 8443", session: UUID())
        #expect(verdict("The API listens on port 9443", session: UUID(), over: [port])?.supersededID == port.id)
        #expect(verdict("The API listens on port 8443 behind nginx", over: [port]) == nil)
        // Numbered things that are not settings are many, not one value replacing another.
        #expect(verdict("everyday note 2", over: [candidate("everyday note 1")]) == nil)
        #expect(!Supersession.mayUpdate("everyday note 2") && Supersession.mayUpdate("we now deploy with make"))
    }

    @Test func anAttributeAfterACopulaWithANewValueIsAValueChange() {
        let old = candidate("The staging DB is db-staging-2", session: UUID())
        #expect(verdict("The staging DB is db-staging-3", over: [old])?.reason == "Its staging db changed in a newer memory.")
        // "The API is fast" names no single-valued attribute.
        #expect(verdict("The API is written in Swift", over: [candidate("The API is fast")]) == nil)
    }

    @Test func aStrongCueReversesTheLatestDecisionOfTheConversationOnly() {
        let older = candidate("we store invoices as PDF files", .decision)
        let latest = candidate("ok go with zerolog", .decision)
        let found = verdict("I'd rather use slog from the stdlib. switch to slog", .decision, over: [latest, older])
        #expect(found?.supersededID == latest.id)
        // In another session, with nothing shared, a cue alone supersedes nothing.
        #expect(verdict("actually, switch to slog", .decision, session: UUID(), over: [latest]) == nil)
    }

    @Test func sharedWordsWithACueSupersede() {
        let old = candidate("let's do header versioning with Accept-Version, cleaner URLs", .decision, session: UUID())
        let found = verdict("actually, switch to URL versioning with a /v1/ prefix on everything", .decision, over: [old])
        #expect(found?.supersededID == old.id)
    }

    @Test func aDocumentNeitherSupersedesNorIsSuperseded() {
        // A whole chat turn holds many statements: its cue word and shared words say nothing
        // about the turn before it (LongMemEval turns stored whole were one in six superseded).
        let question = candidate(
            "I'm looking for some fashion advice. I snagged some amazing deals on gently used clothes at my local "
                + "thrift store's fill a bag for $10 sale today. Do you have tips for styling a vintage band t-shirt?")
        let reply = Array(repeating: "Styling a vintage band t-shirt from the thrift store is fun, and now you can pair it with jeans.", count: 4)
            .joined(separator: " ")
        #expect(verdict(reply, over: [question]) == nil)
        #expect(!Supersession.mayUpdate(reply))
        let port = candidate("The API listens on port 8443")
        #expect(verdict("The API listens on port 9443", over: [port])?.supersededID == port.id)
        let document = candidate("The API listens on port 8443. " + String(repeating: "It serves the billing routes and the admin pages. ", count: 8))
        #expect(verdict("The API listens on port 9443", over: [document]) == nil)
        // A document between them does not hide the latest decision of the conversation.
        let latest = candidate("ok go with zerolog", .decision)
        let found = verdict("actually, switch to slog", .decision, over: [candidate(reply, .decision), latest])
        #expect(found?.supersededID == latest.id)
    }

    @Test func onlyCompatibleTypesTakePart() {
        let error = candidate("The build fails with 8 workers", .error)
        #expect(verdict("The build passes with 4 workers", .fact, over: [error]) == nil)
        let preference = candidate("No semicolons, I find them noisy", .preference)
        #expect(verdict("Actually let's keep semicolons", .decision, over: [preference])?.supersededID == preference.id)
        #expect(verdict("Actually let's keep semicolons", .code, over: [preference]) == nil)
    }
}

@Suite struct NearDuplicateTests {
    func verdict(_ new: String, _ existing: String) -> NearDuplicate.Verdict {
        NearDuplicate.compare(new: NearDuplicate.Text(new), existing: NearDuplicate.Text(existing))
    }

    @Test func aRestatementThatAddsNothingIsTheSameMemory() {
        #expect(verdict("We deploy with make run!", "we deploy with make run") == .same)
        #expect(verdict("deploy with make run", "We deploy with make run on the build host") == .same)
    }

    @Test func aSimilarMemoryThatAddsSomethingIsRelated() {
        guard case .related(let similarity) = verdict("We deploy with make run on Fridays", "we deploy with make run") else {
            Issue.record("adds 'fridays': related, not the same")
            return
        }
        #expect(abs(similarity - 0.75) < 1e-9)
        #expect(verdict("The cache TTL is one hour", "Releases are tagged on main") == .unrelated)
        // Too short to compare.
        #expect(verdict("use redis", "use redis") == .unrelated)
        // Numbers identify: "memory 1" does not restate "memory 11".
        #expect(verdict("stdio-1 wrote memory 1", "stdio-1 wrote memory 11") != .same)
    }
}
