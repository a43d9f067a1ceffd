"""Organisations: a reseller's accounts affiliated together, sharing one directory
(service ``accounts``; the directory comes from ``routing_policy``)."""

from pathlib import Path

from ...framework.area import Area
from ...framework.portal import NavItem
from .api import api, pbx
from .messages import MESSAGES
from .pages import pages

area = Area(
    "organisations", Path(__file__).parent, api=api, pages=pages, pbx=pbx,
    nav=(NavItem("/organisations", "nav.organisations", ("reseller",), order=15),),
    flash=frozenset({"org.created", "org.saved", "org.deleted", "org.member_added",
                     "org.member_removed"}),
    messages=MESSAGES,
)
