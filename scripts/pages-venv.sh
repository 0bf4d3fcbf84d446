#!/usr/bin/env bash
# Makes (once) a virtualenv with Selenium for the web page tests, installs Debian's chromium and
# chromium-driver when missing, and prints the venv's python's path. The venv lives in
# .build/pages-venv (not in git); MEMORYHUB_PAGES_VENV overrides.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-packages.sh chromium chromium-driver >&2
venv="${MEMORYHUB_PAGES_VENV:-$PWD/.build/pages-venv}"
version="4.38.0"
if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('selenium') != '$version')" 2>/dev/null; then
  echo "Installing selenium==$version into $venv" >&2
  mkdir -p "$(dirname "$venv")"
  if ! python3 -m venv "$venv" >&2; then
    # Debian's own python3 needs python3-venv for ensurepip.
    scripts/install-packages.sh python3-venv >&2
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check "selenium==$version" >&2
fi
echo "$venv/bin/python"
