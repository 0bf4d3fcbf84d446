import HTTPTypes
import Hummingbird
import Mustache
import Foundation

/// The templates and static files, loaded once from the module's resources, and the headers every
/// page carries.
struct PageRenderer: Sendable {
    /// A static file held in memory.
    struct Asset: Sendable {
        var bytes: ByteBuffer
        var contentType: String
    }

    private let library: MustacheLibrary
    private let assets: [String: Asset]

    /// The resource bundle's folder name, as SwiftPM names it (package, then target).
    static let bundleName = "memoryhub_MemoryPages.resources"

    /// Loads `Templates/*.mustache` and `Static/*` from `folder`, else from the module's resource
    /// bundle beside the running program (where `swift build` puts it). Throws, without the fatal
    /// error of SwiftPM's `Bundle.module`, when neither has them: a program copied without its
    /// bundle still starts, without pages.
    init(folder: URL? = nil) async throws {
        let candidates = folder.map { [$0] } ?? [
            Bundle.main.bundleURL.appendingPathComponent(Self.bundleName),
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent(Self.bundleName),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(Self.bundleName),
        ]
        guard let bundle = candidates.first(where: {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("Templates/header.mustache").path)
        }) else {
            throw PageRendererError(
                detail: "The pages' templates (\(Self.bundleName)) are not beside the program; looked in \(candidates.map(\.path).joined(separator: ", ")).")
        }
        let templates = bundle.appendingPathComponent("Templates"), statics = bundle.appendingPathComponent("Static")
        library = try await MustacheLibrary(directory: templates.path)
        var assets: [String: Asset] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: statics.path) {
            let data = try Data(contentsOf: statics.appendingPathComponent(name))
            let type = switch name.split(separator: ".").last {
            case "css": "text/css; charset=utf-8"
            case "js": "text/javascript; charset=utf-8"
            case "svg": "image/svg+xml"
            default: "application/octet-stream"
            }
            assets[name] = Asset(bytes: ByteBuffer(bytes: data), contentType: type)
        }
        self.assets = assets
    }

    /// `object` rendered with the template `name`, as an HTML response. Mustache's `{{x}}`
    /// escapes every value; the templates use no triple braces.
    func page(_ name: String, _ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        let html = library.render(object, withTemplate: name) ?? "<!doctype html><title>MemoryHub</title><p>No template \(name).</p>"
        var headers = Self.pageHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// The rendered text alone, for tests and the benchmark.
    func text(_ name: String, _ object: Any) -> String? {
        library.render(object, withTemplate: name)
    }

    /// A static file, or nil.
    func asset(_ name: String) -> Response? {
        guard let asset = assets[name] else { return nil }
        var headers = HTTPFields()
        headers[.contentType] = asset.contentType
        headers[.cacheControl] = "public, max-age=3600"
        headers[Self.contentTypeOptions] = "nosniff"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: asset.bytes))
    }

    /// No inline script or style runs, nothing loads from elsewhere, no other site may frame a
    /// page, and pages are not cached (they show private data).
    static let pageHeaders: HTTPFields = {
        var headers = HTTPFields()
        headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[contentTypeOptions] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[.cacheControl] = "no-store"
        return headers
    }()

    static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}

/// The pages could not start.
struct PageRendererError: Error, CustomStringConvertible {
    var detail: String
    var description: String { detail }
}
