"""API and portal routes of each product area (numbers, call restrictions, devices, mail…).

Every module in this package is imported here, so an area registers its routes on
``gateway.api.api`` and ``gateway.portal.views.portal`` just by existing.
"""

import importlib
import pkgutil

for _info in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_info.name}")
