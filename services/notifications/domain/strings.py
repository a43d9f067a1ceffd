"""French and English strings of the e-mails and PDF documents (same keys in both; a unit
test checks). Templates ask for them with ``t('key', **values)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sbcommon.money import decimals

LANGUAGES = ("fr", "en")

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "greeting": "Hello {name},",
        "signature": "The {brand} team",
        "support": "Questions? Contact us: {contact}",
        "footer": "You receive this e-mail because you have an account with {brand}.",
        "access_codes.subject": "Your {brand} access codes",
        "access_codes.intro": "Here are your access codes.",
        "access_codes.identifier": "Your identifier",
        "access_codes.action": "Choose your PIN",
        "access_codes.link_note": "This link works once, until {expires}. We never send a "
                                  "PIN or password by e-mail.",
        "reset.subject": "Choose a new {brand} password",
        "reset.intro": "Someone (hopefully you) asked to choose a new PIN or password.",
        "reset.action": "Choose a new password",
        "reset.ignore": "If it was not you, ignore this e-mail: nothing changes.",
        "signup_verify.subject": "Confirm your e-mail address for {brand}",
        "signup_verify.intro": "Thank you for signing up. Confirm your e-mail address to "
                               "create your account; nothing is created before.",
        "signup_verify.action": "Confirm and choose my PIN",
        "signup_verify.note": "This link works once, until {expires}. If you did not sign "
                              "up, ignore this e-mail: nothing is created.",
        "signup_existing.subject": "You already have a {brand} account",
        "signup_existing.intro": "Someone (hopefully you) tried to sign up with this e-mail "
                                 "address, which already has an account. No new account "
                                 "was created.",
        "signup_existing.action": "Sign in",
        "signup_existing.forgot": "Forgot your PIN? Choose \"Forgot?\" on the sign-in page. "
                                  "If it was not you, ignore this e-mail.",
        "welcome.subject": "Welcome to {brand}",
        "welcome.intro": "Your account {account} is ready.",
        "welcome.trial": "Your free trial ends on {date}.",
        "welcome.next": "You will receive your access codes in a separate e-mail.",
        "trial_ending.subject": "Your {brand} free trial ends on {date}",
        "trial_ending.intro": "The free trial of your account {account} ends on {date}, in "
                              "7 days.",
        "trial_ending.next": "To keep your services without interruption, ask us to switch "
                             "your account to production before then; otherwise its services "
                             "are suspended on that day.",
        "trial_ends_today.subject": "Your {brand} free trial ends today",
        "trial_ends_today.intro": "The free trial of your account {account} ends today "
                                  "({date}).",
        "trial_ends_today.next": "Unless your account is switched to production, its "
                                 "services are suspended when the trial ends. Contact us to "
                                 "keep them.",
        "message.footer": "Message from {brand}.",
        "statement.subject": "Your {brand} subscription statement",
        "statement.intro": "Please find attached the statement of your subscription.",
        "statement.title": "Subscription statement",
        "statement.date": "Date",
        "statement.account": "Account",
        "statement.identifier": "Identifier",
        "statement.kind": "Kind",
        "statement.status": "Status",
        "statement.trial_ends": "Free trial until",
        "statement.plans": "Plans and options",
        "statement.col.item": "Item",
        "statement.col.quantity": "Quantity",
        "statement.col.unit_price": "Unit price",
        "statement.col.amount": "Amount",
        "statement.none": "No plan or option yet.",
        "statement.subtotal": "Subtotal",
        "statement.total": "Total per month",
        "statement.filename": "statement",
        "statement.col.promotion": "Promotion",
        "statement.col.net": "Net",
        "statement.until": "until {date}",
        "statement.one_time": "One-time charges",
        "statement.discounts": "Promotions",
        "statement.tax": "{name} ({rate} %) on {kind}",
        "statement.total_now": "Monthly total now",
        "statement.total_after": "Monthly total after the promotions end ({date})",
        "statement.total_one_time": "One-time total",
        "statement.promotions": "Promotions",
        "statement.promotion_ends": "{name}: from {start} until {end}",
        "statement.promotion_once": "{name}: applied on {start}",
        "statement.monthly": "monthly",
        "statement.once": "once",
        "line.plan": "plans",
        "line.option": "options",
        "line.device": "devices",
        "line.fee": "service fees",
        "kind.company": "Company",
        "kind.professional": "Professional",
        "status.trial": "Free trial",
        "status.production": "Production",
        "status.suspended": "Suspended",
        "status.closed": "Closed",
        "status.archived": "Archived",
        "export.title": "Customer accounts",
        "export.generated": "Generated on {date} — {count} accounts",
        "export.filters": "Filters: {filters}",
        "export.no_filter": "none",
        "export.page": "Page",
        "export.of": "of",
        "col.name": "Name",
        "col.identifier": "Identifier",
        "col.email": "E-mail",
        "col.phone": "Phone",
        "col.kind": "Kind",
        "col.status": "Status",
        "col.language": "Language",
        "col.country": "Country",
        "col.created": "Created",
        "col.trial_ends": "Trial ends",
    },
    "fr": {
        "greeting": "Bonjour {name},",
        "signature": "L'équipe {brand}",
        "support": "Des questions ? Contactez-nous : {contact}",
        "footer": "Vous recevez ce courriel parce que vous avez un compte chez {brand}.",
        "access_codes.subject": "Vos codes d'accès {brand}",
        "access_codes.intro": "Voici vos codes d'accès.",
        "access_codes.identifier": "Votre identifiant",
        "access_codes.action": "Choisir votre NIP",
        "access_codes.link_note": "Ce lien fonctionne une seule fois, jusqu'au {expires}. "
                                  "Nous n'envoyons jamais de NIP ni de mot de passe par "
                                  "courriel.",
        "reset.subject": "Choisissez un nouveau mot de passe {brand}",
        "reset.intro": "Quelqu'un (vous, espérons-le) a demandé à choisir un nouveau NIP ou "
                       "mot de passe.",
        "reset.action": "Choisir un nouveau mot de passe",
        "reset.ignore": "Si ce n'était pas vous, ignorez ce courriel : rien ne change.",
        "signup_verify.subject": "Confirmez votre adresse courriel pour {brand}",
        "signup_verify.intro": "Merci de votre inscription. Confirmez votre adresse courriel "
                               "pour créer votre compte ; rien n'est créé avant.",
        "signup_verify.action": "Confirmer et choisir mon NIP",
        "signup_verify.note": "Ce lien fonctionne une seule fois, jusqu'au {expires}. Si vous "
                              "ne vous êtes pas inscrit, ignorez ce courriel : rien n'est créé.",
        "signup_existing.subject": "Vous avez déjà un compte {brand}",
        "signup_existing.intro": "Quelqu'un (vous, espérons-le) a tenté de s'inscrire avec "
                                 "cette adresse courriel, qui a déjà un compte. Aucun "
                                 "nouveau compte n'a été créé.",
        "signup_existing.action": "Se connecter",
        "signup_existing.forgot": "NIP oublié ? Choisissez « Oublié ? » sur la page de "
                                  "connexion. Si ce n'était pas vous, ignorez ce courriel.",
        "welcome.subject": "Bienvenue chez {brand}",
        "welcome.intro": "Votre compte {account} est prêt.",
        "welcome.trial": "Votre essai gratuit se termine le {date}.",
        "welcome.next": "Vous recevrez vos codes d'accès dans un autre courriel.",
        "trial_ending.subject": "Votre essai gratuit {brand} se termine le {date}",
        "trial_ending.intro": "L'essai gratuit de votre compte {account} se termine le "
                              "{date}, dans 7 jours.",
        "trial_ending.next": "Pour garder vos services sans interruption, demandez-nous de "
                             "passer votre compte en production d'ici là ; sinon ses services "
                             "seront suspendus ce jour-là.",
        "trial_ends_today.subject": "Votre essai gratuit {brand} se termine aujourd'hui",
        "trial_ends_today.intro": "L'essai gratuit de votre compte {account} se termine "
                                  "aujourd'hui ({date}).",
        "trial_ends_today.next": "À moins que votre compte passe en production, ses services "
                                 "seront suspendus à la fin de l'essai. Contactez-nous pour "
                                 "les garder.",
        "message.footer": "Message de {brand}.",
        "statement.subject": "Votre relevé d'abonnement {brand}",
        "statement.intro": "Veuillez trouver ci-joint le relevé de votre abonnement.",
        "statement.title": "Relevé d'abonnement",
        "statement.date": "Date",
        "statement.account": "Compte",
        "statement.identifier": "Identifiant",
        "statement.kind": "Type",
        "statement.status": "Statut",
        "statement.trial_ends": "Essai gratuit jusqu'au",
        "statement.plans": "Forfaits et options",
        "statement.col.item": "Article",
        "statement.col.quantity": "Quantité",
        "statement.col.unit_price": "Prix unitaire",
        "statement.col.amount": "Montant",
        "statement.none": "Aucun forfait ni option pour l'instant.",
        "statement.subtotal": "Sous-total",
        "statement.total": "Total par mois",
        "statement.filename": "releve",
        "statement.col.promotion": "Promotion",
        "statement.col.net": "Net",
        "statement.until": "jusqu'au {date}",
        "statement.one_time": "Frais uniques",
        "statement.discounts": "Promotions",
        "statement.tax": "{name} ({rate} %) sur {kind}",
        "statement.total_now": "Total mensuel actuel",
        "statement.total_after": "Total mensuel après la fin des promotions ({date})",
        "statement.total_one_time": "Total des frais uniques",
        "statement.promotions": "Promotions",
        "statement.promotion_ends": "{name} : du {start} au {end}",
        "statement.promotion_once": "{name} : appliquée le {start}",
        "statement.monthly": "mensuel",
        "statement.once": "unique",
        "line.plan": "forfaits",
        "line.option": "options",
        "line.device": "appareils",
        "line.fee": "frais de service",
        "kind.company": "Entreprise",
        "kind.professional": "Professionnel",
        "status.trial": "Essai gratuit",
        "status.production": "Production",
        "status.suspended": "Suspendu",
        "status.closed": "Fermé",
        "status.archived": "Archivé",
        "export.title": "Comptes clients",
        "export.generated": "Généré le {date} — {count} comptes",
        "export.filters": "Filtres : {filters}",
        "export.no_filter": "aucun",
        "export.page": "Page",
        "export.of": "sur",
        "col.name": "Nom",
        "col.identifier": "Identifiant",
        "col.email": "Courriel",
        "col.phone": "Téléphone",
        "col.kind": "Type",
        "col.status": "Statut",
        "col.language": "Langue",
        "col.country": "Pays",
        "col.created": "Créé le",
        "col.trial_ends": "Fin d'essai",
    },
}


def translator(language: str) -> Callable[..., str]:
    """Unknown languages were refused at the edge; French is the platform default."""
    catalogue = STRINGS.get(language, STRINGS["fr"])

    def t(key: str, /, **values: Any) -> str:
        text = catalogue[key]
        return text.format(**values) if values else text

    return t


def format_money(minor: int, currency: str, language: str) -> str:
    """Integer minor units → "12,50 $" (fr) / "$12.50" (en) with the currency's own number
    of decimals (JPY 0, BHD 3); CAD/USD show a dollar sign, others their ISO code."""
    digits = decimals(currency)
    whole, frac = divmod(abs(minor), 10**digits)
    grouped = f"{whole:,}"
    sign = "-" if minor < 0 else ""
    symbol = "$" if currency in ("CAD", "USD") else currency
    if language == "fr":
        text = grouped.replace(",", "\u202f") + (f",{frac:0{digits}d}" if digits else "")
        return f"{sign}{text}\u00a0{symbol}"
    text = grouped + (f".{frac:0{digits}d}" if digits else "")
    return f"{sign}{symbol}{text}" if symbol == "$" else f"{sign}{text}\u00a0{symbol}"


def format_date(iso: str | None, language: str) -> str:
    """An ISO timestamp's date as 2026-03-01 (unambiguous in both languages)."""
    return (iso or "")[:10]
