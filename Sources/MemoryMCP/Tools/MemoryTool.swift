import MCP
import MemoryCore
import MemoryService

/// One MCP tool of API.md "MCP tools": its definition (name, description, JSON input schema,
/// annotations) and its handler, side by side, so a tool is added in one place.
struct MemoryTool: Sendable {
    let definition: MCP.Tool
    let run: @Sendable (JSONFields, ToolContext) async throws -> ToolOutcome

    init(
        _ name: String, _ description: String, _ properties: [String: MCP.Value], required: [String] = [],
        annotations: MCP.Tool.Annotations, run: @escaping @Sendable (JSONFields, ToolContext) async throws -> ToolOutcome
    ) {
        self.definition = MCP.Tool(
            name: name, description: description,
            inputSchema: .object([
                "type": "object",
                "properties": .object(properties),
                "required": .array(required.map { .string($0) }),
                "additionalProperties": false,
            ]),
            annotations: annotations)
        self.run = run
    }

    var name: String { definition.name }

    /// The argument names the tool takes, from its schema.
    var argumentNames: [String] {
        guard case .object(let schema) = definition.inputSchema, case .object(let properties)? = schema["properties"] else { return [] }
        return properties.keys.sorted()
    }

    /// Every tool, in the order `tools/list` shows them.
    static let all: [MemoryTool] = sessionTools + memoryTools + contextTools + linkingTools + compressionTools + persistentContextTools
    /// The tools by name.
    static let byName: [String: MemoryTool] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    // MARK: Schema pieces

    static func string(_ description: String) -> MCP.Value {
        ["type": "string", "description": .string(description)]
    }

    static func uuid(_ description: String) -> MCP.Value {
        ["type": "string", "format": "uuid", "description": .string(description)]
    }

    static func number(_ description: String) -> MCP.Value {
        ["type": "number", "minimum": 0, "maximum": 1, "description": .string(description)]
    }

    static func integer(_ description: String, minimum: Int, maximum: Int) -> MCP.Value {
        ["type": "integer", "minimum": .int(minimum), "maximum": .int(maximum), "description": .string(description)]
    }

    static func boolean(_ description: String) -> MCP.Value {
        ["type": "boolean", "description": .string(description)]
    }

    static func object(_ description: String) -> MCP.Value {
        ["type": "object", "description": .string(description)]
    }

    static func strings(_ description: String, enumeration values: [String]? = nil) -> MCP.Value {
        var items: [String: MCP.Value] = ["type": "string"]
        if let values { items["enum"] = .array(values.map { .string($0) }) }
        return ["type": "array", "items": .object(items), "description": .string(description)]
    }

    static func enumeration(_ values: [String], _ description: String) -> MCP.Value {
        ["type": "string", "enum": .array(values.map { .string($0) }), "description": .string(description)]
    }
}
