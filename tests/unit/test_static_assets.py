"""The portal's own script and style sheet are well formed (several areas append to them)."""

import subprocess

from gateway.app import STATIC_DIR
from tests.support import require_tool


def test_portal_js_parses():
    node = require_tool("node")
    result = subprocess.run([node, "--check", str(STATIC_DIR / "portal.js")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_portal_css_braces_balance():
    css = (STATIC_DIR / "portal.css").read_text()
    depth = 0
    for char in css:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
