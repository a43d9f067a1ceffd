"""Strings of the mail templates area, French and English (same keys in both)."""

MESSAGES = {
    "en": {
        "nav.mail_templates": "E-mail templates",
        "mail_templates.title": "E-mail templates",
        "mail_templates.intro_admin": "The platform's default e-mails. Resellers may override "
                                      "any of them.",
        "mail_templates.intro_reseller": "Your subscribers' e-mails. Edit one to override the "
                                         "platform's default; reset it to go back.",
        "mail_templates.kind.access_codes": "Access codes",
        "mail_templates.kind.reset": "New password",
        "mail_templates.kind.welcome": "Welcome",
        "mail_templates.kind.trial_ending": "Free trial ends in 7 days",
        "mail_templates.kind.trial_ends_today": "Free trial ends today",
        "mail_templates.kind.statement": "Subscription statement",
        "mail_templates.col.kind": "E-mail",
        "mail_templates.col.language": "Language",
        "mail_templates.col.origin": "Text",
        "mail_templates.col.subject": "Subject",
        "mail_templates.origin.own": "Edited",
        "mail_templates.origin.platform": "Platform default (edited)",
        "mail_templates.origin.builtin": "Built-in",
        "mail_templates.edit": "Edit",
        "mail_templates.subject": "Subject",
        "mail_templates.html": "HTML body",
        "mail_templates.text": "Text body",
        "mail_templates.variables": "Variables you may use:",
        "mail_templates.help": "Jinja syntax, e.g. {{ name }} or {% if trial_ends %}…{% endif %}."
                               " The logo, colours, signature and support contact frame the "
                               "body.",
        "mail_templates.preview": "Preview",
        "mail_templates.preview_title": "Preview with sample data",
        "mail_templates.save": "Save",
        "mail_templates.reset_button": "Reset to the default",
        "mail_templates.saved": "Template saved.",
        "mail_templates.reset": "Template reset.",
    },
    "fr": {
        "nav.mail_templates": "Modèles de courriel",
        "mail_templates.title": "Modèles de courriel",
        "mail_templates.intro_admin": "Les courriels par défaut de la plateforme. Les "
                                      "revendeurs peuvent remplacer chacun d'eux.",
        "mail_templates.intro_reseller": "Les courriels de vos abonnés. Modifiez-en un pour "
                                         "remplacer celui de la plateforme ; réinitialisez-le "
                                         "pour y revenir.",
        "mail_templates.kind.access_codes": "Codes d'accès",
        "mail_templates.kind.reset": "Nouveau mot de passe",
        "mail_templates.kind.welcome": "Bienvenue",
        "mail_templates.kind.trial_ending": "Fin d'essai dans 7 jours",
        "mail_templates.kind.trial_ends_today": "Fin d'essai aujourd'hui",
        "mail_templates.kind.statement": "Relevé d'abonnement",
        "mail_templates.col.kind": "Courriel",
        "mail_templates.col.language": "Langue",
        "mail_templates.col.origin": "Texte",
        "mail_templates.col.subject": "Objet",
        "mail_templates.origin.own": "Modifié",
        "mail_templates.origin.platform": "Défaut de la plateforme (modifié)",
        "mail_templates.origin.builtin": "D'origine",
        "mail_templates.edit": "Modifier",
        "mail_templates.subject": "Objet",
        "mail_templates.html": "Corps HTML",
        "mail_templates.text": "Corps texte",
        "mail_templates.variables": "Variables disponibles :",
        "mail_templates.help": "Syntaxe Jinja, p. ex. {{ name }} ou "
                               "{% if trial_ends %}…{% endif %}. Le logo, les couleurs, la "
                               "signature et le contact de soutien encadrent le corps.",
        "mail_templates.preview": "Aperçu",
        "mail_templates.preview_title": "Aperçu avec des données d'exemple",
        "mail_templates.save": "Enregistrer",
        "mail_templates.reset_button": "Revenir au modèle par défaut",
        "mail_templates.saved": "Modèle enregistré.",
        "mail_templates.reset": "Modèle réinitialisé.",
    },
}
