# Shared by run.sh and test.sh: a Python 3.11 virtualenv with the pinned dependencies, and
# PostgreSQL + RabbitMQ listening (installed and started on a fresh Debian/Ubuntu machine).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SB_VENV:-$ROOT/.venv}"
PG_HOST="${SB_PG_HOST:-127.0.0.1}"
PG_PORT="${SB_PG_PORT:-5432}"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_port() {  # host port seconds
  for _ in $(seq 1 "$3"); do port_open "$1" "$2" && return 0; sleep 1; done
  return 1
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  command -v apt-get >/dev/null || { log "apt-get not found: install $* yourself"; exit 1; }
  if [ -z "${SB_APT_UPDATED:-}" ]; then as_root apt-get update -qq; SB_APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

find_python() {
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

ensure_venv() {
  local stamp="$VENV/.installed-$(sha1sum "$ROOT/pyproject.toml" | cut -c1-12)"
  [ -f "$stamp" ] && return 0
  local py
  py="$(find_python)" || { apt_install python3.11 python3.11-venv; py=python3.11; }
  log "installing Python dependencies into $VENV"
  [ -x "$VENV/bin/python" ] || "$py" -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade "pip<26" 2>&1 | grep -v '^WARNING: Location' || true
  "$VENV/bin/pip" install -q -e "$ROOT[dev]" 2>&1 | grep -v '^WARNING: Location' || true
  "$VENV/bin/python" -c 'import nameko, sqlalchemy, psycopg, argon2, playwright' 
  rm -f "$VENV"/.installed-*; touch "$stamp"
}

ensure_postgres() {
  if ! port_open "$PG_HOST" "$PG_PORT"; then
    [ "$PG_HOST" = 127.0.0.1 ] || [ "$PG_HOST" = localhost ] || {
      log "PostgreSQL at $PG_HOST:$PG_PORT does not answer"; exit 1; }
    if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
      log "installing PostgreSQL"; apt_install postgresql postgresql-contrib
    fi
    log "starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
    wait_port "$PG_HOST" "$PG_PORT" 30 || { log "PostgreSQL did not start"; exit 1; }
  fi
  # The development machines trust local TCP connections. A stock Debian cluster asks for a
  # password instead: give the local postgres role one, once, and use it.
  [ -n "${SB_PG_PASSWORD:-}" ] && return 0
  command -v psql >/dev/null || return 0
  psql -w -h "$PG_HOST" -p "$PG_PORT" -U "${SB_PG_USER:-postgres}" -d postgres -c 'select 1' >/dev/null 2>&1 && return 0
  if ! PGPASSWORD=postgres psql -w -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -c 'select 1' >/dev/null 2>&1; then
    as_root su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
  fi
  export SB_PG_PASSWORD=postgres
}

ensure_pg_connections() {  # Debian's default of 100 is less than the test suite's platforms
  # (every service's pool, the file server, second platforms, fixtures) can hold at once.
  local want="$1" have cluster
  [ "$PG_HOST" = 127.0.0.1 ] || [ "$PG_HOST" = localhost ] || return 0
  command -v psql >/dev/null && command -v pg_ctlcluster >/dev/null || return 0
  have=$(PGPASSWORD="${SB_PG_PASSWORD:-}" psql -w -tA -h "$PG_HOST" -p "$PG_PORT" \
    -U "${SB_PG_USER:-postgres}" -d postgres -c 'show max_connections' 2>/dev/null) || return 0
  [ "${have:-0}" -ge "$want" ] && return 0
  log "raising PostgreSQL's max_connections from $have to $want (restarting it)"
  PGPASSWORD="${SB_PG_PASSWORD:-}" psql -w -q -h "$PG_HOST" -p "$PG_PORT" \
    -U "${SB_PG_USER:-postgres}" -d postgres -c "ALTER SYSTEM SET max_connections = $want"
  cluster="$(ls /etc/postgresql | sort -V | tail -1)"
  as_root pg_ctlcluster --skip-systemctl-redirect "$cluster" main restart
  wait_port "$PG_HOST" "$PG_PORT" 30 || { log "PostgreSQL did not restart"; exit 1; }
}

ensure_rabbitmq() {
  port_open 127.0.0.1 5672 && return 0
  command -v rabbitmq-server >/dev/null || { log "installing RabbitMQ"; apt_install rabbitmq-server; }
  log "starting RabbitMQ"
  as_root rabbitmq-server -detached || true
  wait_port 127.0.0.1 5672 90 || { log "RabbitMQ did not start"; exit 1; }
}

ensure_vhost() {  # a separate RabbitMQ virtual host keeps test traffic apart from a dev run
  local vhost="$1"
  command -v rabbitmqctl >/dev/null || return 1
  as_root rabbitmqctl -q list_vhosts 2>/dev/null | grep -qx "$vhost" ||
    as_root rabbitmqctl -q add_vhost "$vhost" >/dev/null
  as_root rabbitmqctl -q set_permissions -p "$vhost" guest '.*' '.*' '.*' >/dev/null
}

ensure_least_privilege() {  # after the migrations: a role per service, a broker user each
  # (sbcommon.roles: each reaches only its own database and queues; the file server's role
  # reads provisioning only and it gets no broker user). Idempotent.
  "$VENV/bin/python" -m sbcommon.roles database >/dev/null
  "$VENV/bin/python" -m sbcommon.roles broker >/dev/null
}

ensure_system_libs() {  # weasyprint (PDF statements and exports) needs Pango and a font
  # Read the lists whole first: with pipefail, `grep -q` closing a pipe early fails it.
  local libs fonts
  libs="$(ldconfig -p 2>/dev/null || true)"; fonts="$(fc-list 2>/dev/null || true)"
  [[ "$libs" == *libpango-1.0.so* && "$libs" == *libpangoft2-1.0.so* && -n "$fonts" ]] && return 0
  log "installing Pango and fonts for PDF rendering"
  apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fontconfig
}

ensure_infrastructure() {
  ensure_system_libs
  ensure_venv
  ensure_postgres
  ensure_rabbitmq
}
