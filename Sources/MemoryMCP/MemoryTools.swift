package import Logging
import MCP
package import MemoryCore
import MemoryAPI
package import MemoryService
import Foundation

/// What a tool answers: text for the model, the same facts as JSON, and whether it failed.
package struct ToolOutcome: Sendable {
    package var text: String
    package var structured: JSONValue?
    package var isError: Bool

    package init(text: String, structured: JSONValue? = nil, isError: Bool = false) {
        self.text = text
        self.structured = structured
        self.isError = isError
    }

    static func failure(_ sentence: String, code: String) -> ToolOutcome {
        ToolOutcome(text: sentence, structured: .object(["error": .string(sentence), "code": .string(code)]), isError: true)
    }
}

/// Runs the tools of API.md "MCP tools" for one connection: finds the tool, refuses arguments it
/// does not take, and turns every failure into a tool error with a sentence saying what was
/// wrong, never a protocol error or a crash.
package struct MemoryTools: Sendable {
    let context: ToolContext
    let budget: ResultBudget

    /// The tools for one connection; every result is kept within `budget`.
    package init(services: MemoryHubServices, connection: MCPConnection, budget: ResultBudget = .init(), logger: Logger) {
        self.context = ToolContext(services: services, connection: connection, logger: logger)
        self.budget = budget
    }

    /// Runs one tool call.
    package func call(_ name: String, arguments: JSONObject) async -> ToolOutcome {
        guard let tool = MemoryTool.byName[name] else {
            let names = MemoryTool.all.map(\.name).joined(separator: ", ")
            return .failure("There is no tool named '\(name)'; the tools are: \(names).", code: "unknown_tool")
        }
        let arguments = JSONFields(arguments)
        do {
            try arguments.requireOnly(tool.argumentNames, owner: name)
            return budget.apply(to: try await tool.run(arguments, context))
        } catch let error as MemoryHubError {
            if error.kind == .internal || error.kind == .unavailable {
                context.logger.error("tool failed", metadata: ["memoryhub.tool": "\(name)", "memoryhub.error": "\(String(reflecting: error))"])
            }
            return .failure(error.detail, code: error.code.description)
        } catch {
            context.logger.error("tool failed unexpectedly", metadata: ["memoryhub.tool": "\(name)", "memoryhub.error": "\(String(reflecting: error))"])
            return .failure("The tool failed unexpectedly; the server log has the details.", code: "internal_error")
        }
    }
}
