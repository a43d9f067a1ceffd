"""Shared contracts and nameko dependency providers for Switchboard services.

Nothing in here holds business logic. Importing it first makes psycopg cooperate with
eventlet: psycopg 3's C wait function blocks the hub, so four concurrent ``pg_sleep(1)``
would take four seconds; ``wait_select`` goes through the (monkey-patched) select module.
"""

import os

os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
