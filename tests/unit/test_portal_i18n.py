"""The portal's catalogues: both languages say the same things, and every key the templates
and views ask for exists (a missing key would show up as raw text like "detail.save")."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import get_args

import pytest

from gateway import registry as views
from gateway.framework.i18n import LANGUAGES
from gateway.registry import MESSAGES, plural_translator, translator
from sbcommon.contracts.accounts import (
    AUDIT_ACTIONS,
    AccountRole,
    CustomerKind,
    CustomerStatus,
    SortKey,
)
from sbcommon.contracts.catalogue import ItemKind, QuantityRule, Recurrence
from sbcommon.contracts.notifications import MailKind, MailStatus, TemplateKind
from sbcommon.contracts.numbering import NumberState
from sbcommon.contracts.resellers import ResellerStatus, WizardStep
from sbcommon.contracts.routing_policy import Action, Level, MatchType
from sbcommon.contracts.user_imports import ImportFormat, RowOutcome, UserImportSummary
from services.numbering.domain.parse import TYPE_NAMES

GATEWAY = Path(views.__file__).parent
TEMPLATES = sorted(GATEWAY.glob("**/templates/*.html"))
# t('key') and page.t("key"): a literal key, not followed by a ~ concatenation
LITERAL_KEY = re.compile(r"""\bt\(\s*(['"])([a-z0-9_.]+)\1\s*[,)]""")
# t('prefix.' ~ value): the key depends on a value; the values are checked below
DYNAMIC_KEY = re.compile(r"""\bt\(\s*(['"])([a-z0-9_.]+\.)\1\s*~""")
# tn('key', n): a count, read from "key.one" or "key.other"
PLURAL_KEY = re.compile(r"""\btn\(\s*(['"])([a-z0-9_.]+)\1\s*,""")

# What each dynamic prefix is completed with at run time.
DYNAMIC_VALUES: dict[str, tuple[str, ...]] = {
    "status.": get_args(CustomerStatus),
    "kind.": get_args(CustomerKind),
    "lang.": LANGUAGES,
    "customers.tab.": get_args(CustomerKind),
    "customers.sort.": get_args(SortKey),
    "customers.order.": ("asc", "desc"),
    "new.name.": get_args(CustomerKind),
    "home.": get_args(CustomerStatus),
    "numbers.state.": get_args(NumberState),
    "numbers.type.": (*TYPE_NAMES.values(), "unknown"),
    "numbers.reason.": ("letters", "invalid", "invalid_for_country", "no_country_code",
                        "too_short", "too_long", "duplicate_in_file", "already_in_pool",
                        "not_utf8", "line_too_long"),
    "cr.action.": get_args(Action),
    "cr.match.": get_args(MatchType),
    "cr.level.": get_args(Level),
    "boot.": ("ftp_url", "username", "password", "http_url"),  # devices_boot.html
    "mail.kind.": get_args(MailKind),
    "mail.status.": get_args(MailStatus),
    "resellers.status.": get_args(ResellerStatus),
    "resellers.setup.": get_args(WizardStep),
    "resellers.home.pool.": ("available", "assigned", "aging"),
    "mail_templates.kind.": get_args(TemplateKind),
    "mail_templates.origin.": ("own", "platform", "builtin"),
    "mail_templates.": ("subject", "html", "text"),  # mail_template.html's fields
    "catalogue.kind.": get_args(ItemKind),
    "catalogue.recurrence.": get_args(Recurrence),
    "catalogue.rule.": get_args(QuantityRule),
    "imports.format.": get_args(ImportFormat),
    "imports.outcome.": get_args(RowOutcome),
    "imports.status.": get_args(UserImportSummary.model_fields["status"].annotation),
    "users.role.": get_args(AccountRole),
    "subscribers.action.": AUDIT_ACTIONS,
    "signup.title.": ("company", "professional"),
    "signup.step.": ("plan", "details", "numbers", "confirm"),
    "signup.kind.": ("company", "professional"),
    "signup.refused.": ("invalid", "completed", "expired", "email_in_use"),
    "signup.refused_title.": ("invalid", "completed", "expired", "email_in_use"),
}


def keys_used(pattern: re.Pattern[str]) -> set[str]:
    sources = [*TEMPLATES, *GATEWAY.glob("**/*.py")]
    return {m.group(2) for path in sources for m in pattern.finditer(path.read_text())}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_catalogues_have_the_same_keys():
    assert set(MESSAGES) == set(LANGUAGES)
    assert set(MESSAGES["fr"]) - set(MESSAGES["en"]) == set()
    assert set(MESSAGES["en"]) - set(MESSAGES["fr"]) == set()


@pytest.mark.parametrize("key", sorted(MESSAGES["en"]))
def test_translations_take_the_same_placeholders(key):
    assert placeholders(MESSAGES["fr"][key]) == placeholders(MESSAGES["en"][key])
    assert MESSAGES["fr"][key].strip() and MESSAGES["en"][key].strip()


def test_the_scan_finds_the_keys_it_should():
    # if the patterns stopped matching, the tests below would pass on nothing
    literal = keys_used(LITERAL_KEY)
    assert {"login.title", "nav.signout", "error.csrf", "login.failed"} <= literal
    assert set(DYNAMIC_VALUES) == keys_used(DYNAMIC_KEY)


def test_every_literal_key_exists():
    missing = keys_used(LITERAL_KEY) - set(MESSAGES["en"])
    assert missing == set()


def test_every_counted_key_has_both_plural_forms():
    used = keys_used(PLURAL_KEY)
    assert "customers.count" in used
    missing = {f"{key}.{form}" for key in used for form in ("one", "other")
               if f"{key}.{form}" not in MESSAGES["en"]}
    assert missing == set()


def test_every_dynamic_key_exists():
    missing = {prefix + value for prefix, values in DYNAMIC_VALUES.items()
               for value in values if prefix + value not in MESSAGES["en"]}
    assert missing == set()


def test_flash_messages_exist():
    assert views.FLASH_KEYS - set(MESSAGES["en"]) == set()


def test_translator_falls_back_to_french_and_formats_values():
    assert translator("de")("nav.customers") == "Clients"
    assert translator("en")("customers.page", page=1, pages=3) == "Page 1 of 3"
    assert translator("fr")("customers.page", page=2, pages=5) == "Page 2 sur 5"


@pytest.mark.parametrize(("lang", "n", "text"), [
    ("fr", 0, "0 compte"), ("fr", 1, "1 compte"), ("fr", 2, "2 comptes"),
    ("en", 0, "0 accounts"), ("en", 1, "1 account"), ("en", 21, "21 accounts"),
])
def test_counts_agree_with_their_number(lang, n, text):
    assert plural_translator(lang)("customers.count", n) == text
