"""Imports of a company's users from Google Workspace, Microsoft 365 and BroadWorks exports
(service ``accounts``)."""

from pathlib import Path

from ...framework.area import Area
from ...framework.portal import NavItem
from .api import api
from .messages import MESSAGES
from .pages import pages

area = Area(
    "imports", Path(__file__).parent, api=api, pages=pages,
    nav=(NavItem("/customers/imports", "nav.imports", ("reseller",), order=12),),
    flash=frozenset({"imports.applying"}),
    messages=MESSAGES,
)
