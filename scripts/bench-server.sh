# Sourced by the benchmark scripts. median VALUES... prints the median (latencies keep their unit).
# start_server NAME FLAGS... starts `$bin/memoryhub serve` (or `$program serve`) on a
# free port with FLAGS, logs to $work/NAME.log, and sets $server_pid and $base (http://HOST:PORT).
start_server() {
  local log="$work/$1.log"
  "${program:-$bin/memoryhub}" serve --port 0 --log-level notice "${@:2}" >/dev/null 2>"$log" &
  server_pid=$!
  for _ in $(seq 1 400); do
    base=$(grep -o 'http://[0-9.]*:[0-9]*' "$log" | head -1 || true)
    [ -n "$base" ] && return
    sleep 0.05
  done
  echo "server did not start: $(cat "$log")" >&2
  exit 1
}

median() { # numbers, or latencies with a unit (us, ms, s): prints the median in the input's form
  python3 - "$@" <<'PY'
import sys, re
values = sys.argv[1:]
def seconds(v):
    m = re.match(r"([0-9.]+)(us|ms|s)?$", v)
    n, unit = float(m.group(1)), m.group(2)
    return n * {"us": 1e-6, "ms": 1e-3, "s": 1.0, None: 1.0}[unit]
print(sorted(values, key=seconds)[len(values) // 2])
PY
}
