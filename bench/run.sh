#!/usr/bin/env bash
# Run every benchmark with the project's virtualenv: its own databases (sbbench_*) and
# RabbitMQ vhost (switchboard_bench). Prints numbers; not a pytest suite. ~8 minutes.
#   bench/run.sh                      every benchmark
#   SB_BENCH_QUICK=1 bench/run.sh     10 000 customers, 10 runs per shape, 5 s of load
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${SB_VENV:-$ROOT/.venv}/bin/python"
VHOST="${SB_BENCH_VHOST:-switchboard_bench}"
export PYTHONWARNINGS=ignore

if command -v rabbitmqctl >/dev/null; then
  sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  sudo_ rabbitmqctl -q list_vhosts | grep -qx "$VHOST" || sudo_ rabbitmqctl -q add_vhost "$VHOST"
  sudo_ rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*'
fi

SEARCH_ARGS=(--try-indexes)
LOGIN_ARGS=(--clients 1,4)
FLOOD_ARGS=(--clients 8)
NOTIF_ARGS=()
NUMBERING_ARGS=()
ROUTING_ARGS=()
PROVISIONING_ARGS=()
if [ -n "${SB_BENCH_QUICK:-}" ]; then
  NUMBERING_ARGS+=(--lines 10000 --orders 10)
  ROUTING_ARGS+=(--seconds 2)
  SEARCH_ARGS+=(--customers 10000 --runs 10)
  LOGIN_ARGS+=(--seconds 5 --baseline 3)
  FLOOD_ARGS+=(--seconds 5 --baseline 3)
  NOTIF_ARGS+=(--emails 100 --statements 10 --customers 5000)
fi

cd "$ROOT"
# Each script stops the service it started on exit, Ctrl-C or SIGTERM; `timeout` bounds it.
timeout --foreground -s TERM 420 "$PY" bench/bench_customer_search.py "${SEARCH_ARGS[@]}"
timeout --foreground -s TERM 180 "$PY" bench/bench_login.py "${LOGIN_ARGS[@]}"
timeout --foreground -s TERM 180 "$PY" bench/bench_signin_flood.py "${FLOOD_ARGS[@]}"
timeout --foreground -s TERM 900 "$PY" bench/bench_notifications.py "${NOTIF_ARGS[@]}"
timeout --foreground -s TERM 600 "$PY" bench/bench_numbering.py "${NUMBERING_ARGS[@]}"
timeout --foreground -s TERM 600 "$PY" bench/bench_routing_policy.py "${ROUTING_ARGS[@]}"
timeout --foreground -s TERM 600 "$PY" bench/bench_provisioning.py "${PROVISIONING_ARGS[@]}"
