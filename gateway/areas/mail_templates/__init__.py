"""Mail templates: the system administrator's default e-mails and each reseller's
overrides, edited, checked and previewed (service ``notifications``)."""

from pathlib import Path

from ...framework.area import Area
from ...framework.portal import NavItem
from .api import api
from .messages import MESSAGES
from .pages import pages

area = Area(
    "mail_templates", Path(__file__).parent, api=api, pages=pages,
    nav=(NavItem("/mail-templates", "nav.mail_templates", ("admin", "reseller"), order=70,
                 in_menu=True),),
    flash=frozenset({"mail_templates.saved", "mail_templates.reset"}),
    messages=MESSAGES,
)
