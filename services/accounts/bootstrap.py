"""Create the system administrator and a demo reseller (development set-up).

``python -m services.accounts.bootstrap [--print]`` is idempotent. Generated passwords are
written once to ``var/demo-credentials.json`` (mode 600, not in git). They are printed only
with ``--print``, which the development run (deploy/run.sh) passes so its terminal shows how
to sign in; compose's one-shot container does not, so they never reach a container log.
Production sets SB_ADMIN_PASSWORD and skips the demo with SB_DEMO=0.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from sbcommon.config import database_url, env, env_bool
from sbcommon.contracts.accounts import ResellerCreate
from sbcommon.db import make_engine
from sbcommon.outbox import EventRecorder

from .domain import directory
from .domain.passwords import Hasher
from .models import User, outbox

CREDENTIALS = Path(env("SB_VAR_DIR", str(Path(__file__).resolve().parents[2] / "var"))) \
    / "demo-credentials.json"


def _load() -> dict[str, str]:
    return json.loads(CREDENTIALS.read_text()) if CREDENTIALS.exists() else {}


def _save(creds: dict[str, str]) -> None:
    CREDENTIALS.parent.mkdir(parents=True, exist_ok=True)
    CREDENTIALS.touch(mode=0o600)
    CREDENTIALS.write_text(json.dumps(creds, indent=2))


def main() -> dict[str, str]:
    creds = _load()
    engine = make_engine(database_url("accounts"), pool_size=1)
    sessions = sessionmaker(engine)
    hasher = Hasher()
    now = datetime.now(UTC)
    with sessions.begin() as session:
        admin_password = os.environ.get("SB_ADMIN_PASSWORD") or creds.get("admin_password") \
            or secrets.token_urlsafe(12)
        if directory.ensure_admin(session, hasher, env("SB_ADMIN_IDENTIFIER", "admin"),
                                  env("SB_ADMIN_EMAIL", "admin@switchboard.example"),
                                  admin_password, now):
            creds["admin_identifier"] = env("SB_ADMIN_IDENTIFIER", "admin")
            creds["admin_password"] = admin_password
        if env_bool("SB_DEMO", True) and not session.scalar(
            select(User.id).where(User.identifier == "demo-reseller")
        ):
            password = creds.get("reseller_password") or secrets.token_urlsafe(12)
            directory.create_reseller(session, hasher, ResellerCreate(
                name="Demo Telecom", email="reseller@demo.example", identifier="demo-reseller",
                country="CA", language="fr",
            ), password, now, EventRecorder(outbox))
            creds["reseller_identifier"] = "demo-reseller"
            creds["reseller_password"] = password
    engine.dispose()
    _save(creds)
    return creds


if __name__ == "__main__":
    found = main()
    if "--print" not in sys.argv[1:]:
        print(f"Sign-in accounts are in {CREDENTIALS} (not printed: pass --print).")
        raise SystemExit(0)
    print("Sign-in accounts (also in var/demo-credentials.json):")
    if "admin_password" in found:
        print(f"  system administrator: {found['admin_identifier']} / {found['admin_password']}")
    if "reseller_password" in found:
        print(f"  demo reseller:        {found['reseller_identifier']} / "
              f"{found['reseller_password']}")
