"""PDF documents: the subscription statement and the customer-list export.

Building the HTML is cheap and happens in the service; turning it into a PDF is CPU-bound
(weasyprint) and runs in a separate worker process (``services.notifications.pdfworker``)
so the service's event loop keeps answering.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .brand import Brand
from .messages import check_language
from .strings import format_date, format_money, translator

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_ENV = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                   autoescape=select_autoescape(["html"]), trim_blocks=True,
                   lstrip_blocks=True)
# A PDF of every customer would be thousands of pages held in memory while it is laid out:
# the PDF export stops here and says so; the CSV export streams any number.
MAX_PDF_ROWS = 5000


def statement_html(brand: Brand, customer: dict[str, Any], statement: dict[str, Any],
                   language: str, now: datetime) -> str:
    """The account, its subscription priced by the catalogue service (plan, options,
    devices and fees with quantities, unit and line prices, promotions and their end dates,
    taxes per line type) and the monthly total now and once the promotions end.

    ``statement`` is catalogue's ``PricedStatement``; its amounts are already rounded and
    add up, so this only lays them out.
    """
    check_language(language)
    currency = statement["currency"]
    return _ENV.get_template("pdf/statement.html").render(
        t=translator(language), lang=language, brand=brand, customer=customer,
        statement=statement, date=now.date().isoformat(),
        money=lambda minor: format_money(minor, currency, language),
        day=lambda iso: format_date(str(iso) if iso else None, language),
    )


def customer_list_html(brand: Brand, customers: Iterable[dict[str, Any]], total: int,
                       filters: dict[str, Any], language: str, now: datetime) -> str:
    check_language(language)
    t = translator(language)
    shown = ", ".join(f"{k}={v}" for k, v in filters.items() if v not in (None, ""))
    return _ENV.get_template("pdf/customers.html").render(
        t=t, lang=language, brand=brand, customers=customers, total=total,
        filters=shown or t("export.no_filter"), date=now.date().isoformat(),
        day=lambda iso: format_date(iso, language),
    )


def render_pdf(html: str) -> bytes:
    """HTML → PDF bytes. CPU-bound: call it from the worker process, not the event loop."""
    import weasyprint  # imported here: only the worker process needs it loaded
    from weasyprint.urls import URLFetcher

    # A document never loads anything from the network (no SSRF through a logo URL, no
    # stall on a slow host): only inline data: images reach a PDF; the brand's logo shows
    # in e-mails, where the reader's client loads it.
    fetcher = URLFetcher(timeout=1, allowed_protocols=("data",))
    return weasyprint.HTML(string=html, base_url=str(TEMPLATES),
                           url_fetcher=fetcher).write_pdf()
