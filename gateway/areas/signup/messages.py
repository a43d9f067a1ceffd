"""Portal strings of the sign-up (the reseller's guide and the public pages)."""

MESSAGES = {
    "en": {
        "nav.signup_links": "Sign-up links",
        "signup.guide_title": "Sign-up on your website",
        "signup.guide_intro": "Publish these links (or the form below) on your website: "
                              "visitors choose a plan, give their details, pick their numbers "
                              "and confirm their e-mail address; their account is then "
                              "created in production, in your brand.",
        "signup.links_title": "Your sign-up links",
        "signup.no_links": "No sign-up link yet.",
        "signup.kind.company": "Company account",
        "signup.kind.professional": "Professional account",
        "signup.link_kind": "Kind of account",
        "signup.link_plan": "Pre-selected plan",
        "signup.link_promotion": "Promotion",
        "signup.visitor_chooses": "The visitor chooses",
        "signup.none": "None",
        "signup.create_link": "Create the link",
        "signup.link_created": "Link created.",
        "signup.link_revoked": "Link revoked: it no longer works.",
        "signup.copy": "Copy",
        "signup.copied": "Copied",
        "signup.revoke": "Revoke",
        "signup.remove": "Remove",
        "signup.custom_title": "Links on your subscribers' portal",
        "signup.custom_intro": "Links (terms, help, your store) your subscribers see on their "
                               "home page.",
        "signup.custom_label": "Label",
        "signup.custom_url": "Address",
        "signup.custom_url_hint": "http:// or https://",
        "signup.add_custom": "Add the link",
        "signup.custom_links_home": "Useful links",
        "signup.snippet_title": "HTML for your website",
        "signup.snippet_intro": "Paste this on a page of your website: a sign-up button, and "
                                "a short form that starts a sign-up without leaving your "
                                "site (it uses your first link).",
        "signup.snippet_label": "HTML to paste",
        "signup.snippet_needs_link": "Create a sign-up link first.",
        "signup.title.company": "Sign up: company account",
        "signup.title.professional": "Sign up: professional account",
        "signup.step.plan": "Plan",
        "signup.step.details": "Details",
        "signup.step.numbers": "Numbers",
        "signup.step.confirm": "Confirm",
        "signup.plan_legend": "Choose your plan",
        "signup.per_month": "per month",
        "signup.no_plans": "No plan is offered at the moment.",
        "signup.promotion": "Promotion included: {name}",
        "signup.next": "Continue",
        "signup.back": "Back",
        "signup.company_name": "Company name",
        "signup.contact_name": "Contact person",
        "signup.full_name": "Full name",
        "signup.name": "Name",
        "signup.email": "E-mail",
        "signup.identifier": "Sign-in identifier (optional)",
        "signup.identifier_hint": "Letters, digits, . _ -; if it is taken, we give you "
                                  "another one.",
        "signup.phone": "Phone",
        "signup.country": "Country (2 letters)",
        "signup.country_hint": "CA, FR, US…",
        "signup.language": "Language",
        "signup.numbers_intro": "Choose up to {n} phone numbers (optional): they are kept "
                                "for you until you confirm your e-mail address.",
        "signup.area": "Area code",
        "signup.search": "Show numbers",
        "signup.numbers_legend": "Available numbers",
        "signup.no_numbers": "No number is available right now; you can order some later.",
        "signup.too_many_numbers": "At most {n} numbers.",
        "signup.plan": "Plan",
        "signup.numbers": "Numbers",
        "signup.terms": "I accept the terms of service (version {version}).",
        "signup.leave_empty": "Leave this field empty",
        "signup.verify_first": "We will send you an e-mail: your account is created when you "
                               "follow its link.",
        "signup.submit": "Sign up",
        "signup.too_fast": "Please take a moment to check your details, then send again.",
        "signup.sent_title": "Check your e-mail",
        "signup.sent": "We sent a message to {email}. Follow its link to confirm your "
                       "address and create your account.",
        "signup.sent_note": "Nothing arrived? Look in your junk mail; the link works for "
                            "24 hours.",
        "signup.verify_title": "Confirm your account",
        "signup.verify_intro": "Your address {email} is confirmed. Choose your PIN to create "
                               "your account.",
        "signup.pin": "PIN",
        "signup.pin_confirm": "PIN again",
        "signup.pin_rule": "At least 8 characters.",
        "signup.create": "Create my account",
        "signup.refused_title.invalid": "Link not valid",
        "signup.refused.invalid": "This link is not valid. Copy the whole link from the "
                                  "e-mail, or sign up again.",
        "signup.refused_title.completed": "Link already used",
        "signup.refused.completed": "This link was already used: your account exists. Sign "
                                    "in with your identifier or e-mail address.",
        "signup.refused_title.expired": "Link expired",
        "signup.refused.expired": "This link has expired and nothing was created. Sign up "
                                  "again to receive a new one.",
        "signup.refused_title.email_in_use": "You already have an account",
        "signup.refused.email_in_use": "This e-mail address already has an account. Sign in, "
                                       "or choose \"Forgot?\" on the sign-in page.",
        "signup.to_login": "Sign in",
        "signup.done_title": "Your account is ready",
        "signup.done": "Your account has been created. Sign in with your identifier or your "
                       "e-mail address and the PIN you chose.",
        "signup.your_identifier": "Your identifier:",
        "signup.identifier_changed": "The identifier you asked for was not available; this "
                                     "one is yours.",
    },
    "fr": {
        "nav.signup_links": "Liens d'inscription",
        "signup.guide_title": "L'inscription sur votre site",
        "signup.guide_intro": "Publiez ces liens (ou le formulaire ci-dessous) sur votre site : "
                              "les visiteurs choisissent un forfait, donnent leurs "
                              "coordonnées, choisissent leurs numéros et confirment leur "
                              "courriel ; leur compte est alors créé en production, à votre "
                              "image.",
        "signup.links_title": "Vos liens d'inscription",
        "signup.no_links": "Aucun lien d'inscription pour l'instant.",
        "signup.kind.company": "Compte entreprise",
        "signup.kind.professional": "Compte professionnel",
        "signup.link_kind": "Type de compte",
        "signup.link_plan": "Forfait présélectionné",
        "signup.link_promotion": "Promotion",
        "signup.visitor_chooses": "Le visiteur choisit",
        "signup.none": "Aucun",
        "signup.create_link": "Créer le lien",
        "signup.link_created": "Lien créé.",
        "signup.link_revoked": "Lien révoqué : il ne fonctionne plus.",
        "signup.copy": "Copier",
        "signup.copied": "Copié",
        "signup.revoke": "Révoquer",
        "signup.remove": "Retirer",
        "signup.custom_title": "Liens du portail de vos abonnés",
        "signup.custom_intro": "Des liens (conditions, aide, votre boutique) que vos abonnés "
                               "voient sur leur page d'accueil.",
        "signup.custom_label": "Libellé",
        "signup.custom_url": "Adresse",
        "signup.custom_url_hint": "http:// ou https://",
        "signup.add_custom": "Ajouter le lien",
        "signup.custom_links_home": "Liens utiles",
        "signup.snippet_title": "Le HTML pour votre site",
        "signup.snippet_intro": "Collez ceci dans une page de votre site : un bouton "
                                "d'inscription, et un court formulaire qui commence "
                                "l'inscription sans quitter votre site (il utilise votre "
                                "premier lien).",
        "signup.snippet_label": "HTML à coller",
        "signup.snippet_needs_link": "Créez d'abord un lien d'inscription.",
        "signup.title.company": "Inscription : compte entreprise",
        "signup.title.professional": "Inscription : compte professionnel",
        "signup.step.plan": "Forfait",
        "signup.step.details": "Coordonnées",
        "signup.step.numbers": "Numéros",
        "signup.step.confirm": "Confirmation",
        "signup.plan_legend": "Choisissez votre forfait",
        "signup.per_month": "par mois",
        "signup.no_plans": "Aucun forfait n'est offert pour l'instant.",
        "signup.promotion": "Promotion incluse : {name}",
        "signup.next": "Continuer",
        "signup.back": "Retour",
        "signup.company_name": "Nom de l'entreprise",
        "signup.contact_name": "Personne-ressource",
        "signup.full_name": "Nom complet",
        "signup.name": "Nom",
        "signup.email": "Courriel",
        "signup.identifier": "Identifiant de connexion (facultatif)",
        "signup.identifier_hint": "Lettres, chiffres, . _ - ; s'il est pris, nous vous en "
                                  "donnons un autre.",
        "signup.phone": "Téléphone",
        "signup.country": "Pays (2 lettres)",
        "signup.country_hint": "CA, FR, US…",
        "signup.language": "Langue",
        "signup.numbers_intro": "Choisissez jusqu'à {n} numéros de téléphone (facultatif) : "
                                "ils vous sont réservés jusqu'à la confirmation de votre "
                                "courriel.",
        "signup.area": "Indicatif régional",
        "signup.search": "Afficher les numéros",
        "signup.numbers_legend": "Numéros disponibles",
        "signup.no_numbers": "Aucun numéro n'est disponible pour l'instant ; vous pourrez "
                             "en commander plus tard.",
        "signup.too_many_numbers": "Au plus {n} numéros.",
        "signup.plan": "Forfait",
        "signup.numbers": "Numéros",
        "signup.terms": "J'accepte les conditions d'utilisation (version {version}).",
        "signup.leave_empty": "Laissez ce champ vide",
        "signup.verify_first": "Nous vous enverrons un courriel : votre compte est créé quand "
                               "vous suivez son lien.",
        "signup.submit": "M'inscrire",
        "signup.too_fast": "Prenez un instant pour vérifier vos coordonnées, puis envoyez "
                           "de nouveau.",
        "signup.sent_title": "Consultez vos courriels",
        "signup.sent": "Nous avons envoyé un message à {email}. Suivez son lien pour "
                       "confirmer votre adresse et créer votre compte.",
        "signup.sent_note": "Rien reçu ? Regardez dans vos indésirables ; le lien fonctionne "
                            "24 heures.",
        "signup.verify_title": "Confirmez votre compte",
        "signup.verify_intro": "Votre adresse {email} est confirmée. Choisissez votre NIP "
                               "pour créer votre compte.",
        "signup.pin": "NIP",
        "signup.pin_confirm": "NIP de nouveau",
        "signup.pin_rule": "Au moins 8 caractères.",
        "signup.create": "Créer mon compte",
        "signup.refused_title.invalid": "Lien non valide",
        "signup.refused.invalid": "Ce lien n'est pas valide. Copiez le lien entier depuis le "
                                  "courriel, ou inscrivez-vous de nouveau.",
        "signup.refused_title.completed": "Lien déjà utilisé",
        "signup.refused.completed": "Ce lien a déjà été utilisé : votre compte existe. "
                                    "Connectez-vous avec votre identifiant ou votre courriel.",
        "signup.refused_title.expired": "Lien expiré",
        "signup.refused.expired": "Ce lien a expiré et rien n'a été créé. Inscrivez-vous de "
                                  "nouveau pour en recevoir un autre.",
        "signup.refused_title.email_in_use": "Vous avez déjà un compte",
        "signup.refused.email_in_use": "Cette adresse courriel a déjà un compte. "
                                       "Connectez-vous, ou choisissez « Oublié ? » sur la page "
                                       "de connexion.",
        "signup.to_login": "Se connecter",
        "signup.done_title": "Votre compte est prêt",
        "signup.done": "Votre compte a été créé. Connectez-vous avec votre identifiant ou "
                       "votre courriel et le NIP choisi.",
        "signup.your_identifier": "Votre identifiant :",
        "signup.identifier_changed": "L'identifiant demandé n'était pas libre ; celui-ci est "
                                     "le vôtre.",
    },
}
