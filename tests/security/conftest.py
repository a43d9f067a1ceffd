"""The security suite: one test per attack, against the real platform and real clients.
It borrows the provisioning suite's fixtures (its database, its encryption box)."""

from tests.provisioning.conftest import box, clean_blocklist, provisioning_db  # noqa: F401
