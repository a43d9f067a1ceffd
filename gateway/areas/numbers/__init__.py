"""Phone numbers: the reseller's pool, imports, exports and each customer's numbers
(service ``numbering``)."""

from pathlib import Path

from ...framework.area import Area
from ...framework.portal import NavItem
from .api import api
from .messages import MESSAGES
from .pages import pages

area = Area(
    "numbers", Path(__file__).parent, api=api, pages=pages,
    nav=(NavItem("/numbers", "nav.numbers", ("reseller",), order=10),),
    tabs=(NavItem("/numbers", "tab.numbers", order=10),),
    flash=frozenset({"numbers.added", "numbers.assigned", "numbers.released",
                     "numbers.settings_saved", "numbers.user_set"}),
    messages=MESSAGES,
)
