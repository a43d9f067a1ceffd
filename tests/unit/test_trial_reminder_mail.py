"""The free-trial reminder mails: built in (French and English, the reseller's brand and
support contact), and editable like every other kind."""

from __future__ import annotations

import pytest

from services.notifications.domain import compose, templates
from services.notifications.domain.brand import Brand

LOOK = Brand(name="Télé Nord", support_phone="+1 418 555 0100",
             support_email="aide@telenord.example")
EVENT = {"name": "Boulangerie <Tremblay>", "language": "en", "email": "b@x.example",
         "trial_ends_at": "2031-03-31T10:00:00+00:00"}


@pytest.mark.parametrize("reminder,language,subject,line", [
    ("7_days", "en", "Your Télé Nord free trial ends on 2031-03-31",
     "ends on 2031-03-31, in 7 days"),
    ("today", "en", "Your Télé Nord free trial ends today", "ends today (2031-03-31)"),
    ("7_days", "fr", "Votre essai gratuit Télé Nord se termine le 2031-03-31",
     "se termine le 2031-03-31, dans 7 jours"),
    ("today", "fr", "Votre essai gratuit Télé Nord se termine aujourd'hui",
     "se termine aujourd'hui (2031-03-31)"),
])
def test_reminders_in_both_languages_in_the_brand(reminder, language, subject, line):
    done = compose.trial_reminder({**EVENT, "reminder": reminder, "language": language}, LOOK)
    assert done.subject == subject
    assert line in done.text and line.replace("'", "&#39;") in done.html
    assert "+1 418 555 0100" in done.text and "aide@telenord.example" in done.html
    assert "Boulangerie &lt;Tremblay&gt;" in done.html  # escaped


def test_reminder_kinds_are_editable_with_the_trial_end():
    for kind in ("trial_ending", "trial_ends_today"):
        assert kind in templates.KINDS
        assert {"account", "trial_ends"} <= templates.VARIABLES[kind]
        for language in ("fr", "en"):
            source = templates.builtin(kind, language)
            assert "trial_ends" in source.subject + source.text
    edited = templates.Source(subject="Fin le {{ trial_ends }}", html="<p>{{ account }}</p>",
                              text="{{ account }} {{ trial_ends }}")
    done = compose.trial_reminder({**EVENT, "reminder": "today"}, LOOK, edited)
    assert done.subject == "Fin le 2031-03-31" and "2031-03-31" in done.text
    assert compose.trial_reminder_kind({"reminder": "today"}) == "trial_ends_today"
    assert compose.trial_reminder_kind({"reminder": "7_days"}) == "trial_ending"


def test_an_archived_accounts_addresses_leave_the_mail_log(databases):
    import uuid
    from datetime import UTC, datetime
    from email.message import EmailMessage

    from sqlalchemy import select

    from services.notifications.domain import mailstore
    from services.notifications.models import Mail

    sessions, customer_id, now = databases["notifications"], str(uuid.uuid4()), \
        datetime(2031, 1, 1, tzinfo=UTC)

    def message(to: str) -> EmailMessage:
        msg = EmailMessage()
        msg["To"], msg["Subject"] = to, "Welcome"
        msg["Message-ID"] = f"<{uuid.uuid4()}@test>"
        msg.set_content("hello")
        return msg

    with sessions.begin() as s:
        sent = mailstore.enqueue(s, message("marie@x.example"), kind="welcome", language="fr",
                                 reseller_id=None, customer_id=customer_id, now=now)
        mailstore.mark_sent(sent, now)
        mailstore.enqueue(s, message("marie@x.example"), kind="trial_ending", language="fr",
                          reseller_id=None, customer_id=customer_id, now=now)
        other = mailstore.enqueue(s, message("paul@x.example"), kind="welcome",
                                  language="fr", reseller_id=None,
                                  customer_id=str(uuid.uuid4()), now=now)
    with sessions.begin() as s:
        assert mailstore.forget_customer(s, customer_id) == 3
    with sessions() as s:
        rows = s.scalars(select(Mail).where(Mail.customer_id == customer_id)
                         .order_by(Mail.kind)).all()
        untouched = s.get(Mail, other.id)
    assert [(m.kind, m.status, m.recipient, m.raw) for m in rows] == [
        ("trial_ending", "failed", mailstore.ARCHIVED_RECIPIENT, None),
        ("welcome", "sent", mailstore.ARCHIVED_RECIPIENT, None)]
    assert untouched.recipient == "paul@x.example" and untouched.raw is not None
    with sessions.begin() as s:  # a repeated event changes nothing more
        assert mailstore.forget_customer(s, customer_id) == 0
