"""Re-encrypt every stored FTP password and SIP secret with the newest key.

``python -m services.provisioning.rekey [--dry-run]``

Rotation: put the new key first in ``PROVISIONING_SECRET_KEYS`` (keep the old ones after
it), restart the provisioning service and the file server (they now encrypt with the new
key and still read the old), run this command, then drop the old keys from the variable.
It works in batches, each in its own transaction with its rows locked, so it can run while
the platform serves phones, and can be run again (a value already under the newest key is
left alone).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

import sbcommon  # noqa: F401  (before psycopg)
from sbcommon.config import database_url
from sbcommon.db import make_engine

from .domain.credentials import SecretBox
from .models import Device, FtpAccount
from .settings import ProvisioningSettings, secret_box

BATCH = 500
# (table, its key column, the encrypted column)
COLUMNS: tuple[tuple[Any, Any, Any], ...] = (
    (FtpAccount, FtpAccount.customer_id, FtpAccount.password_encrypted),
    (Device, Device.id, Device.sip_secret_encrypted),
)


def rekey(sessions: sessionmaker, box: SecretBox, dry_run: bool = False) -> dict[str, int]:
    """Re-encrypted values per table (to re-encrypt, with ``dry_run``)."""
    counts: dict[str, int] = {}
    for model, key, column in COLUMNS:
        done, last = 0, ""
        while True:
            with sessions.begin() as session:
                rows = session.scalars(
                    select(model).where(key > last).order_by(key).limit(BATCH)
                    .with_for_update()).all()
                if not rows:
                    break
                for row in rows:
                    stored = getattr(row, column.key)
                    if box.key_id(stored) == box.current_id:
                        continue
                    done += 1
                    if not dry_run:
                        setattr(row, column.key, box.encrypt(box.decrypt(stored)))
                last = getattr(rows[-1], key.key)
        counts[model.__tablename__] = done
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--dry-run", action="store_true", help="count, change nothing")
    args = parser.parse_args(argv)
    box = secret_box(ProvisioningSettings())
    engine = make_engine(database_url("provisioning"), pool_size=1)
    try:
        counts = rekey(sessionmaker(engine, expire_on_commit=False), box, args.dry_run)
    finally:
        engine.dispose()
    verb = "to re-encrypt" if args.dry_run else "re-encrypted"
    for table, n in counts.items():
        print(f"{table}: {n} {verb} with key {box.current_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
