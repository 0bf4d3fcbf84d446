# Sourced by the benchmark scripts: start_server NAME FLAGS... starts `$bin/memoryhub serve` on a
# free port with FLAGS, logs to $work/NAME.log, and sets $server_pid and $base (http://HOST:PORT).
start_server() {
  local log="$work/$1.log"
  "$bin/memoryhub" serve --port 0 --log-level notice "${@:2}" >/dev/null 2>"$log" &
  server_pid=$!
  for _ in $(seq 1 400); do
    base=$(grep -o 'http://[0-9.]*:[0-9]*' "$log" | head -1 || true)
    [ -n "$base" ] && return
    sleep 0.05
  done
  echo "server did not start: $(cat "$log")" >&2
  exit 1
}
