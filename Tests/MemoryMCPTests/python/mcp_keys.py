"""MCP over streamable HTTP with API keys (`memoryhub serve --auth required`), through the official
MCP Python SDK: a user key acts only as its user, a missing or revoked key is 401 with
WWW-Authenticate, and a key naming another user is 403. Prints the checks as JSON."""

import argparse
import asyncio
from contextlib import asynccontextmanager

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from mcp_support import run_main, text_of

INITIALIZE = {
    "jsonrpc": "2.0", "id": 1, "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "keys-check", "version": "1"}},
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@asynccontextmanager
async def connect(url, key):
    headers = {"Authorization": f"Bearer {key}", "X-Project-ID": "keys"}
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(120.0)) as http:
        async with Client(streamable_http_client(url, http_client=http), read_timeout_seconds=120) as client:
            yield client


async def scenario(args, checks):
    base = args.base
    admin = {"Authorization": f"Bearer {args.admin_key}"}
    async with httpx2.AsyncClient(base_url=base, timeout=120.0) as rest:
        keys = {}
        for user in ("alice", "bob"):
            created = await rest.post("/api/memory/admin/keys", json={"user_id": user, "name": "mcp"}, headers=admin)
            checks.check(f"the admin key creates {user}'s key", created.status_code == 201, created.text)
            keys[user] = created.json()

        anonymous = await rest.post("/mcp", json=INITIALIZE, headers=MCP_HEADERS)
        checks.check("MCP without a key is 401 with WWW-Authenticate: Bearer",
                     anonymous.status_code == 401 and anonymous.headers.get("www-authenticate", "").startswith("Bearer"),
                     f"{anonymous.status_code} {anonymous.headers}")
        naming_bob = await rest.post("/mcp", json=INITIALIZE,
                                     headers={**MCP_HEADERS, "Authorization": f"Bearer {keys['alice']['key']}", "X-User-ID": "bob"})
        checks.check("alice's key naming bob is 403", naming_bob.status_code == 403, f"{naming_bob.status_code} {naming_bob.text}")

        async with connect(base + "/mcp", keys["alice"]["key"]) as alice:
            started = await alice.call_tool("init_session", {})
            checks.check("alice's key starts a session as alice",
                         not started.is_error and started.structured_content["session"]["user_id"] == "alice", text_of(started))
            created = await alice.call_tool("create_memory", {"content": "alice keeps her notes in MemoryHub", "memory_type": "fact"})
            checks.check("alice's key stores a memory", not created.is_error, text_of(created))
            memory_id = created.structured_content["memory"]["id"] if not created.is_error else ""
            stats = await alice.call_tool("get_memory_stats", {})
            checks.check("get_memory_stats is alice's", not stats.is_error and stats.structured_content["user_id"] == "alice"
                         and stats.structured_content["total_memories"] == 1, stats.structured_content)

        async with connect(base + "/mcp", keys["bob"]["key"]) as bob:
            foreign = await bob.call_tool("get_memory", {"memory_id": memory_id})
            checks.check("bob's key does not find alice's memory", foreign.is_error and "not found" in text_of(foreign).lower(), text_of(foreign))
            found = await bob.call_tool("search_memories", {"query": "notes MemoryHub"})
            checks.check("bob's search finds none of alice's memories",
                         not found.is_error and found.structured_content["total"] == 0, found.structured_content)

        revoked = await rest.delete(f"/api/memory/admin/keys/{keys['alice']['id']}", headers=admin)
        checks.check("the admin key revokes alice's key", revoked.status_code == 204, revoked.text)
        after = await rest.post("/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": f"Bearer {keys['alice']['key']}"})
        checks.check("a revoked key is 401", after.status_code == 401, f"{after.status_code} {after.text}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--admin-key", required=True)
    args = parser.parse_args()
    asyncio.run(run_main(lambda checks: scenario(args, checks)))


if __name__ == "__main__":
    main()
