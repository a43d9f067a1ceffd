"""French and English catalogues of the portal. Keys are identical in both (a test checks)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

LANGUAGES = ("fr", "en")

MESSAGES: dict[str, dict[str, str]] = {
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
        "login.title": "Sign in",
        "login.subtitle": "Reseller and subscriber portal",
        "login.identifier": "Identifier or e-mail",
        "login.password": "PIN / password",
        "login.remember": "Remember me",
        "login.remember_hint": "Only your identifier is remembered, never your PIN.",
        "login.submit": "Sign in",
        "login.failed": "Identifier or PIN is incorrect.",
        "login.forgot": "Forgot?",
        "login.expired": "You were signed out after 10 minutes without activity.",
        "login.signed_out": "You are signed out.",
        "login.reset_done": "Your new password is set. Sign in with it.",
        "forgot.title": "Forgot your PIN?",
        "forgot.intro": "Enter your identifier or e-mail. We will e-mail you a single-use link "
                        "to choose a new one.",
        "forgot.submit": "Send the link",
        "forgot.sent": "If an account matches, a link is on its way. It works once, for one "
                       "hour.",
        "forgot.back": "Back to sign in",
        "reset.title": "Choose a new PIN / password",
        "reset.new": "New PIN / password",
        "reset.confirm": "Repeat it",
        "reset.submit": "Save",
        "reset.mismatch": "The two entries differ.",
        "home.title": "Welcome, {name}",
        "home.customers": "Customer accounts",
        "home.companies": "Companies",
        "home.professionals": "Professionals",
        "home.trial": "Free trial",
        "home.production": "Production",
        "home.suspended": "Suspended",
        "home.closed": "Closed",
        "home.by_status": "By status",
        "home.new_customer": "New customer account",
        "home.view_customers": "View customers",
        "customers.title": "Customers",
        "customers.tab.company": "Companies",
        "customers.tab.professional": "Professionals",
        "customers.search": "Search by name, identifier or e-mail",
        "customers.search_button": "Search",
        "customers.status_all": "All statuses",
        "customers.sort": "Sort by",
        "customers.sort.name": "Name",
        "customers.sort.created_at": "Creation date",
        "customers.sort.status": "Status",
        "customers.order.asc": "Ascending",
        "customers.order.desc": "Descending",
        "customers.order": "Order",
        "customers.sort_by": "Sort by: {field}",
        "customers.pagination": "Pages",
        "customers.new": "New account",
        "customers.empty": "No customer account matches.",
        "customers.count.one": "{n} account",
        "customers.count.other": "{n} accounts",
        "customers.col.name": "Name",
        "customers.col.identifier": "Identifier",
        "customers.col.email": "E-mail",
        "customers.col.status": "Status",
        "customers.col.created": "Created",
        "customers.prev": "Previous",
        "customers.next": "Next",
        "customers.page": "Page {page} of {pages}",
        "status.trial": "Free trial",
        "status.production": "Production",
        "status.suspended": "Suspended",
        "status.closed": "Closed",
        "kind.company": "Company",
        "kind.professional": "Professional",
        "new.title": "New customer account",
        "new.step1": "1. Account details",
        "new.step2": "2. Start",
        "new.kind": "Account type",
        "new.name.company": "Company name",
        "new.name.professional": "Full name",
        "new.contact": "Contact person",
        "new.email": "E-mail",
        "new.identifier": "Sign-in identifier",
        "new.identifier_hint": "Leave empty to generate one from the name.",
        "new.phone": "Phone",
        "new.language": "Language",
        "new.country": "Country (ISO code)",
        "new.next": "Continue",
        "new.back": "Back",
        "new.choose": "How does this account start?",
        "new.trial": "Free trial",
        "new.trial_text": "Try the service at no charge for the trial period, then move to "
                          "production.",
        "new.production": "Production",
        "new.production_text": "Billed from today.",
        "new.create": "Create the account",
        "new.created": "Account {name} created.",
        "detail.title": "Account",
        "detail.edit": "Edit",
        "detail.save": "Save changes",
        "detail.saved": "Changes saved.",
        "detail.status": "Status",
        "detail.trial_ends": "Trial ends",
        "detail.closed_at": "Closed on",
        "detail.created": "Created",
        "detail.kind": "Type",
        "detail.close": "Close this account",
        "detail.close_text": "The subscriber loses access at once. Data is kept; only the "
                             "system administrator can reopen the account.",
        "detail.close_confirm": "Type the identifier to confirm",
        "detail.closed": "The account is closed.",
        "detail.closed_readonly": "This account is closed: it can no longer be changed.",
        "detail.to_production": "Move to production",
        "detail.suspend": "Suspend",
        "detail.resume": "Resume service",
        "detail.status_changed": "Status changed.",
        "detail.back": "All customers",
        "tab.label": "Account sections",
        "tab.account": "Account",
        "detail.reopen": "Reopen this account",
        "detail.reopen_text": "The account returns to production; its subscriber can sign in "
                              "again.",
        "detail.reopened": "The account is open again.",
        "settings.title": "Settings",
        "settings.password": "Change your PIN / password",
        "settings.current": "Current PIN / password",
        "settings.new": "New PIN / password",
        "settings.confirm": "Repeat the new one",
        "settings.change": "Change",
        "settings.changed": "Your password was changed. Your other sessions were signed out.",
        "settings.language": "Interface language",
        "settings.save_language": "Save",
        "settings.language_saved": "Language saved.",
        "settings.profile": "Your account",
        "settings.wrong_current": "This is not your current PIN / password.",
        "settings.weak_new": "Choose 8 to 128 characters, different from the current ones.",
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
        "login.title": "Connexion",
        "login.subtitle": "Portail revendeurs et abonnés",
        "login.identifier": "Identifiant ou courriel",
        "login.password": "NIP / mot de passe",
        "login.remember": "Se souvenir de moi",
        "login.remember_hint": "Seul votre identifiant est mémorisé, jamais votre NIP.",
        "login.submit": "Se connecter",
        "login.failed": "Identifiant ou NIP incorrect.",
        "login.forgot": "Oublié ?",
        "login.expired": "Vous avez été déconnecté après 10 minutes d'inactivité.",
        "login.signed_out": "Vous êtes déconnecté.",
        "login.reset_done": "Votre nouveau mot de passe est enregistré. Connectez-vous avec.",
        "forgot.title": "NIP oublié ?",
        "forgot.intro": "Saisissez votre identifiant ou votre courriel. Nous vous enverrons un "
                        "lien à usage unique pour en choisir un nouveau.",
        "forgot.submit": "Envoyer le lien",
        "forgot.sent": "Si un compte correspond, un lien est en route. Il fonctionne une seule "
                       "fois, pendant une heure.",
        "forgot.back": "Retour à la connexion",
        "reset.title": "Choisir un nouveau NIP / mot de passe",
        "reset.new": "Nouveau NIP / mot de passe",
        "reset.confirm": "Répétez-le",
        "reset.submit": "Enregistrer",
        "reset.mismatch": "Les deux saisies diffèrent.",
        "home.title": "Bienvenue, {name}",
        "home.customers": "Comptes clients",
        "home.companies": "Entreprises",
        "home.professionals": "Professionnels",
        "home.trial": "Essai gratuit",
        "home.production": "Production",
        "home.suspended": "Suspendus",
        "home.closed": "Fermés",
        "home.by_status": "Par statut",
        "home.new_customer": "Nouveau compte client",
        "home.view_customers": "Voir les clients",
        "customers.title": "Clients",
        "customers.tab.company": "Entreprises",
        "customers.tab.professional": "Professionnels",
        "customers.search": "Rechercher par nom, identifiant ou courriel",
        "customers.search_button": "Rechercher",
        "customers.status_all": "Tous les statuts",
        "customers.sort": "Trier par",
        "customers.sort.name": "Nom",
        "customers.sort.created_at": "Date de création",
        "customers.sort.status": "Statut",
        "customers.order.asc": "Croissant",
        "customers.order.desc": "Décroissant",
        "customers.order": "Ordre",
        "customers.sort_by": "Trier par : {field}",
        "customers.pagination": "Pages",
        "customers.new": "Nouveau compte",
        "customers.empty": "Aucun compte client ne correspond.",
        "customers.count.one": "{n} compte",
        "customers.count.other": "{n} comptes",
        "customers.col.name": "Nom",
        "customers.col.identifier": "Identifiant",
        "customers.col.email": "Courriel",
        "customers.col.status": "Statut",
        "customers.col.created": "Créé le",
        "customers.prev": "Précédent",
        "customers.next": "Suivant",
        "customers.page": "Page {page} sur {pages}",
        "status.trial": "Essai gratuit",
        "status.production": "Production",
        "status.suspended": "Suspendu",
        "status.closed": "Fermé",
        "kind.company": "Entreprise",
        "kind.professional": "Professionnel",
        "new.title": "Nouveau compte client",
        "new.step1": "1. Informations du compte",
        "new.step2": "2. Démarrage",
        "new.kind": "Type de compte",
        "new.name.company": "Nom de l'entreprise",
        "new.name.professional": "Nom complet",
        "new.contact": "Personne-ressource",
        "new.email": "Courriel",
        "new.identifier": "Identifiant de connexion",
        "new.identifier_hint": "Laissez vide pour en générer un à partir du nom.",
        "new.phone": "Téléphone",
        "new.language": "Langue",
        "new.country": "Pays (code ISO)",
        "new.next": "Continuer",
        "new.back": "Retour",
        "new.choose": "Comment ce compte démarre-t-il ?",
        "new.trial": "Essai gratuit",
        "new.trial_text": "Essayez le service sans frais pendant la période d'essai, puis "
                          "passez en production.",
        "new.production": "Production",
        "new.production_text": "Facturé dès aujourd'hui.",
        "new.create": "Créer le compte",
        "new.created": "Compte {name} créé.",
        "detail.title": "Compte",
        "detail.edit": "Modifier",
        "detail.save": "Enregistrer",
        "detail.saved": "Modifications enregistrées.",
        "detail.status": "Statut",
        "detail.trial_ends": "Fin de l'essai",
        "detail.closed_at": "Fermé le",
        "detail.created": "Créé le",
        "detail.kind": "Type",
        "detail.close": "Fermer ce compte",
        "detail.close_text": "L'abonné perd l'accès immédiatement. Les données sont conservées ; "
                             "seul l'administrateur système peut rouvrir le compte.",
        "detail.close_confirm": "Saisissez l'identifiant pour confirmer",
        "detail.closed": "Le compte est fermé.",
        "detail.closed_readonly": "Ce compte est fermé : il ne peut plus être modifié.",
        "detail.to_production": "Passer en production",
        "detail.suspend": "Suspendre",
        "detail.resume": "Rétablir le service",
        "detail.status_changed": "Statut modifié.",
        "detail.back": "Tous les clients",
        "tab.label": "Sections du compte",
        "tab.account": "Compte",
        "detail.reopen": "Rouvrir ce compte",
        "detail.reopen_text": "Le compte repasse en production ; son abonné peut de nouveau se "
                              "connecter.",
        "detail.reopened": "Le compte est rouvert.",
        "settings.title": "Paramètres",
        "settings.password": "Changer votre NIP / mot de passe",
        "settings.current": "NIP / mot de passe actuel",
        "settings.new": "Nouveau NIP / mot de passe",
        "settings.confirm": "Répétez le nouveau",
        "settings.change": "Changer",
        "settings.changed": "Votre mot de passe a été changé. Vos autres sessions ont été "
                            "fermées.",
        "settings.language": "Langue de l'interface",
        "settings.save_language": "Enregistrer",
        "settings.language_saved": "Langue enregistrée.",
        "settings.profile": "Votre compte",
        "settings.wrong_current": "Ce n'est pas votre NIP / mot de passe actuel.",
        "settings.weak_new": "Choisissez de 8 à 128 caractères, différents des actuels.",
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


def _merge_area_catalogues() -> None:
    """Each product area keeps its strings in gateway/portal/messages/<area>.py
    (``MESSAGES = {"en": {...}, "fr": {...}}``); they join the core catalogue here."""
    package = Path(__file__).parent / "messages"
    for info in pkgutil.iter_modules([str(package)]):
        module = importlib.import_module(f"{__package__}.messages.{info.name}")
        for language, entries in module.MESSAGES.items():
            clash = set(entries) & set(MESSAGES[language])
            if clash:
                raise RuntimeError(f"messages/{info.name}.py redefines {sorted(clash)}")
            MESSAGES[language].update(entries)


_merge_area_catalogues()


def translator(language: str) -> Callable[..., str]:
    catalogue = MESSAGES.get(language, MESSAGES["fr"])

    def t(key: str, /, **values: Any) -> str:  # "key" may be a placeholder too
        text = catalogue.get(key) or MESSAGES["en"].get(key) or key
        return text.format(**values) if values else text

    return t


def plural_form(language: str, n: int) -> str:
    """CLDR's two forms for our languages: French counts 0 as singular, English does not."""
    if n == 1 or (language == "fr" and n == 0):
        return "one"
    return "other"


def plural_translator(language: str) -> Callable[..., str]:
    """tn("customers.count", 3) reads "customers.count.other" with {n} = 3."""
    t = translator(language)

    def tn(key: str, n: int, /, **values: Any) -> str:
        return t(f"{key}.{plural_form(language, n)}", n=n, **values)

    return tn


def pick_language(accept_language: str | None, cookie: str | None) -> str:
    if cookie in LANGUAGES:
        return cookie  # type: ignore[return-value]
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in LANGUAGES:
            return code
    return "fr"
