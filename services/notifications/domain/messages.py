"""E-mail messages: Jinja2 templates (HTML autoescaped, plain text) in the recipient's
language and the reseller's brand, assembled into one RFC 5322 message.

Header values are checked here whatever the caller validated: a subject with a newline
would let its author add headers (Bcc: …), so it is refused, not cleaned.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from sbcommon.errors import Invalid

from . import templates
from .brand import Brand
from .strings import LANGUAGES, translator
from .templates import Source

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MAX_SUBJECT = 200
MAX_BODY = 20_000
CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]")

_HTML = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                    autoescape=select_autoescape(["html"]), trim_blocks=True,
                    lstrip_blocks=True)
# The text part is not HTML: autoescaping would print &amp; in it.
_TEXT = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                    autoescape=False, trim_blocks=True, lstrip_blocks=True)  # noqa: S701


@dataclass
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/pdf"


@dataclass
class Rendered:
    subject: str
    text: str
    html: str
    attachments: list[Attachment] = field(default_factory=list)
    template_error: str | None = None  # an edited template failed: the built-in one is here


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise Invalid(f"unknown language {language!r}; use one of {', '.join(LANGUAGES)}",
                      [{"field": "language", "message": "unknown"}])
    return language


def safe_subject(subject: str) -> str:
    """A subject is one line of at most 200 characters: newlines are an error, not a
    character to strip (stripping would still deliver what the attacker wrote)."""
    if not isinstance(subject, str) or not subject.strip():
        raise Invalid("subject is required", [{"field": "subject", "message": "required"}])
    if CONTROL.search(subject):
        raise Invalid("subject must be one line without control characters",
                      [{"field": "subject", "message": "contains a newline or control "
                                                       "character"}])
    if len(subject) > MAX_SUBJECT:
        raise Invalid(f"subject is longer than {MAX_SUBJECT} characters",
                      [{"field": "subject", "message": "too long"}])
    return subject.strip()


def safe_address(address: str, field_name: str = "email") -> str:
    """One plain address, no display name, no header tricks."""
    name, addr = parseaddr(address or "")
    if not addr or name or CONTROL.search(address) or "@" not in addr or addr != address.strip():
        raise Invalid(f"{field_name} is not a usable e-mail address",
                      [{"field": field_name, "message": "missing or invalid"}])
    return addr


def render(kind: str, language: str, brand: Brand, values: dict[str, Any],
           override: Source | None = None) -> Rendered:
    """Subject, text and HTML of a kind of mail: from an edited template (``override``)
    when there is one, else from ``templates/mail/<kind>.{txt,html}``. An edited template
    that fails falls back to the built-in one, and the failure is kept on the result."""
    check_language(language)
    t = translator(language)
    context = {"t": t, "brand": brand, "lang": language, **values}
    if override is not None:
        try:
            return _render_edited(kind, override, brand, values, context)
        except Exception as exc:  # any failure of someone's template: send the default
            log.warning("edited %s template failed, the built-in one is sent: %s", kind,
                        str(exc)[:300])
            fallback = render(kind, language, brand, values)
            fallback.template_error = f"{type(exc).__name__}: {str(exc)[:300]}"
            return fallback
    subject = values.get("subject") or t(f"{kind}.subject", brand=brand.name)
    return Rendered(
        subject=safe_subject(subject),
        text=_TEXT.get_template(f"mail/{kind}.txt").render(context),
        html=_HTML.get_template(f"mail/{kind}.html").render(context),
    )


def _render_edited(kind: str, source: Source, brand: Brand, values: dict[str, Any],
                   context: dict[str, Any]) -> Rendered:
    done = templates.render(kind, source, brand.for_templates(), values)
    # The edited body goes inside the brand's frame (logo, colours, signature, contact).
    # It is markup by design, written by the administrator or the reseller, and every value
    # it printed was escaped by the sandbox's autoescaping.
    body = Markup(done.html)  # noqa: S704
    html = _HTML.get_template("mail/_edited.html").render({**context, "body": body})
    text = _TEXT.get_template("mail/_edited.txt").render({**context, "body": done.text})
    return Rendered(subject=safe_subject(done.subject), text=text, html=html)


def sender_domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "switchboard.localhost"


def new_message_id(sender: str) -> str:
    return make_msgid(domain=sender_domain(sender))


def build(rendered: Rendered, sender: str, recipient: str, message_id: str,
          brand: Brand, language: str) -> EmailMessage:
    """multipart/alternative (text first, HTML preferred), wrapped in multipart/mixed when
    a PDF is attached. The From name is the reseller's brand, the address the platform's."""
    msg = EmailMessage()
    msg["Subject"] = rendered.subject
    sender_addr = parseaddr(sender)[1]
    msg["From"] = Address(display_name=brand.name, addr_spec=sender_addr)
    msg["To"] = safe_address(recipient)
    if brand.support_email:
        msg["Reply-To"] = safe_address(brand.support_email, "support_email")
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text, subtype="plain", charset="utf-8")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8")
    for item in rendered.attachments:
        maintype, _, subtype = item.mimetype.partition("/")
        msg.add_attachment(item.content, maintype=maintype, subtype=subtype,
                           filename=item.filename)
    # After the parts: set_content() and friends drop Content-* headers set before them.
    msg["Content-Language"] = language
    return msg
