#!/usr/bin/env bash
# Makes (once) a virtualenv with the official MCP Python SDK for the MCP client tests and prints
# its python's path. The venv lives in .build/mcp-venv (not in git); MEMORYHUB_MCP_VENV overrides.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/python-venv.sh "${MEMORYHUB_MCP_VENV:-$PWD/.build/mcp-venv}" mcp 2.3.0
