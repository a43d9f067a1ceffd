"""What each kind of mail says, from the facts that trigger it; and queueing it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from sbcommon.errors import Invalid

from ..models import Mail
from . import mailstore, messages, templates
from .brand import Brand
from .messages import Attachment, Rendered
from .strings import LANGUAGES, format_date, format_money, translator
from .templates import Source


def link_expiry(expires_at: str) -> str:
    """"2026-02-01T10:00:00+00:00" → "2026-02-01 10:00 UTC" (the same in both languages)."""
    return f"{expires_at[:10]} {expires_at[11:16]} UTC"


def event_language(language: Any) -> str:
    """An event cannot be answered with a 4xx: an unknown language falls back to French,
    the platform's default, rather than losing the mail."""
    return language if language in LANGUAGES else "fr"


def reset_link(event: dict[str, Any], brand: Brand, portal_url: str,
               override: Source | None = None) -> Rendered:
    """Purpose "reset" ("Forgot?") and "access_codes": a single-use link to the
    portal's /reset page; never a password."""
    kind = "access_codes" if event.get("purpose") == "access_codes" else "reset"
    language = event_language(event.get("language"))
    return messages.render(kind, language, brand, {
        "name": event.get("display_name") or event["email"],
        "identifier": event.get("identifier") or event["email"],
        "link": f"{portal_url}/reset?token={event['reset_token']}",
        "expires": link_expiry(event["expires_at"]),
    }, override)


def signup_mail(event: dict[str, Any], brand: Brand) -> tuple[str, Rendered]:
    """A sign-up's e-mail: the verification link, or "you already have an account" (with
    the sign-in page) when the address has one. Only the mailbox's owner sees which."""
    language = event_language(event.get("language"))
    if event.get("existing"):
        return "signup_existing", messages.render("signup_existing", language, brand, {
            "name": event.get("name") or event["email"], "link": event["login_url"]})
    return "signup_verify", messages.render("signup_verify", language, brand, {
        "name": event.get("name") or event["email"], "link": event["verify_url"],
        "expires": link_expiry(event["expires_at"])})


def welcome(event: dict[str, Any], brand: Brand, override: Source | None = None) -> Rendered:
    language = event_language(event.get("language"))
    return messages.render("welcome", language, brand, {
        "name": event["name"], "account": event["name"],
        "trial_ends": (event.get("trial_ends_at") or "")[:10] or None,
    }, override)


def trial_reminder(event: dict[str, Any], brand: Brand, override: Source | None = None
                   ) -> Rendered:
    """A week before a free trial ends (``trial_ending``) and on its last day
    (``trial_ends_today``), in the reseller's brand (its support contact in the frame)."""
    language = event_language(event.get("language"))
    kind = trial_reminder_kind(event)
    day = (event.get("trial_ends_at") or "")[:10]
    return messages.render(kind, language, brand, {
        "name": event["name"], "account": event["name"], "trial_ends": day,
        # the built-in subject names the day (an edited one has its own)
        "subject": translator(language)(f"{kind}.subject", brand=brand.name, date=day),
    }, override)


def trial_reminder_kind(event: dict[str, Any]) -> str:
    return "trial_ends_today" if event.get("reminder") == "today" else "trial_ending"


def recipient_of(customer: dict[str, Any]) -> str:
    """The customer's address, or a clear 422 when it has none usable."""
    email = (customer.get("email") or "").strip()
    if not email:
        raise Invalid("this customer has no e-mail address; add one first",
                      [{"field": "email", "message": "missing"}])
    return messages.safe_address(email)


def custom_message(customer: dict[str, Any], brand: Brand, subject: str, body: str
                   ) -> Rendered:
    return messages.render("message", customer["language"], brand, {
        "name": customer.get("contact_name") or customer["name"],
        "subject": messages.safe_subject(subject), "body": body,
    })


def statement(customer: dict[str, Any], brand: Brand, pdf: bytes, now: datetime,
              priced: dict[str, Any] | None = None, override: Source | None = None) -> Rendered:
    """The e-mail says the totals (now, after the promotions end, one-time); the PDF has
    the lines."""
    language = customer["language"]
    totals: list[str] = []
    if priced is not None and priced.get("lines"):
        t = translator(language)

        def money(minor: int) -> str:
            return format_money(minor, priced["currency"], language)

        totals.append(f"{t('statement.total_now')} : {money(priced['monthly']['total'])}"
                      if language == "fr" else
                      f"{t('statement.total_now')}: {money(priced['monthly']['total'])}")
        after = priced["monthly_after_promotions"]
        if after.get("full_price_from"):
            label = t("statement.total_after", date=format_date(after["full_price_from"],
                                                                language))
            totals.append(f"{label}{' :' if language == 'fr' else ':'} "
                          f"{money(after['total'])}")
        if priced["one_time"]["subtotal"]:
            label = t("statement.total_one_time")
            totals.append(f"{label}{' :' if language == 'fr' else ':'} "
                          f"{money(priced['one_time']['total'])}")
    rendered = messages.render("statement", language, brand, {
        "name": customer.get("contact_name") or customer["name"], "totals": totals,
    }, override)
    t = translator(customer["language"])
    filename = f"{t('statement.filename')}-{customer['identifier']}-{now.date()}.pdf"
    rendered.attachments.append(Attachment(filename=filename, content=pdf))
    return rendered


def queue(session: Session, rendered: Rendered, *, kind: str, recipient: str, language: str,
          brand: Brand, sender: str, reseller_id: str | None, customer_id: str | None,
          now: datetime) -> Mail:
    """Build the whole message first: an error leaves nothing queued (nothing half-sent)."""
    message = messages.build(rendered, sender, recipient, messages.new_message_id(sender),
                             brand, language)
    mail = mailstore.enqueue(session, message, kind=kind, language=language,
                             reseller_id=reseller_id, customer_id=customer_id, now=now)
    mail.template_error = rendered.template_error
    return mail


def edited_template(session: Session, reseller_id: str | None, kind: str, language: str
                    ) -> Source | None:
    """The edited template this mail uses, if any (the reseller's, else the defaults)."""
    found = templates.effective(session, reseller_id, kind, language)
    return found[1] if found else None
