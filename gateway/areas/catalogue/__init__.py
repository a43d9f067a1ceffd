"""What resellers sell: the catalogue, pricing terms, promotions, the reseller's Plans page
and customers' subscriptions (service ``catalogue``)."""

from pathlib import Path

from ...framework.area import Area
from ...framework.portal import NavItem
from .api import api
from .messages import MESSAGES
from .pages import pages

area = Area(
    "catalogue", Path(__file__).parent, api=api, pages=pages,
    nav=(NavItem("/admin/catalogue", "nav.catalogue_admin", ("admin",), order=40),
         NavItem("/admin/promotions", "nav.promotions", ("admin",), order=41),
         NavItem("/plans", "nav.plans", ("reseller",), order=15),
         NavItem("/subscription", "nav.subscription", ("customer",), order=15)),
    tabs=(NavItem("/subscription", "tab.subscription", order=5),),
    flash=frozenset({"catalogue.item_created", "catalogue.item_saved",
                     "catalogue.item_retired", "catalogue.pricing_saved",
                     "catalogue.availability_saved", "catalogue.promotion_saved",
                     "catalogue.promotion_created", "catalogue.offer_saved",
                     "catalogue.offer_below_wholesale", "catalogue.subscription_saved"}),
    messages=MESSAGES,
)
