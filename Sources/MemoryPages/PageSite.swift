import HTTPTypes
import Hummingbird
import Logging
import MemoryCore
import MemoryService
import NIOCore
import Foundation

/// Every page's handler: reads the request, asks the services as the signed-in person, renders.
struct PageSite: Sendable {
    let services: MemoryHubServices
    let configuration: PagesConfiguration
    let renderer: PageRenderer
    let gate: PageGate
    let rates: RequestRateHistory
    let logger: Logger

    /// Adds every page to `router`.
    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/") { request, _ in
            try await gate.visitor(request) == nil ? gate.signInRedirect(request) : PageGate.redirect("/sessions")
        }
        router.get("sign-in") { request, _ in try await signInPage(request) }
        router.post("sign-in") { request, _ in try await signIn(request) }
        router.post("sign-out") { request, _ in try await signOut(request) }
        router.get("static/{name}") { _, context in
            renderer.asset(context.parameters.get("name") ?? "") ?? notFound("No such file.")
        }
        router.get("sessions") { request, _ in try await signedIn(request) { try await sessions(request, $0) } }
        router.get("sessions/{id}") { request, context in
            let id = try Self.id(context.parameters.get("id"))
            return try await signedIn(request) { try await session(request, id: id, $0) }
        }
        router.get("memories/{id}") { request, context in
            let id = try Self.id(context.parameters.get("id"))
            return try await signedIn(request) { try await memory(request, id: id, $0) }
        }
        router.post("memories/{id}") { request, context in
            let id = try Self.id(context.parameters.get("id"))
            return try await posted(request) { try await updateMemory(id: id, form: $0, $1) }
        }
        router.get("memories/{id}/delete") { request, context in
            let id = try Self.id(context.parameters.get("id"))
            return try await signedIn(request) { try await confirmDeletion(id: id, $0) }
        }
        router.post("memories/{id}/delete") { request, context in
            let id = try Self.id(context.parameters.get("id"))
            return try await posted(request) { try await deleteMemory(id: id, form: $0, $1) }
        }
        router.get("search") { request, _ in try await signedIn(request) { try await search(request, $0) } }
        router.get("context") { request, _ in try await signedIn(request) { try await contextPreview(request, $0) } }
        router.get("status") { request, _ in try await signedIn(request) { await status($0) } }
        router.get("keys") { request, _ in try await signedIn(request) { try await keys(request, $0, created: nil) } }
        router.post("keys") { request, _ in try await posted(request) { try await createKey(request, form: $0, $1) } }
        router.post("keys/{id}/revoke") { request, context in
            let id = try Self.id(context.parameters.get("id"))
            return try await posted(request) { try await revokeKey(id: id, $1) }
        }
    }

    /// Runs `body` for the signed-in person; sends anyone else to the sign-in page.
    private func signedIn(_ request: Request, _ body: (PageVisitor) async throws -> Response) async throws -> Response {
        guard let visitor = try await gate.visitor(request) else { return gate.signInRedirect(request) }
        return try await body(visitor)
    }

    /// As `signedIn`, for a form post that passed the cross-site checks.
    private func posted(_ request: Request, _ body: (PageForm, PageVisitor) async throws -> Response) async throws -> Response {
        let form = try await PageForm.body(of: request, limit: configuration.bodyLimit)
        guard let visitor = try await gate.visitor(request) else {
            try gate.checkPost(request, form: form, visitor: nil)
            return gate.signInRedirect(request)
        }
        try gate.checkPost(request, form: form, visitor: visitor)
        return try await body(form, visitor)
    }

    // MARK: Signing in

    struct SignInView {
        var chrome: Chrome
        var next: String
        var withKey: Bool
        var error: String?
        var user: String?
    }

    private func signInPage(_ request: Request) async throws -> Response {
        let query = PageForm(query: request)
        return signInForm(next: PageGate.localPath(query["next"]), user: query["user"], error: nil, status: .ok)
    }

    private func signInForm(next: String, user: String?, error: String?, status: HTTPResponse.Status) -> Response {
        let view = SignInView(
            chrome: Chrome(title: "Sign in", visitor: nil, current: ""), next: next, withKey: configuration.signIn == .apiKey, error: error,
            user: user)
        return renderer.page("sign-in", view, status: status)
    }

    private func signIn(_ request: Request) async throws -> Response {
        let form = try await PageForm.body(of: request, limit: configuration.bodyLimit)
        try gate.checkPost(request, form: form, visitor: nil)
        let next = PageGate.localPath(form["next"])
        let failed = { (message: String) in signInForm(next: next, user: form["user"], error: message, status: .unauthorized) }
        switch configuration.signIn {
        case .apiKey:
            guard let text = form["key"], let key = try await services.keys.authenticate(text) else {
                return failed("That API key is unknown, revoked or mistyped.")
            }
            return gate.signIn(.key(key.id), request: request, next: next)
        case .chooseUser:
            guard let user = form["user"] else { return failed("Type the user id whose memory you want to see.") }
            do {
                return gate.signIn(.user(try Validation.identifier(user, field: "user_id")), request: request, next: next)
            } catch let error as MemoryHubError {
                return failed(error.detail)
            }
        }
    }

    private func signOut(_ request: Request) async throws -> Response {
        let form = try await PageForm.body(of: request, limit: configuration.bodyLimit)
        try gate.checkPost(request, form: form, visitor: try await gate.visitor(request))
        return gate.signOut(request: request)
    }

    // MARK: Errors

    struct ErrorView {
        var chrome: Chrome
        var heading: String
        var detail: String
    }

    /// The page for an error a handler threw: 404 for unknown (and other users') ids, the
    /// service's sentence for invalid input, a plain sentence for anything unexpected.
    func errorPage(_ error: any Error, visitor: PageVisitor?) -> Response {
        let status: HTTPResponse.Status
        let heading: String
        let detail: String
        switch error {
        case let error as MemoryHubError:
            (status, heading) = switch error.kind {
            case .notFound: (.notFound, "Not found")
            case .forbidden: (.forbidden, "Not allowed")
            case .invalidField, .malformedRequest: (.unprocessableContent, "That did not work")
            case .conflict: (.conflict, "That did not work")
            case .payloadTooLarge: (.contentTooLarge, "Too large")
            case .unavailable: (.serviceUnavailable, "The store is unavailable")
            case .internal: (.internalServerError, "Something went wrong")
            }
            detail = error.kind == .internal ? "The server failed to answer; the log says why." : error.detail
        case is NIOTooManyBytesError:
            (status, heading, detail) = (.contentTooLarge, "Too large", "The form is larger than this server accepts.")
        case let refusal as PageRefusal:
            (status, heading, detail) = (refusal.status, "Refused", refusal.detail)
        case let error as any HTTPResponseError where error.status == .notFound:
            (status, heading, detail) = (.notFound, "Not found", "There is no page at this address.")
        case let error as any HTTPResponseError:
            (status, heading, detail) = (error.status, "That did not work", error.status.reasonPhrase)
        default:
            logger.error("page failed", metadata: ["memoryhub.error": "\(error)"])
            (status, heading, detail) = (.internalServerError, "Something went wrong", "The server failed to answer; the log says why.")
        }
        return renderer.page("error", ErrorView(chrome: Chrome(title: heading, visitor: visitor, current: ""), heading: heading, detail: detail), status: status)
    }

    private func notFound(_ detail: String) -> Response {
        errorPage(MemoryHubError(kind: .notFound, code: .notFound, detail: detail), visitor: nil)
    }

    /// A path's id; 404 when it is not one (as an unknown id would be).
    static func id(_ text: String?) throws -> UUID {
        guard let text, let id = UUID(uuidString: text) else {
            throw MemoryHubError(kind: .notFound, code: .notFound, detail: "There is nothing with that id.")
        }
        return id
    }
}
