"""Provisioning domain: MACs, credentials, vendor rendering, virtual paths, blocklist."""

from __future__ import annotations

import pytest
from defusedxml import ElementTree

from sbcommon.errors import Invalid
from services.provisioning.domain import credentials, files, vendors
from services.provisioning.domain.blocklist import Blocklist
from services.provisioning.domain.macs import display_mac, normalize_mac


@pytest.mark.parametrize("raw", ["00:15:65:AB:CD:EF", "00-15-65-ab-cd-ef", "0015.65ab.cdef",
                                 "001565abcdef", " 001565ABCDEF "])
def test_mac_spellings(raw):
    assert normalize_mac(raw) == "001565abcdef"
    assert display_mac("001565abcdef") == "00:15:65:AB:CD:EF"


@pytest.mark.parametrize("raw", ["", "00:15:65:ab:cd", "00:15-65:ab:cd:ef", "0015.65ab.cde",
                                 "g01565abcdef", "00:00:00:00:00:00", "FF:FF:FF:FF:FF:FF",
                                 "01:00:5e:00:00:fb", "001565abcdef0", None, 42, "x" * 10_000])
def test_bad_macs_refused_with_field(raw):
    with pytest.raises(Invalid) as caught:
        normalize_mac(raw)
    assert caught.value.details[0]["field"] == "mac"


def test_credentials_are_strong_and_encrypted_at_rest():
    password = credentials.ftp_password()
    assert len(password) == 20 and password.isalnum()
    assert len({credentials.sip_secret() for _ in range(50)}) == 50
    box = credentials.SecretBox(("A" * 43 + "=",))
    token = box.encrypt(password)
    assert password not in token and box.decrypt(token) == password
    rotated = credentials.SecretBox(("B" * 43 + "=", "A" * 43 + "="))
    assert rotated.decrypt(token) == password  # an old key still decrypts after rotation
    with pytest.raises(RuntimeError):
        credentials.SecretBox(("C" * 43 + "=",)).decrypt(token)


NASTY = 'Réception <b> & "co" \'quote\' ]]> <!--'


def line(**overrides):
    values = {"mac": "001565abcdef", "device_name": NASTY, "display_name": NASTY,
              "label": "+15145550100", "sip_username": "sb0123", "sip_secret": "s3cret",
              "sip_domain": "sip.example", "sip_proxy_host": "proxy.example",
              "sip_proxy_port": 5060}
    return vendors.LineData(**{**values, **overrides})


@pytest.mark.parametrize("model", sorted(vendors.MODELS))
def test_every_vendor_file_parses_with_nasty_names(model):
    for name in vendors.file_names(model, "001565abcdef"):
        body = vendors.render(model, name, line())
        if model.startswith("yealink"):
            text = body.decode()
            assert text.startswith("#!version:1.0.0.1\n")
            keys = [row.split(" = ", 1)[0] for row in text.splitlines()[1:]
                    if row and not row.startswith("#")]
            assert all(k.startswith("account.1.") for k in keys)
            assert f"account.1.display_name = {NASTY}\n" in text
        else:
            root = ElementTree.fromstring(body)
            if root.tag != "APPLICATION":  # Polycom's master file names only other files
                # the name comes back intact from the parsed XML: escaped, not truncated
                assert any((el.text or "") == NASTY or NASTY in el.attrib.values()
                           for el in root.iter())


@pytest.mark.parametrize("model", ["yealink-t46u", "snom-d735"])
def test_control_characters_never_render(model):
    with pytest.raises(ValueError):
        vendors.render(model, vendors.file_names(model, "001565abcdef")[0],
                       line(display_name="a\naccount.2.enable = 1"))


def test_unknown_model_is_invalid():
    with pytest.raises(Invalid, match="unknown model"):
        vendors.get_model("nokia-3310")


@pytest.mark.parametrize("path, expected", [
    ("/", None), ("", None), ("//", None), ("/..", None), ("x.cfg", "x.cfg"),
    ("/X.CFG", "x.cfg"), ("/a/../x.cfg", "x.cfg"), ("/../../x.cfg", "x.cfg"),
    ("/etc/passwd", ""), ("sub/x.cfg", ""), ("\\\\etc\\\\passwd", ""),
])
def test_virtual_paths_stay_in_one_directory(path, expected):
    assert files.file_name(path) == expected


def test_blocklist_blocks_then_forgives():
    now = [0.0]
    blocks = Blocklist(3, 60, clock=lambda: now[0])
    assert not blocks.fail("1.2.3.4") and not blocks.fail("1.2.3.4")
    assert blocks.fail("1.2.3.4") and blocks.blocked("1.2.3.4")
    assert not blocks.blocked("5.6.7.8")
    now[0] = 61
    assert not blocks.blocked("1.2.3.4")
    blocks.fail("9.9.9.9")
    blocks.succeed("9.9.9.9")
    assert not blocks.fail("9.9.9.9")
