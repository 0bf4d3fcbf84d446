#!/usr/bin/env bash
# Builds everything, starts a private PostgreSQL 15 cluster and redis-server (unless
# MEMORYHUB_TEST_POSTGRES_URL and MEMORYHUB_TEST_REDIS_URL are already set), runs every test suite
# against them and the embedded store, and stops the services. Fails if they cannot start.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
# The embedding tests need the model that `make setup` installs (scripts/install-model.sh).
export MEMORYHUB_MODEL_DIR="${MEMORYHUB_MODEL_DIR:-$HOME/.local/share/memoryhub/models/all-MiniLM-L6-v2}"
export MEMORYHUB_BINARY="$PWD/.build/debug/memoryhub"
# The official MCP Python SDK, a real client for the MCP suites.
MEMORYHUB_MCP_PYTHON=$(scripts/mcp-venv.sh)
export MEMORYHUB_MCP_PYTHON
# Debian's chromium and chromium-driver, and Selenium in a venv, for the web pages' browser test.
MEMORYHUB_PAGES_PYTHON=$(scripts/pages-venv.sh)
export MEMORYHUB_PAGES_PYTHON
if [ -z "${MEMORYHUB_TEST_POSTGRES_URL:-}" ] || [ -z "${MEMORYHUB_TEST_REDIS_URL:-}" ]; then
  services=$(scripts/test-services.sh start)
  eval "$services"
  trap 'scripts/test-services.sh stop "$MEMORYHUB_SERVICES_DIR"' EXIT
  echo "PostgreSQL: $MEMORYHUB_TEST_POSTGRES_URL  Redis: $MEMORYHUB_TEST_REDIS_URL (and one with a password)" >&2
fi
log=$(mktemp)
# A crash prints its backtrace and then every register and image; CI keeps only the tail of the
# output, so print the crashed thread's frames alone (and the summary below names the test).
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=yes,interactive=no,color=no,threads=crashed,registers=none,images=none}"
set +e
if [ "$#" -eq 0 ]; then
  # The headless browser takes most of both cores for its ~10 s; run alone after everything else,
  # so that the timing-sensitive suites (Redis outages, circuit breakers, lock timeouts) never
  # share the machine with it.
  swift test --skip-build --skip PagesBrowserTests 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  if [ "$status" -eq 0 ]; then
    swift test --skip-build --filter PagesBrowserTests 2>&1 | tee -a "$log"
    status=${PIPESTATUS[0]}
  fi
else
  swift test --skip-build "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
fi
set -e
# XCTest's "Executed 0 tests" (we have none) is not the count: say the Swift Testing one plainly.
count=$(grep -o 'Test run with [0-9]* tests\? ' "$log" | grep -o '[0-9][0-9]*' | awk '{ total += $1 } END { if (NR) print total }' || true)
if [ "$status" -ne 0 ]; then
  # Last in the output, where CI's tail shows it: the tests that started and never ended (a crash
  # is among them), the crashed thread's first frames, and the failed tests.
  python3 - "$log" <<'PY' || true
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
started, ended = [], set()
for line in text.splitlines():
    m = re.match(r"\S+ Test (.+?) (started\.|passed after|failed after|skipped)", line)
    if not m or m.group(1).startswith(("case passing", "run with ")) or m.group(1) == "run": continue  # cases end with their test
    name = re.sub(r" with \d+ test cases?$", "", m.group(1))
    (started.append if m.group(2) == "started." else ended.add)(name)
running = [name for name in dict.fromkeys(started) if name not in ended]
failed = sorted({m.group(1) for m in re.finditer(r"(?m)^\S+ Test (.+?) failed after", text) if not m.group(1).startswith(("run with", "case passing"))})
print("\n== tests still running when the run ended:", *(running[-12:] or ["(none)"]), sep="\n  ")
crash = re.search(r"(?m)^(💣|Thread \d+ .*crashed:)", text)
if crash:
    print("== crash:", *text[crash.start():].splitlines()[:40], sep="\n  ")
print("== failed tests:", *(failed[:40] or ["(none)"]), sep="\n  ")
PY
fi
rm -f "$log"
if [ "$status" -eq 0 ] && [ -n "$count" ]; then
  echo "tests: $count passed, 0 failed"
fi
exit "$status"
