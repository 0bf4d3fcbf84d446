import Foundation
import ProcessTestSupport
import MemoryCore
import Testing

/// `memoryhub eval`: the cut-offs may be given as `--k 1 5` or `--k 1,5` (a new user tried the
/// second and got an error).
@Suite struct EvalCommandTests {
    static let evalCase = """
        {"id": "c1", "source": "test", "sessions": [{"id": "s1", "started_at": "2023-04-24T12:02:00Z", "turns": [\
        {"id": "s1#0", "role": "user", "content": "My favourite board game is Ticket to Ride."},\
        {"id": "s1#1", "role": "assistant", "content": "A classic choice."}]}],\
        "questions": [{"id": "c1", "question": "Which board game do I like best?", "asked_at": "2023-06-10T16:46:00Z",\
        "category": "single-session-user", "gold_turn_ids": ["s1#0"], "gold_session_ids": ["s1"]}]}
        """

    func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("case.jsonl").path
        try (Self.evalCase + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let result = try SpawnedProcess.run(ServeBinaryTests.binary!, ["eval", file, "--mode", "lexical", "--no-embeddings", "--json"] + arguments)
        return (result.status, result.stdout, result.stderr)
    }

    @Test(.enabled(if: ServeBinaryTests.binary != nil, "needs the memoryhub binary (make test sets MEMORYHUB_BINARY)"))
    func cutOffsAreReadSpacedOrWithCommas() throws {
        for arguments in [["--k", "1", "5"], ["--k", "1,5"]] {
            let (status, output, errors) = try run(arguments)
            #expect(status == 0, "\(arguments): \(errors)")
            let overall = (try? JSONParser.parse(output))?.objectValue?["overall"]?.objectValue
            #expect(overall.map { Set($0.keys) } == ["1", "5"], "\(arguments): \(output)")
            #expect(overall?["1"]?.objectValue?["turn_recall"] == 1.0, "the one question's gold turn is found")
        }
        let (status, _, errors) = try run(["--k", "0,5"])
        #expect(status != 0 && errors.contains("between 1 and 100"), "\(errors)")
    }
}
