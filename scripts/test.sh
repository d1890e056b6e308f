#!/usr/bin/env bash
# Run a command (pytest) with test services of its own, so two runs on one
# machine never meet: a redis-server on a free port in a temporary directory
# (stopped afterwards), and a database name no other run uses (pytest-django
# creates test_<name>[_gwN] from it and drops them at the end).
# PostgreSQL is the shared server (DATABASE_URL's host); set REDIS_URL or
# DATABASE_URL yourself to use your own instead.
set -euo pipefail

run_id="$(date +%s)_$$"
workdir="$(mktemp -d -t lra-test-XXXXXX)"

if [ -z "${REDIS_URL:-}" ]; then
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --dir "$workdir" --pidfile "$workdir/redis.pid" --logfile "$workdir/redis.log"
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  export REDIS_URL="redis://127.0.0.1:$port/0"
fi
cleanup() {
  if [ -f "$workdir/redis.pid" ]; then kill "$(cat "$workdir/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$workdir"
}
trap cleanup EXIT

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/lra_${run_id}}"
"$@"
