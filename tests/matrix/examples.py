"""A valid request per route, so that a refusal in the matrices is about scope or CSRF and
not about the input. ``{name}`` in a string is replaced with tenant A's object of that name
(``Tenant.refs``): a body that names a foreign number or device is how "mixed ids" reach
the forms and bodies, not only the paths."""

from __future__ import annotations

from typing import Any

from gateway.areas.users.api import AccountUserCreateRequest
from sbcommon.contracts.accounts import (
    AccountUserUpdate,
    CustomerUpdate,
    OrganisationCreate,
    OrganisationUpdate,
)
from sbcommon.contracts.catalogue import (
    AvailabilityUpdate,
    ItemCreate,
    ItemUpdate,
    OfferUpdate,
    PricingUpdate,
    PromotionCreate,
    PromotionEnable,
    StatementQuery,
    SubscriptionUpdate,
)
from sbcommon.contracts.notifications import MailTemplateSource, MessageRequest
from sbcommon.contracts.numbering import (
    NumberAdd,
    NumberHolder,
    NumberQuotaSet,
    NumberRequest,
    PoolSettings,
)
from sbcommon.contracts.provisioning import DeviceCreate, DeviceUpdate
from sbcommon.contracts.resellers import ResellerAdminUpdate
from sbcommon.contracts.routing_policy import (
    DefaultUpdate,
    NumberTestQuery,
    PbxTokenCreate,
    RuleCreate,
)
from sbcommon.contracts.signup import SignupLinkCreate

PLANTED_MAC = "02:00:5e:10:00:01"

# JSON bodies of the API, by request model.
API_BODIES: dict[Any, dict[str, Any]] = {
    CustomerUpdate: {"name": "Taken over"},
    OrganisationCreate: {"name": "Planted"},
    OrganisationUpdate: {"name": "Taken over"},
    NumberRequest: {"numbers": ["{number}"]},
    NumberAdd: {"number": "{fresh_number}"},
    PoolSettings: {"aging_days": 7},
    NumberQuotaSet: {"max_numbers": 1000},
    RuleCreate: {"action": "deny", "match": "country", "value": "GB"},
    DefaultUpdate: {"action": "deny"},
    PbxTokenCreate: {"name": "Planted"},
    DeviceCreate: {"name": "Planted", "mac": PLANTED_MAC, "model": "yealink-t46u"},
    DeviceUpdate: {"name": "Taken over"},
    MessageRequest: {"subject": "Hello", "body": "Taken over"},
    ResellerAdminUpdate: {"name": "Taken over", "sip_domain": "taken.example"},
    MailTemplateSource: {"subject": "Taken over", "html": "<p>{{ name }}</p>", "text": "x"},
    ItemCreate: {"kind": "plan", "name_fr": "Planté", "name_en": "Planted", "currency": "CAD",
                 "price": 1},
    ItemUpdate: {"price": 1},
    AvailabilityUpdate: {"wholesale_price": 1},
    PricingUpdate: {"currency": "CAD", "taxes": [{"name": "GST", "rate": "5"}]},
    OfferUpdate: {"retail_price": 1},
    PromotionCreate: {"name_fr": "Planté", "name_en": "Planted", "percent": "100",
                      "months": 1, "kinds": ["plan"]},
    PromotionEnable: {"enabled": False},
    SubscriptionUpdate: {"lines": [{"item_id": "{item_id}", "quantity": 1}]},
    AccountUserCreateRequest: {"email": "planted-user@x.example", "display_name": "Planted",
                               "extension": "4243"},
    AccountUserUpdate: {"display_name": "Taken over", "extension": "4244"},
    NumberHolder: {"user_id": "{user_id}"},
    SignupLinkCreate: {"kind": "company", "plan_id": "{item_id}"},
}
# Query strings of the API, by query model (models with only optional fields need none;
# a ``customer_id`` filter is always set to A's customer).
API_QUERIES: dict[Any, dict[str, Any]] = {
    NumberTestQuery: {"dialed": "+442079460018"},
    StatementQuery: {},
}
# Non-JSON uploads of the API (number imports), as text.
API_RAW_BODY = "{fresh_number}\n"

RULE_FORM = {"action": "deny", "match": "country", "value": "GB", "note": ""}
# Portal forms, by path; "__file__" is sent as a multipart upload named "file".
PORTAL_FORMS: dict[str, dict[str, str]] = {
    "/login": {"identifier": "{a_identifier}", "password": "{a_password}"},
    "/logout": {},
    "/forgot": {"identifier": "{a_identifier}"},
    "/reset": {"token": "not-a-token", "new_password": "Another-pass-9",
               "confirm_password": "Another-pass-9"},
    "/customers/new": {"kind": "company", "name": "Planted", "email": "planted@x.example"},
    "/customers/new/confirm": {"kind": "company", "name": "Planted",
                               "email": "planted@x.example", "start": "trial"},
    "/customers/{customer_id}": {"name": "Taken over", "email": "taken@x.example",
                                 "language": "en"},
    "/customers/{customer_id}/status": {"status": "suspended"},
    "/customers/{customer_id}/close": {"confirm": "{customer_identifier}"},
    "/customers/{customer_id}/reopen": {},
    "/settings/password": {"current_password": "{a_password}",
                           "new_password": "Another-pass-9",
                           "confirm_password": "Another-pass-9"},
    "/settings/language": {"language": "fr"},
    "/call-restrictions": RULE_FORM,
    "/call-restrictions/default": {"action": "deny"},
    "/call-restrictions/{rule_id}/delete": {},
    "/customers/{customer_id}/call-restrictions": RULE_FORM,
    "/customers/{customer_id}/call-restrictions/{rule_id}/delete": {},
    "/customers/{customer_id}/devices": {"name": "Planted", "mac": PLANTED_MAC,
                                         "model": "yealink-t46u"},
    "/customers/{customer_id}/devices/{device_id}": {"name": "Taken over",
                                                     "mac": "{device_mac}",
                                                     "model": "yealink-t46u"},
    "/customers/{customer_id}/devices/{device_id}/delete": {},
    "/customers/{customer_id}/boot-configuration/rotate": {},
    "/customers/{customer_id}/emails/access-codes": {},
    "/customers/{customer_id}/emails/statement": {},
    "/customers/{customer_id}/emails/message": {"subject": "Hello", "body": "Taken over"},
    "/numbers/add": {"number": "{fresh_number}"},
    "/numbers/settings": {"aging_days": "7"},
    "/numbers/imports": {"size": "20"},
    "/numbers/import": {"__file__": "{fresh_number}\n"},
    "/customers/imports": {"__file__": "User Id,Last Name,First Name,Phone Number,Extension,"
                                       "Email Address\r\nx@planted.example,Planted,P,,,"
                                       "planted@x.example\r\n",
                           "target": "existing", "customer_id": "{customer_id}"},
    "/customers/imports/{import_id}/apply": {},
    "/customers/{customer_id}/numbers/assign": {"numbers": "{number}"},
    "/customers/{customer_id}/numbers/order": {"count": "1", "country": "CA"},
    "/customers/{customer_id}/numbers/release": {"number": "{number}"},
    "/customers/{customer_id}/numbers/user": {"number": "{number}", "user_id": "{user_id}"},
    "/admin/resellers/new": {"name": "Planted", "identifier": "planted-reseller",
                             "email": "planted@reseller.example"},
    "/admin/resellers/{reseller_id}": {"name": "Taken over", "email": "taken@x.example",
                                       "country": "CA", "language": "en", "currency": "CAD"},
    "/admin/resellers/{reseller_id}/pbx": {"sip_domain": "taken.example"},
    "/admin/resellers/{reseller_id}/suspend": {},
    "/admin/resellers/{reseller_id}/reactivate": {},
    "/reseller/settings": {"address": "Taken over", "email": "taken@x.example"},
    "/reseller/settings/support": {"support_email": "taken@x.example"},
    "/signup-links": {"kind": "company"},
    "/signup-links/{link_id}/revoke": {},
    "/signup/{token}": {"action": "plan", "plan_id": "{item_id}"},
    "/p/{slug}/signup/{token}": {"action": "plan", "plan_id": "{item_id}"},
    "/signup/verify": {"token": "not-a-token", "new_password": "Another-pass-9",
                       "confirm_password": "Another-pass-9"},
    "/p/{slug}/signup/verify": {"token": "not-a-token", "new_password": "Another-pass-9",
                                "confirm_password": "Another-pass-9"},
    "/reseller/branding": {"portal_name": "Taken over", "primary_color": "#0a5c36",
                           "accent_color": "#0d1b3e"},
    "/reseller/branding/chat": {"chat_provider": "", "chat_site_id": ""},
    "/reseller/branding/logo": {"__file__": "not an image"},
    "/reseller/branding/favicon": {"__file__": "not an image"},
    "/reseller/branding/{kind}/remove": {},
    "/setup/settings": {"address": "Taken over", "email": "taken@x.example"},
    "/setup/support": {"support_email": "taken@x.example"},
    "/setup/branding": {"skip": "1"},
    "/setup/restrictions": {"skip": "1"},
    "/setup/numbers": {"skip": "1"},
    "/mail-templates/{kind}/{language}": {"subject": "Taken over",
                                          "html": "<p>{{ name }}</p>", "text": "x"},
    "/mail-templates/{kind}/{language}/reset": {},
    "/admin/catalogue": {"kind": "plan", "name_fr": "Planté", "name_en": "Planted",
                         "currency": "CAD", "price": "1.00", "quantity_rule": "account"},
    "/admin/catalogue/{item_id}": {"name_fr": "Pris", "name_en": "Taken", "price": "0.01",
                                   "quantity_rule": "account"},
    "/admin/catalogue/{item_id}/retire": {},
    "/admin/resellers/{reseller_id}/pricing": {"currency": "CAD", "tax1_name": "GST",
                                               "tax1_rate": "1"},
    "/admin/resellers/{reseller_id}/catalogue/{item_id}": {"available": "1",
                                                            "wholesale_price": "0.01"},
    "/admin/resellers/{reseller_id}/promotions/{promotion_id}": {"enabled": "0"},
    "/admin/promotions": {"name_fr": "Planté", "name_en": "Planted", "discount": "percent",
                          "percent": "100", "months": "1", "kinds": "plan"},
    "/plans/{item_id}": {"offered": "1", "retail_price": "0.01"},
    "/organisations": {"name": "Planted"},
    "/organisations/{organisation_id}": {"name": "Taken over"},
    "/organisations/{organisation_id}/delete": {},
    "/organisations/{organisation_id}/members": {"customer_id": "{customer_id}"},
    "/organisations/{organisation_id}/members/{customer_id}/delete": {},
    "/customers/{customer_id}/subscription": {"plan": "{item_id}", "plan_quantity": "1"},
    "/customers/{customer_id}/users": {"first_name": "Planted", "account_role": "user",
                                       "email": "planted-user@x.example", "language": "en"},
    "/customers/{customer_id}/users/{user_id}": {"display_name": "Taken over",
                                                 "email": "taken-user@x.example",
                                                 "account_role": "account_admin",
                                                 "language": "en"},
    "/customers/{customer_id}/users/{user_id}/delete": {},
    "/customers/{customer_id}/users/{user_id}/access-codes": {},
    "/customers/{customer_id}/direct-access": {},
    "/customers/{customer_id}/lock": {"locked": "1"},
    "/direct-access/leave": {},
    "/support/access-codes": {},
}


def fill(value: Any, refs: dict[str, str]) -> Any:
    """``value`` with every ``{name}`` replaced by ``refs[name]`` (recursively)."""
    if isinstance(value, str):
        for key, ref in refs.items():
            value = value.replace("{" + key + "}", ref)
        return value
    if isinstance(value, dict):
        return {k: fill(v, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, refs) for v in value]
    return value


def names_foreign_object(value: Any) -> bool:
    """Does this example refer to one of A's objects other than its customer?"""
    text = repr(value)
    return any("{" + key + "}" in text for key in ("number", "device_mac", "user_id"))
