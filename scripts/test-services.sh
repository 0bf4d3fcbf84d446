#!/usr/bin/env bash
# Starts a private PostgreSQL 15 cluster and a private redis-server on free loopback ports in a
# temporary folder, prints `export` lines for the tests, and leaves them running.
#   eval "$(scripts/test-services.sh start)"     # sets MEMORYHUB_TEST_* and MEMORYHUB_SERVICES_DIR
#   scripts/test-services.sh stop "$MEMORYHUB_SERVICES_DIR"
# Installs postgresql-15 and redis-server from Debian's packages when missing. Fails loudly.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
PG_BIN=/usr/lib/postgresql/15/bin

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Runs a PostgreSQL tool as the postgres user when we are root (PostgreSQL refuses to run as root).
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  "$here/install-packages.sh" postgresql-15 redis-server >&2
  local dir
  dir=$(mktemp -d /tmp/memoryhub-services.XXXXXX)
  chmod 755 "$dir"
  mkdir -p "$dir/pg"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir/pg"
  local pg_port redis_port auth_port auth_password
  pg_port=$(free_port)
  redis_port=$(free_port)
  auth_port=$(free_port)
  auth_password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')

  as_postgres "$PG_BIN/initdb" -D "$dir/pg/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; echo "initdb failed" >&2; exit 1; }
  as_postgres "$PG_BIN/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/server.log" -w -t 60 \
    -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2 ||
    { cat "$dir/pg/server.log" >&2; echo "PostgreSQL did not start" >&2; exit 1; }
  for db in memoryhub_store memoryhub_cache memoryhub_http; do
    as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres "$db" >&2
  done

  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$dir" --logfile "$dir/redis.log" --pidfile "$dir/redis.pid" >&2
  for _ in $(seq 1 100); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -p "$redis_port" ping >/dev/null || { cat "$dir/redis.log" >&2; echo "redis-server did not start" >&2; exit 1; }
  # A second server that requires a password, for the client's AUTH test.
  redis-server --port "$auth_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --requirepass "$auth_password" --dir "$dir" --logfile "$dir/redis-auth.log" --pidfile "$dir/redis-auth.pid" >&2
  for _ in $(seq 1 100); do
    redis-cli -p "$auth_port" -a "$auth_password" --no-auth-warning ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -p "$auth_port" -a "$auth_password" --no-auth-warning ping >/dev/null ||
    { cat "$dir/redis-auth.log" >&2; echo "the password-protected redis-server did not start" >&2; exit 1; }

  echo "export MEMORYHUB_SERVICES_DIR=$dir"
  echo "export MEMORYHUB_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$pg_port/memoryhub_store"
  echo "export MEMORYHUB_TEST_REDIS_URL=redis://127.0.0.1:$redis_port/0"
  echo "export MEMORYHUB_TEST_REDIS_AUTH_URL=redis://:$auth_password@127.0.0.1:$auth_port/0"
  echo "export MEMORYHUB_TEST_PG_BIN=$PG_BIN"
}

stop() {
  local dir="$1"
  [ -d "$dir" ] || return 0
  [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
  [ -f "$dir/redis-auth.pid" ] && kill "$(cat "$dir/redis-auth.pid")" 2>/dev/null || true
  [ -d "$dir/pg/data" ] && as_postgres "$PG_BIN/pg_ctl" -D "$dir/pg/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
