"""Secrets: no start with a default key outside development, actors that cannot be forged
on the bus, encryption keys with ids that rotate, credentials kept out of logs."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import select

from sbcommon.config import amqp_uri
from sbcommon.errors import Forbidden
from services.provisioning import rekey
from services.provisioning.domain.credentials import SecretBox
from services.provisioning.models import Device, FtpAccount
from services.provisioning.settings import ProvisioningSettings, legacy_keys
from tests.provisioning.conftest import seed_customer
from tests.support import ROOT

COMPOSE_DEFAULT = "change-me-in-production-0123456789abcdef"
KEY_A = "Q2hhbmdlTWVJblByb2R1Y3Rpb25LZXlOdW1iZXIxMjM="  # 32 bytes, url-safe base64
KEY_B = "c2Vjb25kLWtleS1mb3ItdGhlLXRlc3Qtcm90YXRpb24="


def _start(args: list[str], **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items()
               if k not in ("SB_ENV", "SB_SECRET_KEY", "PROVISIONING_SECRET_KEYS")}
    environ.update(env)
    return subprocess.run(args, cwd=ROOT, env=environ, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("module", ["services.accounts.service", "gateway.service"])
@pytest.mark.parametrize("key", [None, COMPOSE_DEFAULT, "short"])
def test_a_process_refuses_to_start_with_a_default_or_missing_key(module, key):
    env = {"SB_ENV": "production", "SB_MAX_WORKERS": "2",
           "SB_HTTP_ADDRESS": "127.0.0.1:0"}
    if key is not None:
        env["SB_SECRET_KEY"] = key
    done = _start([sys.executable, "-m", "nameko", "run", "--config",
                   "deploy/config/nameko.yml", module], **env)
    assert done.returncode != 0
    assert "SB_SECRET_KEY" in done.stdout + done.stderr


def test_the_file_server_refuses_to_start_without_its_encryption_keys():
    done = _start([sys.executable, "-m", "services.provisioning.fileserver"],
                  SB_ENV="production", SB_SECRET_KEY="x" * 48,
                  PROVISIONING_FTP_PORT="0", PROVISIONING_HTTP_PORT="0")
    assert done.returncode != 0
    assert "PROVISIONING_SECRET_KEYS" in done.stdout + done.stderr


def test_an_unsigned_actor_on_the_bus_is_refused(platform):
    """Anything that can publish on the broker used to be able to act as the administrator
    by sending a dict."""
    forged = {"user_id": "intruder", "role": "admin"}
    with ClusterRpcProxy({"AMQP_URI": amqp_uri()}, timeout=30) as rpc:
        for call in (lambda: rpc.accounts.list_customers(forged),
                     lambda: rpc.numbering.list_numbers(forged),
                     lambda: rpc.routing_policy.list_pbx_tokens(forged)):
            with pytest.raises(Forbidden, match="not signed"):
                call()
        signed_elsewhere = {**forged, "exp": 4102444800, "kid": "k0", "sig": "0" * 64}
        with pytest.raises(Forbidden):
            rpc.accounts.list_customers(signed_elsewhere)


def test_encryption_keys_rotate_and_the_rekey_command_moves_every_secret(provisioning_db):
    current = ProvisioningSettings.from_env().encryption_keys  # what the suite runs with
    old = SecretBox((f"a:{KEY_A}", *current))
    new = SecretBox((f"b:{KEY_B}", f"a:{KEY_A}", *current))
    seeded = seed_customer(provisioning_db, old, ["yealink-t54w"])
    with provisioning_db() as s:
        stored = s.scalar(select(FtpAccount.password_encrypted)
                          .where(FtpAccount.customer_id == seeded.customer_id))
    assert old.key_id(stored) == "a" and seeded.password not in stored
    assert new.decrypt(stored) == seeded.password  # the new ring still reads the old key
    counted = rekey.rekey(provisioning_db, new, dry_run=True)
    assert counted["ftp_accounts"] >= 1 and counted["devices"] >= 1
    try:
        rekey.rekey(provisioning_db, new)
        with provisioning_db() as s:
            account = s.scalar(select(FtpAccount.password_encrypted)
                               .where(FtpAccount.customer_id == seeded.customer_id))
            every = [*s.scalars(select(FtpAccount.password_encrypted)),
                     *s.scalars(select(Device.sip_secret_encrypted))]
        assert all(new.key_id(v) == "b" for v in every)
        assert SecretBox((f"b:{KEY_B}",)).decrypt(account) == seeded.password  # old key gone
        assert rekey.rekey(provisioning_db, new, dry_run=True) == {"ftp_accounts": 0,
                                                                    "devices": 0}
    finally:  # back under the suite's key, for the file servers of the other tests
        rekey.rekey(provisioning_db, SecretBox((*current, f"b:{KEY_B}", f"a:{KEY_A}")))


def test_secrets_stored_before_keys_had_ids_stay_readable(monkeypatch):
    """A development database encrypted with the key derived from SB_SECRET_KEY is still
    read (and then re-encrypted by the rekey command), whatever key is configured now."""
    monkeypatch.setenv("SB_SECRET_KEY", "the-old-development-secret")
    from cryptography.fernet import Fernet

    legacy = legacy_keys()
    token = Fernet(legacy[0].encode()).encrypt(b"sip-secret").decode()
    box = SecretBox((f"b:{KEY_B}",), legacy)
    assert box.key_id(token) is None and box.decrypt(token) == "sip-secret"


def test_generated_passwords_are_not_printed_outside_the_terminal_run(tmp_path, databases):
    env = {"SB_VAR_DIR": str(tmp_path), "SB_ENV": "development",
           "SB_ADMIN_IDENTIFIER": "admin", "SB_DEMO": "1"}
    quiet = _start([sys.executable, "-m", "services.accounts.bootstrap"], **env)
    assert quiet.returncode == 0, quiet.stderr
    import json

    creds = json.loads((tmp_path / "demo-credentials.json").read_text())
    assert (tmp_path / "demo-credentials.json").stat().st_mode & 0o077 == 0
    for secret in (creds.get("admin_password"), creds.get("reseller_password")):
        if secret:
            assert secret not in quiet.stdout + quiet.stderr
    loud = _start([sys.executable, "-m", "services.accounts.bootstrap", "--print"], **env)
    assert creds["reseller_password"] in loud.stdout
