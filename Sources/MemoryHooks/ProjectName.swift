import Foundation

/// The project a folder belongs to: the name of the top folder of the enclosing git repository
/// (for a linked worktree, of the main repository, so every worktree shares the project), else
/// the folder's own name.
package enum ProjectName {
    package static func of(folder path: String) -> String? {
        let fileManager = FileManager.default
        var url = URL(fileURLWithPath: path).standardizedFileURL
        let start = url
        while true {
            let dotGit = url.appendingPathComponent(".git")
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: dotGit.path, isDirectory: &isDirectory) {
                if !isDirectory.boolValue, let main = mainRepository(ofWorktreeFile: dotGit) {
                    return main
                }
                return nonEmpty(url.lastPathComponent)
            }
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { break }
            url = parent
        }
        return nonEmpty(start.lastPathComponent)
    }

    /// A worktree's `.git` file reads `gitdir: /path/to/repo/.git/worktrees/NAME`.
    private static func mainRepository(ofWorktreeFile file: URL) -> String? {
        guard let text = try? String(contentsOf: file, encoding: .utf8),
              let line = text.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("gitdir:") })
        else { return nil }
        let gitdir = line.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespaces)
        guard let range = gitdir.range(of: "/.git/worktrees/") else { return nil }
        return nonEmpty(URL(fileURLWithPath: String(gitdir[..<range.lowerBound])).lastPathComponent)
    }

    private static func nonEmpty(_ name: String) -> String? {
        name.isEmpty || name == "/" ? nil : String(name.prefix(255))
    }
}
