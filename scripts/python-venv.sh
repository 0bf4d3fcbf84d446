#!/usr/bin/env bash
# python-venv.sh VENV PACKAGE VERSION: makes (once) a virtualenv at VENV holding PACKAGE==VERSION
# and prints its python's path. Used by mcp-venv.sh and pages-venv.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$1" package="$2" version="$3"
if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('$package') != '$version')" 2>/dev/null; then
  echo "Installing $package==$version into $venv" >&2
  mkdir -p "$(dirname "$venv")"
  if ! python3 -m venv "$venv" >&2; then
    # Debian's own python3 needs python3-venv for ensurepip.
    scripts/install-packages.sh python3-venv >&2
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$package==$version" >&2
fi
echo "$venv/bin/python"
