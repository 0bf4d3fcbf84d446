#!/usr/bin/env bash
# Builds everything, starts a private PostgreSQL 15 cluster and redis-server (unless
# MEMORYHUB_TEST_POSTGRES_URL and MEMORYHUB_TEST_REDIS_URL are already set), runs every test suite
# against them and the embedded store, and stops the services. Fails if they cannot start.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
export MEMORYHUB_BINARY="$PWD/.build/debug/memoryhub"
if [ -z "${MEMORYHUB_TEST_POSTGRES_URL:-}" ] || [ -z "${MEMORYHUB_TEST_REDIS_URL:-}" ]; then
  services=$(scripts/test-services.sh start)
  eval "$services"
  trap 'scripts/test-services.sh stop "$MEMORYHUB_SERVICES_DIR"' EXIT
  echo "PostgreSQL: $MEMORYHUB_TEST_POSTGRES_URL  Redis: $MEMORYHUB_TEST_REDIS_URL" >&2
fi
swift test --skip-build "$@"
