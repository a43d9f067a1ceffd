"""The sign-up's plain modules, without a broker or a database: link tokens (signed,
unforgeable, any altered byte refused, surviving a key rotation), the form's time trap with
an injected clock, and the state machine of a pending sign-up."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from gateway.areas.signup import timetrap
from sbcommon.keys import Key, KeyRing
from services.accounts.domain import signup_links, signups

RING = KeyRing((Key("k2", b"a" * 40), Key("k1", b"b" * 40)))
OTHER = KeyRing((Key("k2", b"c" * 40),))


def test_a_link_token_verifies_to_its_link():
    link_id = str(uuid.uuid4())
    token = signup_links.sign(link_id, RING)
    assert signup_links.verify(token, RING) == link_id
    assert token.split(".")[1] == "k2"  # the newest key signs


def test_every_altered_byte_of_a_link_token_is_refused():
    token = signup_links.sign(str(uuid.uuid4()), RING)
    for i, c in enumerate(token):
        for other in {"0", "a", "Z", "-", "."} - {c}:
            altered = token[:i] + other + token[i + 1:]
            assert signup_links.verify(altered, RING) is None, (i, other)
    assert signup_links.verify(token + "A", RING) is None
    assert signup_links.verify(token[:-1], RING) is None


def test_a_token_signed_with_another_secret_or_malformed_is_refused():
    link_id = str(uuid.uuid4())
    assert signup_links.verify(signup_links.sign(link_id, OTHER), RING) is None
    for junk in (None, 42, "", "x" * 300, "a.b.c", f"{uuid.uuid4().hex}.k9.{'A' * 32}"):
        assert signup_links.verify(junk, RING) is None


def test_published_links_survive_a_key_rotation():
    link_id = str(uuid.uuid4())
    old = signup_links.sign(link_id, KeyRing((Key("k1", b"b" * 40),)))
    assert signup_links.verify(old, RING) == link_id  # k1 still on the ring
    assert signup_links.verify(old, KeyRing((Key("k2", b"a" * 40),))) is None  # k1 dropped


NOW = 1_800_000_000.0


@pytest.mark.parametrize(("age", "verdict"), [
    (0, "too_fast"), (2.9, "too_fast"), (3, "ok"), (3600, "ok"), (7201, "too_old"),
])
def test_the_time_trap_by_the_form_age(age, verdict):
    token = timetrap.issue(NOW - age, RING)
    assert timetrap.check(token, NOW, RING, min_seconds=3, max_seconds=7200) == verdict


def test_the_time_trap_refuses_a_missing_or_forged_timestamp():
    token = timetrap.issue(NOW - 60, RING)
    issued, kid, mac = token.split(".")
    back_dated = f"{int(issued) - 600}.{kid}.{mac}"  # an older time with the same signature
    assert timetrap.check(back_dated, NOW, RING, 3, 7200) == "forged"
    assert timetrap.check(token, NOW, OTHER, 3, 7200) == "forged"
    assert timetrap.check("", NOW, RING, 3, 7200) == "missing"
    assert timetrap.check(None, NOW, RING, 3, 7200) == "missing"
    assert timetrap.check("not a token", NOW, RING, 3, 7200) == "forged"


T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_a_pending_signup_expires_at_its_deadline():
    expires = T0 + timedelta(hours=24)
    assert signups.state_at("pending", expires, T0) == "pending"
    assert signups.state_at("pending", expires, expires - timedelta(seconds=1)) == "pending"
    assert signups.state_at("pending", expires, expires) == "expired"
    assert signups.refusal("pending") is None


def test_a_completed_signup_stays_completed_and_is_refused_again():
    expires = T0 + timedelta(hours=24)
    for when in (T0, expires + timedelta(days=3)):
        assert signups.state_at("completed", expires, when) == "completed"
    used = signups.refusal("completed")
    expired = signups.refusal("expired")
    assert used is not None and used.status == 409 and used.details == {"reason": "used"}
    assert expired is not None and expired.details == {"reason": "expired"}


def test_limit_keys_do_not_store_what_was_typed():
    key = signups.mail_key("Someone@Example.com ")
    assert "someone" not in key and key == signups.mail_key("someone@example.com")
    assert signups.start_key("2001:db8::1") == signups.start_key("2001:db8::2")  # one /64


def test_the_integration_guide_shows_the_snippet_the_portal_hands_out():
    from pathlib import Path

    from gateway.areas.signup.pages import SNIPPET, snippet_for

    guide = (Path(__file__).parents[2] / "docs" / "signup-integration.md").read_text()
    assert SNIPPET.read_text() in guide
    filled = snippet_for("https://p.example/p/r1/signup/T", "https://p.example/api/v1", "T",
                         "plan-1")
    assert "__" not in filled.replace("sb-signup", "")
    assert 'data-api="https://p.example/api/v1"' in filled and 'value="plan-1"' in filled
