"""Strings of the subscribers area, French and English."""

from __future__ import annotations

MESSAGES = {
    "en": {
        "nav.audit_log": "Audit log",
        # the subscriber's home
        "subscribers.home_title": "Welcome, {name}",
        "subscribers.unavailable": "This section is not available right now; try again in a "
                                   "moment.",
        "subscribers.account": "My account",
        "subscribers.account_link": "Account details",
        "subscribers.change_pin": "Change my PIN",
        "subscribers.trial_until": "Free trial until {date}",
        "subscribers.numbers": "My numbers",
        "subscribers.numbers_none": "No phone number yet.",
        "subscribers.quota": "{held} of {max} numbers you may order yourself",
        "subscribers.order_numbers": "Order numbers",
        "subscribers.devices": "My phones",
        "subscribers.devices_none": "No phone yet.",
        "subscribers.devices_link": "Manage phones",
        "subscribers.subscription": "My subscription",
        "subscribers.subscription_none": "No subscription yet.",
        "subscribers.monthly_total": "Monthly total",
        "subscribers.subscription_link": "Change my subscription",
        "subscribers.support": "Support",
        "subscribers.support_none": "Contact {name} for help.",
        "subscribers.support_phone": "Phone",
        "subscribers.support_email": "E-mail",
        "subscribers.visits": "Support visits",
        "subscribers.visits_text": "When your provider's support entered your account to "
                                   "help you.",
        "subscribers.visits_none": "Support has never entered your account.",
        "subscribers.col.when": "When (UTC)",
        "subscribers.col.who": "Who",
        # direct access
        "subscribers.banner": "{name} is inside {customer}'s account (direct access) until "
                              "{until} UTC. Every action is recorded.",
        "subscribers.leave": "Leave",
        "subscribers.left": "You left the subscriber's account.",
        "subscribers.direct_access": "Direct access",
        "subscribers.direct_access_text": "Open this subscriber's portal as the subscriber, "
                                          "without its PIN, for at most 30 minutes. The "
                                          "subscriber sees the visit; every action inside is "
                                          "in the audit log.",
        "subscribers.enter": "Open the subscriber's portal",
        "subscribers.pin_hidden": "The subscriber's PIN cannot be seen or changed during "
                                  "direct access. Send its access codes so that it chooses "
                                  "one.",
        "subscribers.send_codes": "Send the access codes",
        "subscribers.codes_sent": "The access codes are on their way to the subscriber.",
        # locks
        "subscribers.lock_title": "Locked settings",
        "subscribers.lock_on": "The subscriber's settings are locked: it cannot change them "
                               "itself (only its PIN and language). You and direct access "
                               "still can.",
        "subscribers.lock_off": "The subscriber may change its own settings.",
        "subscribers.lock": "Lock its settings",
        "subscribers.unlock": "Unlock its settings",
        "subscribers.locked": "The subscriber's settings are locked.",
        "subscribers.unlocked": "The subscriber's settings are unlocked.",
        "subscribers.lock_notice": "Your provider has locked your account's settings. Contact "
                                   "its support to change them.",
        "subscribers.audit_link": "Audit log of this account",
        # the audit log
        "subscribers.audit_title": "Audit log",
        "subscribers.audit_text": "Direct access and every action inside it, locks, status "
                                  "changes, access codes sent and subscriptions you changed. "
                                  "Entries cannot be changed or deleted.",
        "subscribers.filter": "Filter",
        "subscribers.f.customer_id": "Customer account id",
        "subscribers.f.action": "Action",
        "subscribers.f.actor_user_id": "User id",
        "subscribers.f.since": "From",
        "subscribers.f.until": "Before",
        "subscribers.f.any": "Any",
        "subscribers.export": "Export CSV",
        "subscribers.audit_none": "No entry matches.",
        "subscribers.col.customer": "Account",
        "subscribers.col.action": "Action",
        "subscribers.col.details": "Details",
        "subscribers.via_direct_access": "direct access",
        "subscribers.action.direct_access.started": "Direct access opened",
        "subscribers.action.direct_access.ended": "Direct access left",
        "subscribers.action.direct_access.expired": "Direct access ended (time limit)",
        "subscribers.action.direct_access.action": "Action in direct access",
        "subscribers.action.direct_access.action_failed": "Action in direct access failed",
        "subscribers.action.customer.locked": "Settings locked",
        "subscribers.action.customer.unlocked": "Settings unlocked",
        "subscribers.action.customer.status_changed": "Status changed",
        "subscribers.action.access_codes.sent": "Access codes sent",
        "subscribers.action.subscription.changed": "Subscription changed",
    },
    "fr": {
        "nav.audit_log": "Journal d'audit",
        "subscribers.home_title": "Bienvenue, {name}",
        "subscribers.unavailable": "Cette section n'est pas disponible pour le moment ; "
                                   "réessayez dans un instant.",
        "subscribers.account": "Mon compte",
        "subscribers.account_link": "Détails du compte",
        "subscribers.change_pin": "Changer mon NIP",
        "subscribers.trial_until": "Essai gratuit jusqu'au {date}",
        "subscribers.numbers": "Mes numéros",
        "subscribers.numbers_none": "Aucun numéro pour l'instant.",
        "subscribers.quota": "{held} sur {max} numéros que vous pouvez commander vous-même",
        "subscribers.order_numbers": "Commander des numéros",
        "subscribers.devices": "Mes téléphones",
        "subscribers.devices_none": "Aucun téléphone pour l'instant.",
        "subscribers.devices_link": "Gérer les téléphones",
        "subscribers.subscription": "Mon abonnement",
        "subscribers.subscription_none": "Aucun abonnement pour l'instant.",
        "subscribers.monthly_total": "Total mensuel",
        "subscribers.subscription_link": "Modifier mon abonnement",
        "subscribers.support": "Soutien",
        "subscribers.support_none": "Communiquez avec {name} pour obtenir de l'aide.",
        "subscribers.support_phone": "Téléphone",
        "subscribers.support_email": "Courriel",
        "subscribers.visits": "Visites du soutien",
        "subscribers.visits_text": "Quand le soutien de votre fournisseur est entré dans votre "
                                   "compte pour vous aider.",
        "subscribers.visits_none": "Le soutien n'est jamais entré dans votre compte.",
        "subscribers.col.when": "Quand (UTC)",
        "subscribers.col.who": "Qui",
        "subscribers.banner": "{name} est dans le compte de {customer} (accès direct) "
                              "jusqu'à {until} UTC. Chaque action est consignée.",
        "subscribers.leave": "Quitter",
        "subscribers.left": "Vous avez quitté le compte de l'abonné.",
        "subscribers.direct_access": "Accès direct",
        "subscribers.direct_access_text": "Ouvrir le portail de cet abonné en tant qu'abonné, "
                                          "sans son NIP, pour 30 minutes au plus. L'abonné "
                                          "voit la visite ; chaque action est inscrite au "
                                          "journal d'audit.",
        "subscribers.enter": "Ouvrir le portail de l'abonné",
        "subscribers.pin_hidden": "Le NIP de l'abonné ne peut être ni vu ni changé pendant "
                                  "l'accès direct. Envoyez-lui ses codes d'accès pour qu'il "
                                  "en choisisse un.",
        "subscribers.send_codes": "Envoyer les codes d'accès",
        "subscribers.codes_sent": "Les codes d'accès sont en route vers l'abonné.",
        "subscribers.lock_title": "Réglages verrouillés",
        "subscribers.lock_on": "Les réglages de l'abonné sont verrouillés : il ne peut pas les "
                               "changer lui-même (seulement son NIP et sa langue). Vous et "
                               "l'accès direct le pouvez encore.",
        "subscribers.lock_off": "L'abonné peut changer ses propres réglages.",
        "subscribers.lock": "Verrouiller ses réglages",
        "subscribers.unlock": "Déverrouiller ses réglages",
        "subscribers.locked": "Les réglages de l'abonné sont verrouillés.",
        "subscribers.unlocked": "Les réglages de l'abonné sont déverrouillés.",
        "subscribers.lock_notice": "Votre fournisseur a verrouillé les réglages de votre "
                                   "compte. Communiquez avec son soutien pour les changer.",
        "subscribers.audit_link": "Journal d'audit de ce compte",
        "subscribers.audit_title": "Journal d'audit",
        "subscribers.audit_text": "L'accès direct et chaque action faite pendant celui-ci, les "
                                  "verrouillages, les changements de statut, les codes d'accès "
                                  "envoyés et les abonnements que vous avez modifiés. Les "
                                  "entrées ne peuvent être ni modifiées ni supprimées.",
        "subscribers.filter": "Filtrer",
        "subscribers.f.customer_id": "Identifiant du compte client",
        "subscribers.f.action": "Action",
        "subscribers.f.actor_user_id": "Identifiant de l'utilisateur",
        "subscribers.f.since": "Depuis",
        "subscribers.f.until": "Avant",
        "subscribers.f.any": "Toutes",
        "subscribers.export": "Exporter en CSV",
        "subscribers.audit_none": "Aucune entrée ne correspond.",
        "subscribers.col.customer": "Compte",
        "subscribers.col.action": "Action",
        "subscribers.col.details": "Détails",
        "subscribers.via_direct_access": "accès direct",
        "subscribers.action.direct_access.started": "Accès direct ouvert",
        "subscribers.action.direct_access.ended": "Accès direct quitté",
        "subscribers.action.direct_access.expired": "Accès direct terminé (limite de temps)",
        "subscribers.action.direct_access.action": "Action pendant l'accès direct",
        "subscribers.action.direct_access.action_failed": "Action en accès direct échouée",
        "subscribers.action.customer.locked": "Réglages verrouillés",
        "subscribers.action.customer.unlocked": "Réglages déverrouillés",
        "subscribers.action.customer.status_changed": "Statut changé",
        "subscribers.action.access_codes.sent": "Codes d'accès envoyés",
        "subscribers.action.subscription.changed": "Abonnement modifié",
    },
}
