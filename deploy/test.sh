#!/usr/bin/env bash
# Run the whole test suite: installs what it needs, starts PostgreSQL and RabbitMQ if they
# are not running, and uses its own databases (sbtest_*) and RabbitMQ vhost.
# Extra arguments go to pytest (e.g. `deploy/test.sh -k login`).
source "$(dirname "$0")/lib.sh"
ensure_infrastructure
ensure_pg_connections 300
# Every tool a test calls (tests/support.py require_tool: missing in CI=true is a failure):
# node checks the portal's script, curl downloads provisioning files, Chromium runs the
# browser tests, Kamailio (with http_client and json) and sipp run the SIP proxy tests.
missing=()
command -v node >/dev/null || missing+=(nodejs)
command -v curl >/dev/null || missing+=(curl)
command -v kamailio >/dev/null || missing+=(kamailio kamailio-utils-modules kamailio-json-modules)
command -v sipp >/dev/null || missing+=(sip-tester)
if [ -z "${SB_SKIP_BROWSER:-}" ] && ! command -v chromium >/dev/null; then
  missing+=(chromium fonts-dejavu-core)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing what the tests use: ${missing[*]}"; apt_install "${missing[@]}"
fi
export SB_DB_PREFIX="${SB_DB_PREFIX:-sbtest}"
# Own vhost and database prefix: a running development platform is not disturbed, and two
# suites can run side by side with SB_TEST_VHOST / SB_DB_PREFIX set apart.
VHOST="${SB_TEST_VHOST:-switchboard_test}"
if ensure_vhost "$VHOST"; then
  export AMQP_URI="${SB_TEST_AMQP_URI:-amqp://guest:guest@127.0.0.1:5672/$VHOST}"
  # the session-expiry tests run a second small platform (short idle time) on its own vhost
  ensure_vhost "${AMQP_URI##*/}_idle"
fi
cd "$ROOT"
exec "$VENV/bin/python" -m pytest "$@"
