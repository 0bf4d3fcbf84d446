"""Drives every MemoryHub MCP tool through the official MCP Python SDK, over stdio or HTTP, and
prints named checks as JSON. Usage:
  mcp_scenario.py --transport stdio --binary PATH --database PATH
  mcp_scenario.py --transport http --url http://127.0.0.1:PORT/mcp
"""

import argparse
import asyncio
import uuid

from mcp_support import Checks, connect, run_main, text_of

TOOLS = {
    "init_session", "get_session", "update_session_context", "end_session", "get_session_history",
    "create_memory", "search_memories", "get_memory", "update_memory", "delete_memory",
    "get_memory_stats", "get_context", "suggest_session_links", "get_session_insights",
    "compress_session_context", "store_persistent_context", "query_persistent_context",
}
READ_ONLY = {
    "get_session", "get_session_history", "search_memories", "get_memory", "get_memory_stats", "get_context",
    "suggest_session_links", "get_session_insights", "compress_session_context", "query_persistent_context",
}
DESTRUCTIVE = {"update_memory", "delete_memory"}


async def scenario(args, checks: Checks):
    user = f"mcp-{args.transport}-{uuid.uuid4().hex[:8]}"
    checks.facts["user"] = user
    async with connect(args, user) as client:
        checks.check("initialize names the server", client.server_info and client.server_info.name == "memoryhub",
                     client.server_info)
        checks.facts["protocol_version"] = client.protocol_version

        listed = (await client.list_tools()).tools
        names = {tool.name for tool in listed}
        checks.facts["tools"] = sorted(names)
        checks.check("lists every tool", names == TOOLS, sorted(names))
        by_name = {tool.name: tool for tool in listed}
        for tool in listed:
            schema = tool.input_schema
            checks.check(f"{tool.name} has an object input schema", schema.get("type") == "object" and "properties" in schema, schema)
            hints = tool.annotations
            checks.check(f"{tool.name} read-only hint", hints is not None and bool(hints.read_only_hint) == (tool.name in READ_ONLY), hints)
            if tool.name not in READ_ONLY:
                checks.check(f"{tool.name} destructive hint", bool(hints.destructive_hint) == (tool.name in DESTRUCTIVE), hints)
        if "create_memory" in by_name:
            schema = by_name["create_memory"].input_schema
            checks.check("create_memory requires content and memory_type",
                         set(schema.get("required", [])) == {"content", "memory_type"}, schema.get("required"))
            checks.check("create_memory schema names its arguments as API.md does",
                         set(schema["properties"]) == {"content", "memory_type", "session_id", "summary", "importance",
                                                       "entities", "tags", "metadata"}, sorted(schema["properties"]))

        async def call(name, arguments):
            return await client.call_tool(name, arguments)

        async def ok(name, arguments, label):
            result = await call(name, arguments)
            checks.check(label, not result.is_error and isinstance(result.structured_content, dict) and text_of(result),
                         text_of(result))
            return result

        async def fails(name, arguments, label, *phrases):
            result = await call(name, arguments)
            text = text_of(result)
            checks.check(label, result.is_error and all(p.lower() in text.lower() for p in phrases), f"is_error={result.is_error} text={text}")
            return result

        # Memories without a session start one on demand, then keep using it.
        first = await ok("create_memory", {"content": "The API is served by Hummingbird", "memory_type": "fact"},
                         "create_memory without session_id succeeds")
        session_one = first.structured_content["memory"]["session_id"]
        second = await ok("create_memory", {"content": "We run tests with make test", "memory_type": "fact"},
                          "a second create_memory succeeds")
        checks.check("create_memory reuses the on-demand session", second.structured_content["memory"]["session_id"] == session_one,
                     second.structured_content)
        current = await ok("get_session", {}, "get_session defaults to the current session")
        checks.check("the current session is the on-demand one", current.structured_content["session"]["id"] == session_one,
                     current.structured_content)
        checks.check("the session belongs to the connection's user and project",
                     current.structured_content["session"]["user_id"] == user
                     and current.structured_content["session"]["project_id"] == "checks", current.structured_content)

        # init_session continues the project's session and becomes current.
        started = await ok("init_session", {"tags": ["mcp-check"], "metadata": {"client": "python"}}, "init_session succeeds")
        session_two = started.structured_content["session"]["id"]
        checks.check("init_session links to the recent session", started.structured_content["session"]["parent_session_id"] == session_one,
                     started.structured_content)
        decision = await ok("create_memory", {
            "content": "We decided to keep MCP tool handlers thin", "memory_type": "decision", "importance": 0.9,
            "entities": ["MemoryMCP"], "tags": ["architecture"], "summary": "thin handlers", "metadata": {"why": "testability"},
        }, "create_memory with every argument succeeds")
        memory = decision.structured_content["memory"]
        memory_id = memory["id"]
        checks.check("the memory lands in the new current session", memory["session_id"] == session_two, memory)
        checks.check("the memory keeps its fields", memory["importance"] == 0.9 and memory["entities"] == ["MemoryMCP"]
                     and memory["metadata"] == {"why": "testability"} and memory["memory_type"] == "decision", memory)

        fetched = await ok("get_memory", {"memory_id": memory_id}, "get_memory succeeds")
        checks.check("get_memory returns the content, also as text",
                     fetched.structured_content["memory"]["content"] == "We decided to keep MCP tool handlers thin"
                     and "keep MCP tool handlers thin" in text_of(fetched), text_of(fetched))

        updated = await ok("update_memory", {"memory_id": memory_id, "importance": 0.95, "tags": ["architecture", "mcp"],
                                             "content": "We decided to keep MCP tool handlers thin and tested"},
                           "update_memory succeeds")
        umem = updated.structured_content["memory"]
        checks.check("update_memory changes what it names", umem["importance"] == 0.95 and umem["tags"] == ["architecture", "mcp"]
                     and umem["content"].endswith("and tested") and umem["entities"] == ["MemoryMCP"], umem)

        touched = await ok("update_session_context", {"metadata": {"branch": "mcp"}, "tags": ["reviewed"]},
                           "update_session_context succeeds")
        tsession = touched.structured_content["session"]
        checks.check("update_session_context merges metadata and adds tags",
                     tsession["metadata"].get("branch") == "mcp" and tsession["metadata"].get("client") == "python"
                     and "reviewed" in tsession["tags"] and "mcp-check" in tsession["tags"], tsession)

        with_context = await ok("get_session", {"session_id": session_two, "include_context": True}, "get_session with context succeeds")
        important = with_context.structured_content["context"]["important_memories"]
        checks.check("the session context lists the important memory", [m["id"] for m in important] == [memory_id], important)

        history = await ok("get_session_history", {"limit": 10}, "get_session_history succeeds")
        ids = [s["id"] for s in history.structured_content["sessions"]]
        checks.check("the history lists both sessions, newest first", ids[:2] == [session_two, session_one], ids)

        # Search, statistics and context (the search issue's engine).
        found = await call("search_memories", {"query": "tool handlers thin", "limit": 5})
        checks.check("search_memories succeeds", not found.is_error, text_of(found))
        if not found.is_error:
            results = found.structured_content["results"]
            checks.check("search finds the decision first", results and results[0]["id"] == memory_id, results)
        stats = await call("get_memory_stats", {})
        checks.check("get_memory_stats succeeds", not stats.is_error, text_of(stats))
        if not stats.is_error:
            checks.check("get_memory_stats counts three memories, one decision",
                         stats.structured_content["total_memories"] == 3
                         and stats.structured_content["memories_by_type"]["decision"] == 1, stats.structured_content)
        context = await call("get_context", {"query": "how are MCP handlers written", "max_tokens": 1000})
        checks.check("get_context succeeds", not context.is_error, text_of(context))
        if not context.is_error:
            checks.check("get_context returns the formatted block as text",
                         text_of(context) == context.structured_content["formatted_context"]
                         and "thin" in text_of(context), text_of(context))

        # Tool errors: unknown ids, bad arguments, missing required ones.
        missing_id = str(uuid.uuid4())
        await fails("get_memory", {"memory_id": missing_id}, "an unknown memory is a tool error", "not found", missing_id)
        await fails("get_memory", {"memory_id": "not-a-uuid"}, "a malformed id is a tool error", "memory_id", "uuid")
        await fails("get_memory", {}, "a missing memory_id is a tool error", "memory_id is required")
        await fails("create_memory", {"content": "no type"}, "a missing memory_type is a tool error", "memory_type is required")
        await fails("create_memory", {"memory_type": "fact"}, "a missing content is a tool error", "content is required")
        await fails("create_memory", {"content": "x", "memory_type": "thought"}, "an unknown memory_type is a tool error",
                    "memory_type must be one of")
        await fails("create_memory", {"content": "x", "memory_type": "fact", "importance": 7}, "importance out of range is a tool error",
                    "importance must be between 0 and 1")
        await fails("create_memory", {"content": "x", "memory_type": "fact", "tags": "one"}, "a wrong type is a tool error",
                    "tags must be an array of strings")
        await fails("create_memory", {"content": "x", "type": "fact"}, "a misspelt argument is a tool error", "'type'")
        await fails("create_memory", {"content": "x", "memory_type": "fact", "session_id": missing_id},
                    "an unknown session is a tool error", "not found")
        await fails("search_memories", {"query": "x", "limit": "ten"}, "a non-integer limit is a tool error", "limit must be an integer")
        await fails("get_session_history", {"limit": 0}, "a limit out of range is a tool error", "limit must be between 1 and 200")
        await fails("end_session", {"reason": "bored"}, "an unknown end reason is a tool error", "reason must be one of")
        await fails("update_memory", {"memory_id": missing_id, "importance": 0.1}, "updating an unknown memory is a tool error", "not found")
        await fails("no_such_tool", {}, "an unknown tool is a tool error", "no tool named")

        deleted = await ok("delete_memory", {"memory_id": memory_id}, "delete_memory succeeds")
        checks.check("delete_memory names what it deleted", deleted.structured_content["deleted"] == memory_id, deleted.structured_content)
        await fails("get_memory", {"memory_id": memory_id}, "a deleted memory is gone", "not found")
        await fails("delete_memory", {"memory_id": memory_id}, "deleting twice is a tool error", "not found")

        ended = await ok("end_session", {"summary": "Checked every tool", "reason": "normal"}, "end_session succeeds")
        esession = ended.structured_content["session"]
        checks.check("end_session ends the current session with the summary",
                     esession["id"] == session_two and esession["state"] == "ended" and esession["summary"] == "Checked every tool", esession)
        await fails("get_session", {}, "after end_session there is no current session", "no current session")
        again = await ok("create_memory", {"content": "A memory after the end", "memory_type": "fact"},
                         "create_memory after end_session starts a new session")
        checks.check("the new on-demand session is neither ended one",
                     again.structured_content["memory"]["session_id"] not in (session_one, session_two), again.structured_content)
        checks.facts["memory_id"] = again.structured_content["memory"]["id"]
        checks.facts["session_id"] = session_one

    # Another user sees none of it.
    async with connect(args, user + "-other") as other:
        foreign = await other.call_tool("get_memory", {"memory_id": checks.facts["memory_id"]})
        checks.check("another user's memory is not found", foreign.is_error and "not found" in text_of(foreign).lower(), text_of(foreign))
        foreign = await other.call_tool("get_session", {"session_id": checks.facts["session_id"]})
        checks.check("another user's session is not found", foreign.is_error and "not found" in text_of(foreign).lower(), text_of(foreign))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--transport", choices=["stdio", "http"], required=True)
    parser.add_argument("--binary")
    parser.add_argument("--database")
    parser.add_argument("--url")
    args = parser.parse_args()
    asyncio.run(run_main(lambda checks: scenario(args, checks)))


if __name__ == "__main__":
    main()
