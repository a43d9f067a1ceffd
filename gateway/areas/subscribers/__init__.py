"""Subscribers: the subscriber's home, its reseller's direct access to it, locked settings
and the audit log that records support's actions (service ``accounts``, with the sections of
the home from each service)."""

from pathlib import Path

from ...framework.area import Area
from ...framework.portal import NavItem
from .api import api
from .messages import MESSAGES
from .pages import pages

area = Area(
    "subscribers", Path(__file__).parent, api=api, pages=pages,
    nav=(NavItem("/audit-log", "nav.audit_log", ("admin", "reseller"), order=70,
                 in_menu=True),),
    flash=frozenset({"subscribers.locked", "subscribers.unlocked", "subscribers.left",
                     "subscribers.codes_sent"}),
    messages=MESSAGES,
)
