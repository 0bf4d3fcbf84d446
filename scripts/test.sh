#!/usr/bin/env bash
# Builds everything (the tests start the real memoryhub binary) and runs every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
export MEMORYHUB_BINARY="$PWD/.build/debug/memoryhub"
swift test --skip-build "$@"
