#!/usr/bin/env bash
# What checking an API key costs: GET /api/memory/session/{id} on PostgreSQL + Redis with wrk,
# once in local mode (no key) and once with --auth required and a Bearer key (no rate limit),
# alternating, five rounds each (ROUNDS=n to change); prints the medians, and the median of the
# rounds' key/local ratios, as markdown for BENCHMARKS.md.
# Usage: scripts/bench-auth.sh [wrk seconds, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
rounds="${ROUNDS:-5}"
swift build -c release --product memoryhub >&2
bin=.build/release

work=$(mktemp -d)
eval "$(scripts/test-services.sh start)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"; scripts/test-services.sh stop "$MEMORYHUB_SERVICES_DIR"' EXIT
pg="$MEMORYHUB_TEST_POSTGRES_URL"
redis="$MEMORYHUB_TEST_REDIS_URL"
admin="bench-admin-key-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"

source "$(dirname "$0")/bench-server.sh"
export MEMORYHUB_ADMIN_KEY="$admin"
serve=(--no-embeddings --database "$pg" --redis "$redis")

# One user, one session and one key, made once through a keyed server.
start_server setup "${serve[@]}" --auth required --rate-limit 0
key=$(curl -s -X POST "$base/api/memory/admin/keys" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"user_id":"bench","name":"wrk"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
id=$(curl -s -X POST "$base/api/memory/session/start" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d '{"project_id":"wrk","metadata":{"client":"wrk","nested":{"a":[1,2,3]}},"tags":["bench"]}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true

declare -A rps p50 p99
for round in $(seq 1 "$rounds"); do
  for mode in local key; do
    if [ "$mode" = local ]; then
      start_server "$mode" "${serve[@]}" --auth local
      headers=(-H "X-User-ID: bench")
    else
      start_server "$mode" "${serve[@]}" --auth required --rate-limit 0
      headers=(-H "Authorization: Bearer $key")
    fi
    status=$(curl -s -o /dev/null -w '%{http_code}' "${headers[@]}" "$base/api/memory/session/$id")
    [ "$status" = 200 ] || { echo "$mode: GET answered $status" >&2; exit 1; }
    out=$(wrk -t2 -c32 -d"${seconds}s" --latency "${headers[@]}" "$base/api/memory/session/$id")
    rps[$mode]+="$(echo "$out" | awk '/Requests\/sec/ {print $2}') "
    p50[$mode]+="$(echo "$out" | awk '$1=="50%" {print $2}') "
    p99[$mode]+="$(echo "$out" | awk '$1=="99%" {print $2}') "
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  done
done

echo "### API key check: GET /api/memory/session/{id}, PostgreSQL + Redis (wrk, 2 threads, 32 connections, ${seconds}s, median of $rounds alternating rounds)"
echo
echo '```'
echo "scripts/bench-auth.sh $seconds"
echo '```'
echo
echo "| mode | requests/s | p50 | p99 | rounds (requests/s) |"
echo "|---|---|---|---|---|"
for mode in local key; do
  label=$([ "$mode" = local ] && echo "local mode, no key" || echo "--auth required, Bearer key")
  echo "| $label | $(median ${rps[$mode]}) | $(median ${p50[$mode]}) | $(median ${p99[$mode]}) | ${rps[$mode]}|"
done
python3 - "${rps[local]}" "${rps[key]}" <<'PY'
import statistics, sys
local = [float(v) for v in sys.argv[1].split()]
key = [float(v) for v in sys.argv[2].split()]
ratios = sorted(k / l for k, l in zip(key, local))
median = statistics.median(ratios)
print()
print(f"Key / local throughput, median of the {len(ratios)} paired rounds: {median:.3f} "
      f"(rounds: {', '.join(f'{r:.3f}' for r in ratios)}); a keyed request costs {100 * (1 - median):.1f}% of the throughput.")
PY
