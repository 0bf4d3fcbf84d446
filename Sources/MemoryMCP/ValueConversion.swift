import MCP
import MemoryCore
import Foundation

/// Converts between the MCP SDK's `Value` and our `JSONValue`, so tool handlers read arguments
/// with our field checks and answer with the API's JSON shapes.
enum ValueConversion {
    static func json(_ value: MCP.Value) -> JSONValue {
        switch value {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(Int64(number))
        case .double(let number): return .double(number)
        case .string(let text): return .string(text)
        case .data(let mimeType, let data):
            // The SDK turns "data:" strings into `.data`; give the tool the text it was sent.
            return .string("data:\(mimeType ?? "");base64,\(data.base64EncodedString())")
        case .array(let items): return .array(items.map(json))
        case .object(let members): return .object(members.mapValues(json))
        }
    }

    static func mcp(_ value: JSONValue) -> MCP.Value {
        switch value {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(Int(clamping: number))
        case .double(let number): return number.isFinite ? .double(number) : .null
        case .string(let text): return .string(text)
        case .array(let items): return .array(items.map(mcp))
        case .object(let members): return .object(members.mapValues(mcp))
        }
    }
}
