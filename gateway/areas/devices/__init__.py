"""IP phones: a customer's devices and its boot configuration (service ``provisioning``)."""

from pathlib import Path

from ...framework.area import Area
from ...framework.portal import NavItem
from .api import api
from .messages import MESSAGES
from .pages import pages

area = Area(
    "devices", Path(__file__).parent, api=api, pages=pages,
    tabs=(NavItem("/devices", "tab.devices", order=20),
          NavItem("/boot-configuration", "tab.boot_configuration", ("admin", "reseller"),
                  order=30)),
    flash=frozenset({"devices.created", "devices.saved", "devices.deleted", "boot.rotated"}),
    messages=MESSAGES,
)
