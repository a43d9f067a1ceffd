"""Sign-up: a reseller's sign-up and custom links, its integration guide, and the public
sign-up in its brand (service ``accounts``, with ``catalogue`` and ``numbering``)."""

from pathlib import Path

from ...framework.area import Area
from ...framework.portal import NavItem
from .api import api
from .messages import MESSAGES
from .pages import pages

area = Area(
    "signup", Path(__file__).parent, api=api, pages=pages,
    nav=(NavItem("/signup-links", "nav.signup_links", ("reseller",), order=80, in_menu=True),),
    flash=frozenset({"signup.link_created", "signup.link_revoked"}),
    messages=MESSAGES,
)
