"""E-mail and documents: messages to customers, the customer list's exports and the mail
log (service ``notifications``)."""

from pathlib import Path

from ...framework.area import Area
from ...framework.portal import NavItem
from .api import api
from .messages import MESSAGES
from .pages import pages

area = Area(
    "mail", Path(__file__).parent, api=api, pages=pages,
    nav=(NavItem("/mail-log", "nav.mail_log", ("admin", "reseller"), order=30),),
    tabs=(NavItem("/emails", "tab.emails", ("admin", "reseller"), order=50),),
    flash=frozenset({"mail.queued_access_codes", "mail.queued_statement",
                     "mail.queued_message"}),
    messages=MESSAGES,
)
