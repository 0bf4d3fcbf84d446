"""Shared helpers for the MCP client checks: connecting with the official MCP Python SDK over
stdio or streamable HTTP, calling tools, and recording named checks as JSON for the Swift suite."""

import json
import sys
import traceback
from contextlib import asynccontextmanager

import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client


@asynccontextmanager
async def connect(args, user, project="checks"):
    """A Client on the memoryhub binary over stdio, or on `args.url` over HTTP as `user`."""
    if args.transport == "stdio":
        params = StdioServerParameters(
            command=args.binary,
            args=["mcp", "--database", args.database, "--user", user, "--project", project, "--log-level", "warning"],
        )
        async with Client(params, read_timeout_seconds=120) as client:
            yield client
    else:
        headers = {"X-User-ID": user, "X-Project-ID": project}
        async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(120.0)) as http:
            async with Client(streamable_http_client(args.url, http_client=http), read_timeout_seconds=120) as client:
                yield client


def text_of(result):
    return "\n".join(block.text for block in result.content if getattr(block, "type", None) == "text")


class Checks:
    """Named pass/fail checks, printed as one JSON document at the end."""

    def __init__(self):
        self.items = []
        self.facts = {}

    def check(self, name, ok, detail=""):
        self.items.append({"name": name, "ok": bool(ok), "detail": str(detail)[:2000]})
        return ok

    def report(self, error=None):
        document = {"checks": self.items, "facts": self.facts}
        if error is not None:
            document["error"] = error
        print(json.dumps(document))
        sys.stdout.flush()


async def run_main(body):
    checks = Checks()
    try:
        await body(checks)
        checks.report()
    except BaseException:  # noqa: BLE001 - every failure must reach the report
        checks.report(error=traceback.format_exc())
