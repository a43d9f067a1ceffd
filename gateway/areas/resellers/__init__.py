"""Resellers: onboarding and lifecycle by the system administrator; a reseller's company
settings, support contact, branding, chat widget, PBX information and set-up wizard; the
brand's assets for its subscriber portal (service ``accounts``)."""

from pathlib import Path

from ...framework.area import Area
from ...framework.portal import NavItem
from .api import api
from .messages import MESSAGES
from .pages import pages

area = Area(
    "resellers", Path(__file__).parent, api=api, pages=pages,
    nav=(NavItem("/admin/resellers", "nav.resellers", ("admin",), order=5),
         NavItem("/reseller/settings", "nav.company", ("reseller",), order=60, in_menu=True),
         NavItem("/reseller/branding", "nav.branding", ("reseller",), order=61, in_menu=True)),
    flash=frozenset({"resellers.created", "resellers.saved", "resellers.pbx_saved",
                     "resellers.suspended", "resellers.reactivated",
                     "resellers.settings_saved", "resellers.support_saved",
                     "resellers.branding_saved", "resellers.logo_saved",
                     "resellers.favicon_saved", "resellers.image_removed",
                     "resellers.chat_saved", "resellers.number_added",
                     "resellers.setup_done"}),
    messages=MESSAGES,
)
