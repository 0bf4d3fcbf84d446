#!/usr/bin/env bash
# Makes (once) a virtualenv with the official MCP Python SDK for the MCP client tests and prints
# its python's path. The venv lives in .build/mcp-venv (not in git); MEMORYHUB_MCP_VENV overrides.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${MEMORYHUB_MCP_VENV:-$PWD/.build/mcp-venv}"
version="2.3.0"
if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('mcp') != '$version')" 2>/dev/null; then
  echo "Installing mcp==$version into $venv" >&2
  mkdir -p "$(dirname "$venv")"
  if ! python3 -m venv "$venv" >&2; then
    # Debian's own python3 needs python3-venv for ensurepip.
    scripts/install-packages.sh python3-venv >&2
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check "mcp==$version" >&2
fi
echo "$venv/bin/python"
