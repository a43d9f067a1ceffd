"""Which reseller's brand a portal page wears, and the Content-Security-Policy it needs.

A subscriber signed in sees its reseller's brand. Before sign-in, the brand comes from the
host name the browser asked for (a reseller's own host, mapped in accounts) or from the
reseller's path name under the platform's host (``/p/<name>``, carried on as ``portal``).
A reseller's staff and the system administrator see the platform's look.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sbcommon.contracts.resellers import CHAT_PROVIDERS

from .http import CSP

if TYPE_CHECKING:
    from .context import Ctx

SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
PORTAL_PARAM = "portal"


def _platform_host(ctx: Ctx) -> str:
    return (urlsplit(ctx.settings.public_url).hostname or "").lower()


def request_host(ctx: Ctx) -> str | None:
    """The host name asked for, without port; None for the platform's own host or an IP
    address (no reseller maps those, so no lookup)."""
    host = (ctx.request.host or "").rsplit(":", 1)[0].strip("[]").lower()
    if not host or host in (_platform_host(ctx), "localhost"):
        return None
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        return host


def portal_slug(ctx: Ctx) -> str | None:
    raw = ctx.request.args.get(PORTAL_PARAM) or (
        ctx.request.form.get(PORTAL_PARAM) if ctx.request.method == "POST" else None)
    raw = (raw or "").strip().lower()
    return raw if SLUG.match(raw) else None


def resolve(ctx: Ctx, slug: str | None = None) -> dict[str, Any] | None:
    accounts = ctx.backends.accounts
    if ctx.session is not None:
        actor = ctx.session["actor"]
        if actor["role"] != "customer":
            return None
        return accounts.portal_brand(reseller_id=actor["reseller_id"])
    host = request_host(ctx)
    if host:
        found = accounts.portal_brand(host=host)
        if found:
            return found
    slug = slug or portal_slug(ctx)
    return accounts.portal_brand(slug=slug) if slug else None


def csp_for(brand: dict[str, Any] | None) -> str:
    """The portal's policy, opened to exactly the chat provider's origins when the page
    loads its widget."""
    provider = CHAT_PROVIDERS.get((brand or {}).get("chat_provider") or "")
    if provider is None:
        return CSP

    def src(*extra: str) -> str:
        return " ".join(("'self'", *extra))

    # Chat widgets style themselves with inline styles; scripts stay limited to the origins.
    inline = "'unsafe-inline'"
    return "; ".join((
        "default-src 'self'",
        f"script-src {src(*provider.script_src)}",
        f"connect-src {src(*provider.connect_src)}",
        f"img-src {src('data:', *provider.img_src)}",
        f"style-src {src(inline, *provider.style_src)}",
        f"frame-src {src(*provider.frame_src)}",
        f"font-src {src(*provider.font_src)}",
        "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'",
        "object-src 'none'",
    ))


def chat_script(brand: dict[str, Any] | None) -> str | None:
    provider = CHAT_PROVIDERS.get((brand or {}).get("chat_provider") or "")
    if provider is None or not brand or not brand.get("chat_site_id"):
        return None
    return provider.script.replace("{site_id}", brand["chat_site_id"])
