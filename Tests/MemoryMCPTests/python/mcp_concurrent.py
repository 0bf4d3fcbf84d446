"""Four MCP stdio clients, one MCP-over-HTTP client and the REST API write to one embedded
database at the same time; then every client must see every write. Prints named checks as JSON.
Usage: mcp_concurrent.py --binary PATH --database PATH --base http://127.0.0.1:PORT [--writes N]
"""

import argparse
import asyncio
import uuid
from types import SimpleNamespace

import httpx2

from mcp_support import Checks, connect, run_main, text_of


async def scenario(args, checks: Checks):
    user = f"concurrent-{uuid.uuid4().hex[:8]}"
    writes = args.writes
    stdio = SimpleNamespace(transport="stdio", binary=args.binary, database=args.database)
    http = SimpleNamespace(transport="http", url=args.base + "/mcp")
    written = {}  # writer name -> [(memory id, content)]
    sessions = {}

    async def mcp_writer(name, target, ready, go, done):
        async with connect(target, user, project="shared") as client:
            ready.set()
            await go.wait()
            mine = []
            for index in range(writes):
                content = f"{name} wrote memory {index}"
                result = await client.call_tool("create_memory", {"content": content, "memory_type": "fact"})
                if result.is_error:
                    raise RuntimeError(f"{name}: {text_of(result)}")
                memory = result.structured_content["memory"]
                mine.append((memory["id"], content))
                sessions[name] = memory["session_id"]
            written[name] = mine
            done.set()
            # Stay connected until everyone has written, then read the others' writes.
            await everyone_done.wait()
            unseen = []
            for writer, items in written.items():
                for memory_id, content in items:
                    if writer == name:
                        continue
                    seen = await client.call_tool("get_memory", {"memory_id": memory_id})
                    if seen.is_error or seen.structured_content["memory"]["content"] != content:
                        unseen.append((writer, memory_id, text_of(seen)))
            checks.check(f"{name} sees every other writer's memories", not unseen, unseen[:3])
            history = await client.call_tool("get_session_history", {"limit": 50})
            listed = {s["id"] for s in history.structured_content["sessions"]}
            checks.check(f"{name} sees every writer's session", set(sessions.values()) <= listed, sorted(listed))

    async def rest_writer(ready, go, done):
        async with httpx2.AsyncClient(base_url=args.base, headers={"X-User-ID": user}, timeout=120.0) as rest:
            started = await rest.post("/api/memory/session/start", json={"user_id": user, "project_id": "shared", "auto_link": False})
            session = started.json()["id"]
            sessions["rest"] = session
            ready.set()
            await go.wait()
            mine = []
            for index in range(writes):
                content = f"rest wrote memory {index}"
                response = await rest.post("/api/memory/memories", json={"session_id": session, "content": content, "memory_type": "fact"})
                if response.status_code != 201:
                    raise RuntimeError(f"rest: {response.status_code} {response.text}")
                mine.append((response.json()["id"], content))
            written["rest"] = mine
            done.set()

    names = [f"stdio-{n}" for n in range(1, 5)] + ["http"]
    readies = {name: asyncio.Event() for name in names + ["rest"]}
    dones = {name: asyncio.Event() for name in names + ["rest"]}
    go = asyncio.Event()
    everyone_done = asyncio.Event()

    async def conductor():
        for event in readies.values():
            await event.wait()
        go.set()  # every client is connected: now they all write at once
        for event in dones.values():
            await event.wait()
        everyone_done.set()

    tasks = [mcp_writer(name, stdio if name.startswith("stdio") else http, readies[name], go, dones[name]) for name in names]
    tasks.append(rest_writer(readies["rest"], go, dones["rest"]))
    await asyncio.wait_for(asyncio.gather(conductor(), *tasks), timeout=600)

    # Nothing lost: every session holds exactly what its writer acknowledged.
    async with httpx2.AsyncClient(base_url=args.base, headers={"X-User-ID": user}, timeout=120.0) as rest:
        total = 0
        for name, session in sessions.items():
            response = await rest.get(f"/api/memory/memories/session/{session}", params={"limit": 200})
            stored = {m["id"] for m in response.json()}
            acknowledged = {memory_id for memory_id, _ in written.get(name, [])}
            checks.check(f"{name}'s session holds exactly its acknowledged writes", stored == acknowledged,
                         f"stored {len(stored)} acknowledged {len(acknowledged)}")
            total += len(stored)
            session_row = (await rest.get(f"/api/memory/session/{session}")).json()
            checks.check(f"{name}'s session counts its memories", session_row["memory_count"] == len(acknowledged), session_row["memory_count"])
        checks.facts["total"] = total
        checks.check("no write was lost", total == writes * 6, f"{total} of {writes * 6}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--base", required=True)
    parser.add_argument("--writes", type=int, default=25)
    args = parser.parse_args()
    asyncio.run(run_main(lambda checks: scenario(args, checks)))


if __name__ == "__main__":
    main()
