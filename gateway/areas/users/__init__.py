"""Users of a customer account: its people, their extensions, roles and sign-ins
(service ``accounts``)."""

from pathlib import Path

from ...framework.area import Area
from ...framework.portal import NavItem
from .api import api
from .messages import MESSAGES
from .pages import pages

area = Area(
    "users", Path(__file__).parent, api=api, pages=pages,
    tabs=(NavItem("/users", "tab.users", order=8),),
    flash=frozenset({"users.created", "users.saved", "users.deleted", "users.codes_sent"}),
    messages=MESSAGES,
)
