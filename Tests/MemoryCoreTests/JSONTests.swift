import Foundation
import MemoryCore
import Testing

@Suite struct JSONTests {
    let sample: JSONValue = [
        "text": "quote \" backslash \\ newline \n tab \t control \u{01} emoji 🎉 accents é",
        "int": 5, "negative": -12, "big": .int(Int64.max), "double": 0.1, "whole": 2.0, "tiny": 1e-7,
        "flag": true, "nothing": nil, "list": [1, "two", [3.5, nil]], "nested": ["deeper": ["deepest": [:]]],
    ]

    @Test func writerOutputParsesBackToTheSameValue() throws {
        let decoded = try JSONParser.parse(JSONWriter.string(sample))
        #expect(decoded == sample)
        #expect(decoded.objectValue?["int"] == .int(5))
        #expect(decoded.objectValue?["whole"] == .double(2.0))
        #expect(decoded.objectValue?["double"] == .double(0.1))
    }

    @Test func parserReadsEveryKindOfValue() throws {
        let text = #"{"a": [1, -2.5e3, "\u00e9\ud83c\udf89\n", true, false, null], "b": {"c": {}}, "d": "/"}"#
        let ours = try JSONParser.parse(text)
        #expect(ours == ["a": [1, -2500.0, "é🎉\n", true, false, nil], "b": ["c": [:]], "d": "/"])
    }

    @Test(arguments: [
        "", "{", "}", "[1,]", "{\"a\":}", "{\"a\" 1}", "01", "1.", "-", "1e", "tru", "nul", "\"abc",
        "\"\\x\"", "\"\\ud800\"", "\"\u{01}\"", "[1] 2", "{\"a\":1,}", "NaN", "Infinity", "1e400",
    ])
    func parserRejectsMalformedText(text: String) {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(text) }
    }

    @Test func parserRefusesDeepNestingInsteadOfOverflowingTheStack() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: Never.self) { try JSONParser.parse(fine) }
    }

    @Test func parserSurvivesRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[]",:0123456789.eE+-tfnrulsa\ "#.utf8) + [0x00, 0xFF, 0xC3]
        for _ in 0..<5000 {
            let bytes = (0..<Int.random(in: 0...24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            _ = try? JSONParser.parse(bytes)
        }
    }

    @Test func writerSortsKeysAndEscapesControlCharacters() {
        #expect(JSONWriter.string(["b": 1, "a": "\u{1F}"]) == #"{"a":"\u001f","b":1}"#)
    }

    @Test func mergePatchReplacesKeysAndNullRemovesThem() {
        let base: JSONObject = ["keep": 1, "replace": ["inner": 1], "drop": true]
        let merged = base.merging(patch: ["replace": ["other": 2], "drop": nil, "add": "x"])
        #expect(merged == ["keep": 1, "replace": ["other": 2], "add": "x"])
    }
}
