"""Accounts: sign-in, sessions, passwords, customer accounts and the user's settings
(service ``accounts``)."""

from pathlib import Path

from ...framework.area import Area
from ...framework.portal import NavItem
from .api import api
from .messages import MESSAGES
from .pages import pages

area = Area(
    "accounts", Path(__file__).parent, api=api, pages=pages,
    tabs=(NavItem("", "tab.account", order=0),),
    flash=frozenset({"new.created", "detail.saved", "detail.closed", "detail.status_changed",
                     "detail.reopened", "settings.changed", "settings.language_saved"}),
    messages=MESSAGES,
)
