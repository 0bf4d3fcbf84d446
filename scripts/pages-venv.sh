#!/usr/bin/env bash
# Makes (once) a virtualenv with Selenium for the web page tests, installs Debian's chromium and
# chromium-driver when missing, and prints the venv's python's path. The venv lives in
# .build/pages-venv (not in git); MEMORYHUB_PAGES_VENV overrides.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-packages.sh chromium chromium-driver >&2
exec scripts/python-venv.sh "${MEMORYHUB_PAGES_VENV:-$PWD/.build/pages-venv}" selenium 4.38.0
