"""Call restrictions: allow/deny rules of resellers and customers, PBX tokens, and the
PBX's /pbx/v1 door (service ``routing_policy``)."""

from pathlib import Path

from ...framework.area import Area
from ...framework.portal import NavItem
from .api import api, pbx
from .messages import MESSAGES
from .pages import pages

area = Area(
    "call_restrictions", Path(__file__).parent, api=api, pages=pages, pbx=pbx,
    nav=(NavItem("/call-restrictions", "nav.call_restrictions", ("reseller",), order=20),),
    tabs=(NavItem("/call-restrictions", "tab.call_restrictions",
                  ("admin", "reseller", "customer"), order=40),),
    flash=frozenset({"cr.added", "cr.deleted", "cr.default_saved"}),
    messages=MESSAGES,
)
