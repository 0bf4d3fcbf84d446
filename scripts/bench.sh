#!/usr/bin/env bash
# Benchmarks (release build): session GET through the service in every deployment (embedded with
# and without its cache, PostgreSQL with the Redis cache and without a cache), side by side; then
# requests/s for GET /api/memory/session/{id} over HTTP with wrk for each. Starts a private
# PostgreSQL and Redis (scripts/test-services.sh). Prints markdown for BENCHMARKS.md.
# Usage: scripts/bench.sh [wrk seconds, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
swift build -c release >&2
bin=.build/release

work=$(mktemp -d)
eval "$(scripts/test-services.sh start)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"; scripts/test-services.sh stop "$MEMORYHUB_SERVICES_DIR"' EXIT
pg="$MEMORYHUB_TEST_POSTGRES_URL"
redis="$MEMORYHUB_TEST_REDIS_URL"

echo "### Session GET through the service"
echo
echo '```'
echo "$bin/MemoryBench --postgres postgres://... --redis redis://..."
echo '```'
echo
"$bin/MemoryBench" --postgres "$pg" --redis "$redis"
echo

source "$(dirname "$0")/bench-server.sh"

echo "### GET /api/memory/session/{id} over HTTP (wrk, 2 threads, 32 connections, ${seconds}s)"
echo
echo "| mode | requests/s | p50 | p90 | p99 | session cache hit ratio |"
echo "|---|---|---|---|---|---|"
for mode in "embedded, in-process cache" "embedded, no cache" "PostgreSQL + Redis cache" "PostgreSQL, no cache"; do
  case "$mode" in
    "embedded, in-process cache") flags=(--database "$work/cached.sqlite") ;;
    "embedded, no cache") flags=(--database "$work/uncached.sqlite" --no-cache) ;;
    "PostgreSQL + Redis cache") flags=(--database "$pg" --redis "$redis") ;;
    "PostgreSQL, no cache") flags=(--database "$pg" --no-cache) ;;
  esac
  start_server "mode" "${flags[@]}"
  id=$(curl -s -X POST "$base/api/memory/session/start" -H 'Content-Type: application/json' \
    -d '{"user_id":"bench","project_id":"wrk","metadata":{"client":"wrk","nested":{"a":[1,2,3]}},"tags":["bench"]}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  out=$(wrk -t2 -c32 -d"${seconds}s" --latency "$base/api/memory/session/$id")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p90=$(echo "$out" | awk '$1=="90%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  ratio=$(curl -s "$base/api/memory/admin/cache/stats" |
    python3 -c 'import json,sys; c=json.load(sys.stdin)["caches"]["session"]; print("%.3f" % c["hit_ratio"] if c["backend"] != "none" else "-")')
  echo "| $mode | $rps | $p50 | $p90 | $p99 | $ratio |"
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
done
