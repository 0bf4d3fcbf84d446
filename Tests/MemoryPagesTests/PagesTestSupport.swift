import Foundation
import MemoryCore
import ProcessTestSupport

/// Where the real binary and the browser's Python are. `make test` sets both
/// (`MEMORYHUB_BINARY`, `MEMORYHUB_PAGES_PYTHON` from scripts/pages-venv.sh); plain `swift test`
/// uses what it finds and skips the browser suite when something is missing.
enum PagesTestEnvironment {
    static let binary = ProcessTestSupport.binary

    static let python = ProcessTestSupport.python(environment: "MEMORYHUB_PAGES_PYTHON", venv: "pages-venv")

    static let hasBrowser = FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")

    static let scripts = ProcessTestSupport.root.appendingPathComponent("Tests/MemoryPagesTests/python").path

    /// Where the browser test writes its screenshots (kept after the run, for a person to look at).
    static let screenshots = ProcessInfo.processInfo.environment["MEMORYHUB_PAGE_SCREENSHOTS"]
        ?? ProcessTestSupport.root.appendingPathComponent(".build/page-screenshots").path
}
