"""The account lifecycle end to end: the platform, the phones' file server, and the
development hook that runs one lifecycle pass at a chosen moment."""

from __future__ import annotations

from typing import Any

import pytest

from sbcommon.actor import sign_actor
from tests.provisioning.conftest import file_server  # noqa: F401  (the FTP/HTTP server)


@pytest.fixture
def run_lifecycle(rpc):
    """One lifecycle pass at ``now`` over one reseller's accounts, as the system
    administrator, through accounts' development-only RPC (no waiting for days)."""

    def run(now: str, reseller_id: str) -> dict[str, Any]:
        admin = sign_actor({"user_id": "ops", "role": "admin"})
        return rpc.accounts.run_lifecycle(admin, now, reseller_id)
    return run
