#!/usr/bin/env bash
# Run every benchmark with the project's virtualenv: its own databases (sbbench_*) and
# RabbitMQ vhost (switchboard_bench). Prints numbers; not a pytest suite. ~20 minutes.
# Each benchmark starts what it needs, stops it on exit (and its children die with it), and
# runs under `timeout`; every one runs even if another fails, and the exit status says
# whether all of them finished.
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
STATEMENT_ARGS=()
NUMBERING_ARGS=()
ROUTING_ARGS=()
PROVISIONING_ARGS=()
SCALE_ARGS=()
PBX_ARGS=()
USER_IMPORT_ARGS=()
if [ -n "${SB_BENCH_QUICK:-}" ]; then
  NUMBERING_ARGS+=(--lines 10000 --orders 10)
  ROUTING_ARGS+=(--seconds 2)
  SEARCH_ARGS+=(--customers 10000 --runs 10)
  LOGIN_ARGS+=(--seconds 5 --baseline 3)
  FLOOD_ARGS+=(--seconds 5 --baseline 3)
  NOTIF_ARGS+=(--emails 100 --statements 10 --customers 5000)
  SCALE_ARGS+=(--seconds 4 --kill-seconds 22)
  STATEMENT_ARGS+=(--customers 500 --max-seconds 60)
  PBX_ARGS+=(--seconds 3 --rounds 1 --sipp-seconds 5 --sipp-limit 500)
  USER_IMPORT_ARGS+=(--users 2000 --pool 100)
fi

cd "$ROOT"
failed=()
bench() {  # seconds script args...
  local limit="$1" script="$2"; shift 2
  local started=$SECONDS rc=0
  timeout --foreground -k 20 -s TERM "$limit" "$PY" "bench/$script" "$@" || rc=$?
  if [ "$rc" -ne 0 ]; then
    failed+=("$script (exit $rc$([ "$rc" -eq 124 ] && echo ", over ${limit} s"))")
  fi
  echo "--- $script: $((SECONDS - started)) s, exit $rc"
}
bench 420 bench_customer_search.py "${SEARCH_ARGS[@]}"
bench 180 bench_login.py "${LOGIN_ARGS[@]}"
bench 180 bench_signin_flood.py "${FLOOD_ARGS[@]}"
bench 900 bench_notifications.py "${NOTIF_ARGS[@]}"
bench 2100 bench_statements.py "${STATEMENT_ARGS[@]}"
bench 600 bench_numbering.py "${NUMBERING_ARGS[@]}"
bench 900 bench_user_imports.py "${USER_IMPORT_ARGS[@]}"
bench 600 bench_routing_policy.py "${ROUTING_ARGS[@]}"
bench 600 bench_provisioning.py "${PROVISIONING_ARGS[@]}"
bench 600 bench_pbx_direct.py "${PBX_ARGS[@]}"
bench 600 bench_scale.py "${SCALE_ARGS[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "benchmarks that did not finish: ${failed[*]}" >&2
  exit 1
fi
echo "every benchmark finished"
