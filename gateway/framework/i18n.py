"""French and English catalogues of the portal: the framework's own strings here, each
area's in its ``messages.py``; ``Catalogue.merge`` joins them and refuses a key defined
twice. Keys are identical in both languages (a test checks)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

LANGUAGES = ("fr", "en")
Messages = dict[str, dict[str, str]]

CORE_MESSAGES: Messages = {
    "en": {
        "app.name": "Switchboard",
        "nav.home": "Home",
        "nav.my_account": "My account",
        "nav.customers": "Customers",
        "nav.settings": "Settings",
        "nav.signout": "Sign out",
        "nav.menu": "Account menu",
        "nav.main": "Main menu",
        "nav.language": "Language",
        "status.trial": "Free trial",
        "status.production": "Production",
        "status.suspended": "Suspended",
        "status.closed": "Closed",
        "status.archived": "Archived",
        "kind.company": "Company",
        "kind.professional": "Professional",
        "tab.label": "Account sections",
        "tab.account": "Account",
        "lang.fr": "Français",
        "lang.en": "English",
        "error.title": "Something is not right",
        "error.csrf": "This form has expired. Reload the page and try again.",
        "error.not_found": "This page does not exist, or you do not have access to it.",
        "error.internal": "Something went wrong on our side. Try again in a moment.",
        "error.form": "Please correct the fields marked below.",
        "error.rate": "Too many attempts. Wait a moment and try again.",
        "error.home": "Back to home",
        "footer.text": "Hosted telephony for resellers",
    },
    "fr": {
        "app.name": "Switchboard",
        "nav.home": "Accueil",
        "nav.my_account": "Mon compte",
        "nav.customers": "Clients",
        "nav.settings": "Paramètres",
        "nav.signout": "Se déconnecter",
        "nav.menu": "Menu du compte",
        "nav.main": "Menu principal",
        "nav.language": "Langue",
        "status.trial": "Essai gratuit",
        "status.production": "Production",
        "status.suspended": "Suspendu",
        "status.closed": "Fermé",
        "status.archived": "Archivé",
        "kind.company": "Entreprise",
        "kind.professional": "Professionnel",
        "tab.label": "Sections du compte",
        "tab.account": "Compte",
        "lang.fr": "Français",
        "lang.en": "English",
        "error.title": "Quelque chose ne va pas",
        "error.csrf": "Ce formulaire a expiré. Rechargez la page et réessayez.",
        "error.not_found": "Cette page n'existe pas, ou vous n'y avez pas accès.",
        "error.internal": "Une erreur s'est produite de notre côté. Réessayez dans un instant.",
        "error.form": "Corrigez les champs indiqués ci-dessous.",
        "error.rate": "Trop de tentatives. Patientez un moment puis réessayez.",
        "error.home": "Retour à l'accueil",
        "footer.text": "Téléphonie hébergée pour revendeurs",
    },
}


class Catalogue:
    def __init__(self, messages: Messages):
        self.messages = messages

    @classmethod
    def merge(cls, parts: Iterable[tuple[str, Messages]]) -> Catalogue:
        """``parts``: (name, messages) pairs, the framework's first, then each area's."""
        merged: Messages = {language: {} for language in LANGUAGES}
        for name, messages in parts:
            for language, entries in messages.items():
                clash = set(entries) & set(merged[language])
                if clash:
                    raise RuntimeError(f"{name} redefines {sorted(clash)}")
                merged[language].update(entries)
        return cls(merged)

    def translator(self, language: str) -> Callable[..., str]:
        catalogue = self.messages.get(language, self.messages["fr"])
        english = self.messages["en"]

        def t(key: str, /, **values: Any) -> str:  # "key" may be a placeholder too
            text = catalogue.get(key) or english.get(key) or key
            return text.format(**values) if values else text

        return t

    def plural_translator(self, language: str) -> Callable[..., str]:
        """tn("customers.count", 3) reads "customers.count.other" with {n} = 3."""
        t = self.translator(language)

        def tn(key: str, n: int, /, **values: Any) -> str:
            return t(f"{key}.{plural_form(language, n)}", n=n, **values)

        return tn


def plural_form(language: str, n: int) -> str:
    """CLDR's two forms for our languages: French counts 0 as singular, English does not."""
    if n == 1 or (language == "fr" and n == 0):
        return "one"
    return "other"


def pick_language(accept_language: str | None, cookie: str | None) -> str:
    if cookie in LANGUAGES:
        return cookie  # type: ignore[return-value]
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in LANGUAGES:
            return code
    return "fr"
