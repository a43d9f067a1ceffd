#!/usr/bin/env bash
# Run the whole platform: services, gateway, databases, migrations and demo data.
# Uses the PostgreSQL and RabbitMQ already listening; installs and starts them on a fresh
# Debian/Ubuntu machine, or runs `docker compose` when they are absent and Docker is there.
# Scale a service with --replicas routing_policy=3,gateway=2 (or SB_REPLICAS_<SERVICE>=N).
# Every process runs under deploy/supervise.sh: one that dies is restarted, with back-off,
# and the restart is printed. Each serves Prometheus metrics on its own port (printed).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
# This script is the development run: development key rules (see README, Security) unless
# told otherwise. Production sets SB_ENV=production and real keys.
export SB_ENV="${SB_ENV:-development}"

usage() { echo "usage: deploy/run.sh [--replicas NAME=N[,NAME=N...]]" >&2; exit 2; }
KNOWN=" gateway $(ls services/*/service.py | cut -d/ -f2 | tr '\n' ' ')"
while [ $# -gt 0 ]; do
  case "$1" in
    --replicas) [ $# -ge 2 ] || usage
      IFS=, read -ra pairs <<<"$2"
      for pair in "${pairs[@]}"; do
        name="${pair%%=*}" count="${pair#*=}"
        [[ "$pair" == *=* && "$count" =~ ^[1-9][0-9]*$ ]] || { log "--replicas: '$pair' is not NAME=N (N >= 1)"; exit 2; }
        [[ "$KNOWN" == *" $name "* ]] || { log "--replicas: no process named '$name' (one of:$KNOWN)"; exit 2; }
        export "SB_REPLICAS_$(echo "$name" | tr '[:lower:]' '[:upper:]')=$count"
      done
      shift 2 ;;
    -h|--help) usage ;;
    *) log "unknown argument: $1"; usage ;;
  esac
done

if ! port_open "$PG_HOST" "$PG_PORT" && ! port_open 127.0.0.1 5672 &&
   command -v docker >/dev/null && docker info >/dev/null 2>&1 && [ -z "${SB_NO_DOCKER:-}" ]; then
  log "no local PostgreSQL/RabbitMQ but a Docker engine: using docker compose"
  exec docker compose up --build
fi

ensure_infrastructure
mkdir -p var/log
if [ -z "${SB_SECRET_KEY:-}" ]; then
  [ -s var/secret_key ] || (umask 077; "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(48))' > var/secret_key)
  SB_SECRET_KEY="$(cat var/secret_key)"; export SB_SECRET_KEY
fi

log "migrating databases"
"$VENV/bin/python" -m sbcommon.migrate
ensure_least_privilege
# Each process connects as its own database role and broker user (SB_LEAST_PRIVILEGE=0:
# as the administrator, as before).
declare -A AMQP_URIS=()
if [ "${SB_LEAST_PRIVILEGE:-1}" != 0 ]; then
  export SB_DB_ROLES=1
  while IFS='=' read -r key value; do AMQP_URIS["${key#AMQP_URI_}"]="$value"; done \
    < <("$VENV/bin/python" -m sbcommon.roles broker --env)
fi
amqp_uri_of() {  # the broker URI a process kind uses
  local kind; kind="$(echo "$1" | tr '[:lower:]' '[:upper:]')"
  echo "${AMQP_URIS[$kind]:-${AMQP_URI:-amqp://guest:guest@127.0.0.1:5672/}}"
}
# Credentials go to this terminal only (--print), never into a service's log.
"$VENV/bin/python" -m services.accounts.bootstrap --print

PIDS=()
METRICS=()
# Local SMTP capture server: the platform's mail lands in var/mail/*.eml, nothing is relayed.
# Skipped when SB_SMTP_HOST points elsewhere (a real server).
if [ -z "${SB_SMTP_HOST:-}" ]; then
  mkdir -p var/mail
  "$VENV/bin/python" -m services.notifications.devsmtp --port "${SB_SMTP_PORT:-8025}" --dir var/mail \
    >>var/log/devsmtp.log 2>&1 &
  PIDS+=("$!")
fi
stop_all() { [ ${#PIDS[@]} -gt 0 ] && kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null || true; }
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

supervised() {  # name replica command...: one replica under deploy/supervise.sh
  local name="$1" i="$2" port; shift 2
  port="$("$VENV/bin/python" -m sbcommon.config metrics-port "$name" "$i")"
  SB_REPLICA="$name-$i" SB_METRICS_PORT="$port" SB_METRICS_ADDRESS=127.0.0.1 \
    "$ROOT/deploy/supervise.sh" "$name-$i" "var/log/$name-$i.log" "$@" &
  PIDS+=("$!")
  METRICS+=("$name-$i=http://127.0.0.1:$port/metrics")
}

start_service() {  # name module replicas
  local name="$1" module="$2" replicas="$3" workers
  workers="$("$VENV/bin/python" -m sbcommon.config max-workers "$name")"
  for i in $(seq 1 "$replicas"); do
    SB_MAX_WORKERS="$workers" AMQP_URI="$(amqp_uri_of "$name")" supervised "$name" "$i" \
      "$VENV/bin/nameko" run --config deploy/config/nameko.yml "$module"
  done
  log "started $name x$replicas (logs: var/log/$name-*.log)"
}

# Every service the platform has (services/<name>/service.py), then the gateway.
for name in $("$VENV/bin/python" -c 'from sbcommon.config import platform_services as p; print(*p())'); do
  replicas_var="SB_REPLICAS_$(echo "$name" | tr '[:lower:]' '[:upper:]')"
  start_service "$name" "services.$name.service" "${!replicas_var:-1}"
done
start_service gateway gateway.service "${SB_REPLICAS_GATEWAY:-1}"
# The phones' file server (FTP + HTTP) of the provisioning service: its own process, not
# nameko (pyftpdlib is thread-based); one per host, in front of the same database.
# It needs no broker: it gets no broker credentials.
supervised provisioning-files 1 env -u AMQP_URI "$VENV/bin/python" -m services.provisioning.fileserver
log "started the provisioning file server (FTP :${PROVISIONING_FTP_PORT:-2121}, HTTP :${PROVISIONING_HTTP_PORT:-8021})"

ADDRESS="${SB_HTTP_ADDRESS:-0.0.0.0:8000}"
PORT="${ADDRESS##*:}"
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null || { log "the gateway is not healthy; see var/log"; exit 1; }
log "Switchboard is running"
echo "  portal:  http://127.0.0.1:$PORT/login"
echo "  API:     http://127.0.0.1:$PORT/api/v1/openapi.json"
echo "  health:  http://127.0.0.1:$PORT/health"
echo "  PBX:     http://${SB_PBX_HTTP_ADDRESS:-127.0.0.1:8010}/pbx/v1/authorize  (routing_policy answers directly; Kamailio: deploy/pbx/kamailio/kamailio.cfg)"
echo "  phones:  ftp://127.0.0.1:${PROVISIONING_FTP_PORT:-2121}/  http://127.0.0.1:${PROVISIONING_HTTP_PORT:-8021}/"
[ -z "${SB_SMTP_HOST:-}" ] && echo "  mail:    captured as .eml files in $ROOT/var/mail/ (SMTP 127.0.0.1:${SB_SMTP_PORT:-8025})"
echo "  metrics: ${METRICS[*]}"
echo "  stop:    Ctrl-C (a process that dies is restarted; see var/log/<name>-<n>.log)"
wait
