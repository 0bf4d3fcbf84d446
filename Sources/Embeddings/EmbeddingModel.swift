import Foundation

/// Where the built-in model lives on disk.
package enum EmbeddingModel {
    /// The files the encoder loads from a model directory.
    package static let requiredFiles = ["config.json", "vocab.txt", "model.safetensors"]

    /// `<home>/.local/share/memoryhub/models/all-MiniLM-L6-v2` (the default model folder).
    package static func defaultDirectory(home: String) -> String {
        var home = home
        while home.count > 1, home.hasSuffix("/") { home.removeLast() }
        return home + "/.local/share/memoryhub/models/all-MiniLM-L6-v2"
    }

    /// True when config.json, vocab.txt and model.safetensors are all there.
    package static func isPresent(at directory: String) -> Bool {
        requiredFiles.allSatisfy { name in
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory)
            return exists && !isDirectory.boolValue
        }
    }
}
