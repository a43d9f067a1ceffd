"""An area: one product feature seen through the gateway (its API routes, portal pages,
navigation, strings and templates), kept in one folder under ``gateway/areas/``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .i18n import Messages
from .portal import NavItem
from .routing import Router


@dataclass
class Area:
    name: str
    folder: Path  # holds templates/ (if any); pass Path(__file__).parent
    api: Router = field(default_factory=Router)  # paths relative to /api/v1
    pages: Router = field(default_factory=Router)  # portal pages
    pbx: Router = field(default_factory=Router)  # paths relative to /pbx/v1 (the PBX's door)
    nav: tuple[NavItem, ...] = ()  # links in the top bar
    tabs: tuple[NavItem, ...] = ()  # tabs of a customer's page
    flash: frozenset[str] = frozenset()  # catalogue keys a redirect may flash
    messages: Messages = field(default_factory=dict)  # {"en": {...}, "fr": {...}}

    @property
    def templates(self) -> Path:
        return self.folder / "templates"
