"""The portal's own script and style sheet are well formed (several areas append to them)."""

import shutil
import subprocess

import pytest

from gateway.app import STATIC_DIR


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_portal_js_parses():
    result = subprocess.run(["node", "--check", str(STATIC_DIR / "portal.js")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_portal_css_braces_balance():
    css = (STATIC_DIR / "portal.css").read_text()
    depth = 0
    for char in css:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
