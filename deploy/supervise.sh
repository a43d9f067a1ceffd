#!/usr/bin/env bash
# Keep one process running: restart it when it dies, after a back-off, and say so.
#   deploy/supervise.sh NAME LOGFILE COMMAND [ARGS...]
# The back-off doubles from SB_RESTART_MIN_SECONDS (1) up to SB_RESTART_MAX_SECONDS (30)
# while the process keeps dying young, and starts over once a run lasted
# SB_RESTART_RESET_SECONDS (60). The current child's pid is written to var/run/NAME.pid.
# SIGTERM/SIGINT stop the child (TERM, then KILL after 15 s) and the supervisor.
set -uo pipefail
name="$1"; logfile="$2"; shift 2
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="${SB_RUN_DIR:-$ROOT/var/run}"
mkdir -p "$RUN_DIR" "$(dirname "$logfile")"
min="${SB_RESTART_MIN_SECONDS:-1}" max="${SB_RESTART_MAX_SECONDS:-30}"
reset="${SB_RESTART_RESET_SECONDS:-60}"

say() { printf '%s supervise: %s\n' "$(date -u +%FT%TZ)" "$*" | tee -a "$logfile" >&2; }

child=""
stop() {
  trap - TERM INT
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null
    for _ in $(seq 1 150); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$child" 2>/dev/null
  fi
  rm -f "$RUN_DIR/$name.pid"
  exit 0
}
trap stop TERM INT

backoff="$min"
died_at=""
while true; do
  started=$SECONDS
  "$@" >>"$logfile" 2>&1 &
  child=$!
  echo "$child" >"$RUN_DIR/$name.pid"
  if [ -n "$died_at" ]; then
    say "restarted $name (pid $child), $((SECONDS - died_at)) s after it died"
  fi
  rc=0; wait "$child" || rc=$?
  died_at=$SECONDS
  lived=$((SECONDS - started))
  [ "$lived" -ge "$reset" ] && backoff="$min"
  say "$name (pid $child) exited with status $rc after ${lived} s; restarting in ${backoff} s"
  sleep "$backoff" & wait $! || true
  backoff=$((backoff * 2 > max ? max : backoff * 2))
done
