#!/usr/bin/env bash
# Issue 16's table: GET session, POST memory (32 clients into one session; 32 users' sessions) and
# POST session/start (a new user each), with wrk -t2 -c32, on SQLite and on PostgreSQL + Redis,
# embeddings off, capture (redaction, de-duplication, supersession) on as shipped; ROUNDS rounds
# (default 3) alternating the stores, medians of requests/s and p99. Prints markdown for BENCHMARKS.md.
# Usage: scripts/bench-writes.sh [wrk seconds, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
rounds="${ROUNDS:-3}"
swift build -c release --product memoryhub >&2
bin=.build/release

work=$(mktemp -d)
eval "$(scripts/test-services.sh start)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"; scripts/test-services.sh stop "$MEMORYHUB_SERVICES_DIR"' EXIT
source "$(dirname "$0")/bench-server.sh"

# The wrk scripts. Memory contents are random words, so de-duplication and supersession see
# ordinary traffic (no two writes the same).
cat > "$work/words.lua" <<'LUA'
local words = {"deploy", "cache", "redis", "postgres", "index", "query", "token", "budget", "session", "vector",
  "search", "commit", "branch", "release", "schema", "worker", "queue", "retry", "timeout", "latency",
  "replica", "config", "policy", "review", "fixture", "profile", "trace", "metric", "alert", "hook",
  "plugin", "import", "export", "chain", "lease", "cleanup", "context", "summary", "entity", "pattern"}
math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6) + math.random(1, 1e6))
function sentence()
  local parts = {}
  for i = 1, 10 do parts[i] = words[math.random(1, #words)] end
  return "The " .. table.concat(parts, " ") .. " note " .. math.random(1, 1e9) .. "."
end
LUA
cat > "$work/memory.lua" <<'LUA'
dofile(os.getenv("WORK") .. "/words.lua")
local sessions = {}
for id in string.gmatch(os.getenv("SESSIONS"), "[^,]+") do sessions[#sessions + 1] = id end
request = function()
  local body = '{"session_id":"' .. sessions[math.random(1, #sessions)] .. '","memory_type":"fact","content":"' .. sentence() .. '"}'
  return wrk.format("POST", "/api/memory/memories", {["Content-Type"] = "application/json"}, body)
end
LUA
cat > "$work/start.lua" <<'LUA'
math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6))
local counter = 0
request = function()
  counter = counter + 1
  local body = '{"user_id":"u-' .. math.random(1, 1e9) .. '-' .. counter .. '","project_id":"wrk","auto_link":false}'
  return wrk.format("POST", "/api/memory/session/start", {["Content-Type"] = "application/json"}, body)
end
LUA

start_session() { # user -> id
  curl -s -X POST "$base/api/memory/session/start" -H 'Content-Type: application/json' \
    -d "{\"user_id\":\"$1\",\"project_id\":\"wrk\",\"auto_link\":false}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

declare -A rps p99 batching
stores=(sqlite postgres)
# BENCH_BASELINE=path/to/another/memoryhub measures that binary too, in the same rounds (before/after).
variants=(now)
[ -z "${BENCH_BASELINE:-}" ] || variants=(before now)
program() { if [ "$1" = before ]; then echo "$BENCH_BASELINE"; else echo "$bin/memoryhub"; fi; }
requests=("GET session" "POST memory, 32 clients into one session" "POST memory, 32 users' sessions" "POST session/start, a new user each")
for round in $(seq 1 "$rounds"); do
  for variant in "${variants[@]}"; do
  for store in "${stores[@]}"; do
    key="$variant-$store"
    if [ "$store" = sqlite ]; then
      program=$(program "$variant") start_server "$key-$round" --no-embeddings --database "$work/$variant-$round.sqlite"
    else
      program=$(program "$variant") start_server "$key-$round" --no-embeddings --database "$MEMORYHUB_TEST_POSTGRES_URL" --redis "$MEMORYHUB_TEST_REDIS_URL"
    fi
    one=$(start_session "$variant-one-$round")
    many=""
    for user in $(seq 1 32); do many+="$(start_session "$variant-user-$round-$user"),"; done
    for index in 0 1 2 3; do
      case $index in
        0) out=$(wrk -t2 -c32 -d"${seconds}s" --latency -H "X-User-ID: $variant-one-$round" "$base/api/memory/session/$one") ;;
        1) out=$(WORK="$work" SESSIONS="$one" wrk -t2 -c32 -d"${seconds}s" --latency -s "$work/memory.lua" "$base") ;;
        2) out=$(WORK="$work" SESSIONS="${many%,}" wrk -t2 -c32 -d"${seconds}s" --latency -s "$work/memory.lua" "$base") ;;
        3) out=$(wrk -t2 -c32 -d"${seconds}s" --latency -s "$work/start.lua" "$base") ;;
      esac
      errors=$(echo "$out" | awk '/Non-2xx/ {print $5}')
      [ -z "$errors" ] || echo "warning: $key ${requests[$index]}: $errors non-2xx answers" >&2
      rps["$key,$index"]+="$(echo "$out" | awk '/Requests\/sec/ {print $2}') "
      p99["$key,$index"]+="$(echo "$out" | awk '$1=="99%" {print $2}') "
    done
    # Group commit: memories written per insert transaction over this round's two POST memory runs.
    batching["$key"]+="$(curl -s "$base/metrics" | awk '/^memoryhub_store_memory_inserts_items_total/ {i=$2} /^memoryhub_store_memory_inserts_transactions_total/ {t=$2} END {if (t > 0) printf "%.1f", i / t; else print 1}') "
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  done
  done
done

echo "wrk -t2 -c32 -d${seconds}s, embeddings off, median of $rounds rounds (\`scripts/bench-writes.sh $seconds\`)"
for variant in "${variants[@]}"; do
  echo
  [ "$variant" = now ] || echo "**$variant** (\`$BENCH_BASELINE\`):"
  [ "$variant" = now ] && [ "${#variants[@]}" -gt 1 ] && echo "**now** (\`$bin/memoryhub\`):"
  echo
  echo "| request | SQLite req/s | SQLite p99 | PostgreSQL + Redis req/s | PostgreSQL + Redis p99 |"
  echo "|---|---|---|---|---|"
  for index in 0 1 2 3; do
    echo "| ${requests[$index]} | $(median ${rps[$variant-sqlite,$index]}) | $(median ${p99[$variant-sqlite,$index]}) | $(median ${rps[$variant-postgres,$index]}) | $(median ${p99[$variant-postgres,$index]}) |"
  done
  echo
  echo "Memories per insert transaction, median of rounds: SQLite $(median ${batching[$variant-sqlite]}), PostgreSQL $(median ${batching[$variant-postgres]})"
done
