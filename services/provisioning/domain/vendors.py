"""Supported phone models, the files each fetches, and rendering them from current data.

Formats (from the vendors' provisioning guides):
- Yealink T4x/T5x: ``<mac>.cfg``, key = value lines after ``#!version:1.0.0.1``.
- Polycom VVX: ``<mac>.cfg`` (master XML naming CONFIG_FILES) + ``<mac>-phone.cfg`` (XML
  ``<polycomConfig>`` with ``reg.1.*`` attributes).
- Cisco SPA: ``spa<mac>.xml`` ``<flat-profile>``; Cisco MPP (3PCC): ``<mac>.xml`` with
  ``<device><flat-profile>``.
- Grandstream: ``cfg<mac>.xml`` ``<gs_provision>`` with P-values.
- Snom: ``<mac>.xml`` ``<settings><phone-settings>``.

Each phone also gets the remote phone book (its organisation's directory) in its vendor's
format, and its file points at it (checked against the vendors' guides and Wazo's provd
templates):
- Yealink: ``remote_phonebook.data.1.url`` / ``.name`` → ``<YealinkIPPhoneDirectory>``
  with ``DirectoryEntry/Name/Telephone`` (several Telephone per entry).
- Polycom: the phone fetches ``<mac>-directory.xml`` from its provisioning server itself
  (``CONTACTS_DIRECTORY`` of the master file; empty = beside it) → ``<directory><item_list>
  <item><ln/><fn/><ct/>``, one contact (``ct``) per item.
- Cisco SPA / MPP: ``XML_Directory_Service_Name`` / ``_URL`` → ``<CiscoIPPhoneDirectory>``
  with ``DirectoryEntry/Name/Telephone`` (one Telephone per entry).
- Grandstream: ``P330`` (1 HTTP, 3 HTTPS), ``P331`` (the server path without scheme; the
  phone appends ``phonebook.xml``), ``P332`` (minutes between downloads) →
  ``<AddressBook><Contact><LastName/><FirstName/><Phone><phonenumber/><accountindex/>``.
- Snom: ``dkey_directory`` = ``url <URL>`` (the Directory key opens it) →
  ``<SnomIPPhoneDirectory>`` with ``DirectoryEntry/Name/Telephone``.

XML formats are rendered with autoescaping; the key = value format refuses any control
character in a value (a newline would inject a key). Values are also checked before either
format, so a stored name that could break a file never renders half a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from sbcommon.errors import Invalid

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


# The phone book file of each vendor: (file name pattern with {mac}, template).
DIRECTORY = "{mac}-directory.xml"
PHONEBOOKS = {
    "yealink": (DIRECTORY, "phonebook-yealink.xml"),
    "polycom": (DIRECTORY, "phonebook-polycom.xml"),  # the name Polycom phones ask for
    "cisco": (DIRECTORY, "phonebook-cisco.xml"),
    "cisco-mpp": (DIRECTORY, "phonebook-cisco.xml"),
    # Grandstream appends this name to its phone book path (P331): one file per login.
    "grandstream": ("phonebook.xml", "phonebook-grandstream.xml"),
    "snom": (DIRECTORY, "phonebook-snom.xml"),
}
GRANDSTREAM_PHONEBOOK_MINUTES = 60  # how often a Grandstream phone downloads it again


@dataclass(frozen=True)
class Model:
    key: str
    vendor: str
    label: str
    files: tuple[tuple[str, str], ...]  # (file name pattern with {mac}, template)

    @property
    def phonebook(self) -> tuple[str, str]:
        return PHONEBOOKS[self.vendor]


def _yealink(key: str, label: str) -> Model:
    return Model(key, "yealink", label, (("{mac}.cfg", "yealink.cfg"),))


def _polycom(key: str, label: str) -> Model:
    return Model(key, "polycom", label,
                 (("{mac}.cfg", "polycom.cfg"), ("{mac}-phone.cfg", "polycom-phone.cfg")))


MODELS: dict[str, Model] = {m.key: m for m in (
    _yealink("yealink-t43u", "Yealink T43U"),
    _yealink("yealink-t46u", "Yealink T46U"),
    _yealink("yealink-t48u", "Yealink T48U"),
    _yealink("yealink-t54w", "Yealink T54W"),
    _yealink("yealink-t57w", "Yealink T57W"),
    _polycom("polycom-vvx250", "Polycom VVX 250"),
    _polycom("polycom-vvx450", "Polycom VVX 450"),
    Model("cisco-spa504g", "cisco", "Cisco SPA504G", (("spa{mac}.xml", "cisco.xml"),)),
    Model("cisco-spa525g2", "cisco", "Cisco SPA525G2", (("spa{mac}.xml", "cisco.xml"),)),
    Model("cisco-cp-8841-3pcc", "cisco-mpp", "Cisco IP Phone 8841 (MPP)",
          (("{mac}.xml", "cisco.xml"),)),
    Model("grandstream-grp2612", "grandstream", "Grandstream GRP2612",
          (("cfg{mac}.xml", "grandstream.xml"),)),
    Model("grandstream-gxp2170", "grandstream", "Grandstream GXP2170",
          (("cfg{mac}.xml", "grandstream.xml"),)),
    Model("snom-d735", "snom", "Snom D735", (("{mac}.xml", "snom.xml"),)),
    Model("snom-d785", "snom", "Snom D785", (("{mac}.xml", "snom.xml"),)),
)}


def get_model(key: object, field: str = "model") -> Model:
    model = MODELS.get(key) if isinstance(key, str) else None
    if model is None:
        message = f"unknown model {str(key)[:40]!r}; choose one of: {', '.join(MODELS)}"
        raise Invalid(message, [{"field": field, "message": message}])
    return model


def catalogue() -> list[dict[str, str]]:
    return [{"key": m.key, "vendor": m.vendor, "label": m.label} for m in MODELS.values()]


def file_names(model_key: str, mac: str) -> list[str]:
    return [pattern.format(mac=mac) for pattern, _ in MODELS[model_key].files]


def phonebook_name(model_key: str, mac: str) -> str:
    """The name of the phone book file this phone downloads."""
    return MODELS[model_key].phonebook[0].format(mac=mac)


def has_control_chars(value: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 or 0x80 <= ord(c) < 0xA0 for c in value)


def _kv(value: Any) -> str:
    text = str(value)
    if has_control_chars(text):
        raise ValueError("a control character would break a key = value file")
    return text


def _environment(xml: bool) -> Environment:
    # Not HTML: XML formats autoescape; the key = value format cannot be escaped, so its
    # values go through the ``kv`` filter, which refuses control characters.
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=xml,  # noqa: S701
                      undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters["kv"] = _kv
    return env


_XML_ENV = _environment(xml=True)
_TEXT_ENV = _environment(xml=False)


@dataclass(frozen=True)
class LineData:
    """Everything a phone's file holds; built from current data at download time."""

    mac: str
    device_name: str
    display_name: str
    label: str  # the line's number, or the display name when it has none
    sip_username: str
    sip_secret: str
    sip_domain: str  # the registrar and realm
    sip_proxy_host: str  # the outbound proxy
    sip_proxy_port: int
    # Where the phone downloads its phone book (with the login's credentials: phones send
    # them from the URL); "" leaves the setting out.
    phonebook_url: str = ""
    phonebook_name: str = "Directory"


def render(model_key: str, file_name: str, line: LineData) -> bytes:
    """The content of ``file_name`` (one of ``file_names(model_key, mac)``)."""
    model = MODELS[model_key]
    templates = {pattern.format(mac=line.mac): name for pattern, name in model.files}
    template = templates[file_name]  # KeyError: not one of this phone's files
    values = {**line.__dict__, "mpp": model.vendor == "cisco-mpp",
              "phonebook_path": _without_file(_without_scheme(line.phonebook_url)),
              "phonebook_https": line.phonebook_url.startswith("https:"),
              "phonebook_minutes": GRANDSTREAM_PHONEBOOK_MINUTES}
    for key, value in values.items():
        if isinstance(value, str) and has_control_chars(value):
            raise ValueError(f"{key} holds a control character")
    env = _TEXT_ENV if template.endswith(".cfg") and model.vendor == "yealink" else _XML_ENV
    return env.get_template(template).render(**values).encode("utf-8")


def _without_scheme(url: str) -> str:
    return url.split("://", 1)[-1]


def _without_file(path: str) -> str:
    return path.rsplit("/", 1)[0] + "/" if "/" in path else path


def render_phonebook(model_key: str, title: str, contacts: list[Any]) -> bytes:
    """The phone book in this model's format (``contacts``: ``phonebook.Contact``)."""
    for contact in contacts:
        if any(has_control_chars(v) for v in (contact.name, contact.first_name,
                                               contact.last_name, *contact.numbers)):
            raise ValueError("a contact holds a control character")
    template = MODELS[model_key].phonebook[1]
    return _XML_ENV.get_template(template).render(title=title, contacts=contacts).encode()
