"""Portal pages of what resellers sell: the administrator's catalogue, pricing terms and
promotions; the reseller's Plans page; a customer's Subscription tab (the subscriber's own
subscription page is the same tab, reached from its "My subscription" link).

Prices are typed and shown as decimal text in the currency's minor unit
(``sbcommon.money``); the API and the services only ever see integers."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from sbcommon.contracts.catalogue import (
    AvailabilityUpdate,
    ItemCreate,
    ItemUpdate,
    OfferUpdate,
    PricingUpdate,
    PromotionCreate,
    PromotionEnable,
    SubscriptionUpdate,
)
from sbcommon.errors import NotFound
from sbcommon.money import DECIMALS, parse_amount, to_text

from ...framework.forms import FieldError, Form
from ...framework.portal import Page
from ...framework.routing import RESELLER, Router

pages = Router()
ADMIN = ("admin",)
KINDS = ("plan", "option", "device", "fee")
TAX_ROWS = 3


def _amount(page: Page, values: dict[str, str], name: str, currency: str) -> int:
    try:
        return parse_amount(values.get(name, ""), currency)
    except ValueError as exc:
        raise FieldError(name, page.t("catalogue.error.amount", currency=currency,
                                      detail=str(exc)), page.t("error.form")) from None


def _render(page: Page, template: str, status: int, values: dict[str, Any],
            **context: Any) -> Response:
    return page.render(template, status=status, money=to_text, currencies=sorted(DECIMALS),
                       kinds=KINDS, values=values.get("values") or {},
                       errors=values.get("errors") or {}, error=values.get("error"), **context)


# -- the administrator's catalogue ----------------------------------------------------------
@pages.route("GET", "/admin/catalogue", roles=ADMIN)
def admin_catalogue(page: Page, status: int = 200, **values: Any) -> Response:
    catalogue = page.backends.catalogue
    return _render(page, "catalogue_admin.html", status, values,
                   items=catalogue.list_items(page.actor)["items"],
                   resellers=catalogue.list_resellers(page.actor)["items"])


ITEM_FIELDS = ("kind", "name_fr", "name_en", "currency", "price", "recurrence",
               "quantity_rule", "device_model")


@pages.route("POST", "/admin/catalogue", roles=ADMIN,
             form=Form(admin_catalogue, fields=ITEM_FIELDS, max_length=120))
def admin_item_create(page: Page, values: dict[str, str]) -> Response:
    currency = values["currency"].upper()
    payload = {k: v for k, v in values.items() if v and k != "price"}
    payload["currency"] = currency
    payload["price"] = _amount(page, values, "price", currency) if currency in DECIMALS \
        else 0
    created = page.backends.catalogue.create_item(
        page.actor, ItemCreate.model_validate(payload).model_dump(exclude_unset=True))
    return page.redirect("/admin/catalogue", flash="catalogue.item_created",
                         name=created["name_en"] if page.lang == "en" else created["name_fr"])


def _item(page: Page, item_id: str) -> dict[str, Any]:
    for item in page.backends.catalogue.list_items(page.actor)["items"]:
        if item["id"] == item_id:
            return item
    raise NotFound("no such catalogue item")


@pages.route("GET", "/admin/catalogue/{item_id}", roles=ADMIN)
def admin_item(page: Page, item_id: str, status: int = 200, **values: Any) -> Response:
    item = _item(page, item_id)
    history = page.backends.catalogue.item_history(page.actor, item_id)["items"]
    values["values"] = values.get("values") or {
        **item, "price": to_text(item["price"], item["currency"])}
    return _render(page, "catalogue_item.html", status, values, item=item, history=history)


@pages.route("POST", "/admin/catalogue/{item_id}", roles=ADMIN,
             form=Form(admin_item, fields=("name_fr", "name_en", "price", "quantity_rule"),
                       max_length=120))
def admin_item_update(page: Page, item_id: str, values: dict[str, str]) -> Response:
    item = _item(page, item_id)
    payload = ItemUpdate(name_fr=values["name_fr"] or None, name_en=values["name_en"] or None,
                         price=_amount(page, values, "price", item["currency"]),
                         quantity_rule=values["quantity_rule"] or None)
    page.backends.catalogue.update_item(page.actor, item_id,
                                        payload.model_dump(exclude_none=True))
    return page.redirect(f"/admin/catalogue/{item_id}", flash="catalogue.item_saved")


@pages.route("POST", "/admin/catalogue/{item_id}/retire", roles=ADMIN)
def admin_item_retire(page: Page, item_id: str) -> Response:
    page.backends.catalogue.update_item(page.actor, item_id, {"retired": True})
    return page.redirect(f"/admin/catalogue/{item_id}", flash="catalogue.item_retired")


# -- a reseller's terms and what it may sell (administrator) ----------------------------------
@pages.route("GET", "/admin/resellers/{reseller_id}/catalogue", roles=ADMIN)
def admin_reseller(page: Page, reseller_id: str, status: int = 200, **values: Any
                   ) -> Response:
    catalogue = page.backends.catalogue
    reseller = next((r for r in catalogue.list_resellers(page.actor)["items"]
                     if r["id"] == reseller_id), None)
    if reseller is None:
        raise NotFound("no such reseller")
    pricing = catalogue.get_pricing(page.actor, reseller_id)
    if not values.get("values"):
        filled: dict[str, str] = {"currency": pricing["currency"]}
        for n, tax in enumerate(pricing["taxes"], start=1):
            filled |= {f"tax{n}_name": tax["name"], f"tax{n}_rate": tax["rate"]}
        values["values"] = filled
    enabled = {p["id"] for p in _enabled_promotions(page, reseller_id)}
    return _render(page, "catalogue_reseller.html", status, values, reseller=reseller,
                   pricing=pricing, tax_rows=range(1, TAX_ROWS + 1),
                   availability=catalogue.list_availability(page.actor, reseller_id),
                   promotions=catalogue.list_promotions(page.actor)["items"],
                   enabled=enabled)


def _enabled_promotions(page: Page, reseller_id: str) -> list[dict[str, Any]]:
    # The administrator sees every promotion; which are enabled for this reseller is on
    # the reseller's availability page through the same RPC a reseller uses.
    return page.backends.catalogue.list_enabled_promotions(page.actor, reseller_id)["items"]


PRICING_FIELDS = ("currency", *(f"tax{n}_{f}" for n in range(1, TAX_ROWS + 1)
                                for f in ("name", "rate")))


@pages.route("POST", "/admin/resellers/{reseller_id}/pricing", roles=ADMIN,
             form=Form(admin_reseller, fields=PRICING_FIELDS, max_length=20))
def admin_pricing(page: Page, reseller_id: str, values: dict[str, str]) -> Response:
    taxes = []
    for n in range(1, TAX_ROWS + 1):
        name, rate = values[f"tax{n}_name"], values[f"tax{n}_rate"]
        if name or rate:
            kinds = [k for k in page.request.form.getlist(f"tax{n}_kinds") if k in KINDS]
            taxes.append({"name": name, "rate": rate, "kinds": kinds or list(KINDS)})
    payload = PricingUpdate.model_validate({"currency": values["currency"], "taxes": taxes})
    page.backends.catalogue.set_pricing(page.actor, reseller_id, payload.model_dump())
    return page.redirect(f"/admin/resellers/{reseller_id}/catalogue",
                         flash="catalogue.pricing_saved")


@pages.route("POST", "/admin/resellers/{reseller_id}/catalogue/{item_id}", roles=ADMIN,
             form=Form(admin_reseller, fields=("available", "wholesale_price"), max_length=20))
def admin_availability(page: Page, reseller_id: str, item_id: str, values: dict[str, str]
                       ) -> Response:
    currency = page.backends.catalogue.get_pricing(page.actor, reseller_id)["currency"]
    available = values["available"] == "1"
    price = _amount(page, values, "wholesale_price", currency) \
        if available or values["wholesale_price"] else 0
    payload = AvailabilityUpdate(available=available, wholesale_price=price)
    page.backends.catalogue.set_availability(page.actor, reseller_id, item_id,
                                             payload.model_dump())
    return page.redirect(f"/admin/resellers/{reseller_id}/catalogue",
                         flash="catalogue.availability_saved")


@pages.route("POST", "/admin/resellers/{reseller_id}/promotions/{promotion_id}", roles=ADMIN)
def admin_reseller_promotion(page: Page, reseller_id: str, promotion_id: str) -> Response:
    payload = PromotionEnable(enabled=page.request.form.get("enabled") == "1")
    page.backends.catalogue.set_promotion(page.actor, reseller_id, promotion_id,
                                          payload.model_dump())
    return page.redirect(f"/admin/resellers/{reseller_id}/catalogue",
                         flash="catalogue.promotion_saved")


# -- promotions (administrator) ----------------------------------------------------------------
@pages.route("GET", "/admin/promotions", roles=ADMIN)
def admin_promotions(page: Page, status: int = 200, **values: Any) -> Response:
    catalogue = page.backends.catalogue
    return _render(page, "catalogue_promotions.html", status, values,
                   promotions=catalogue.list_promotions(page.actor)["items"],
                   items=catalogue.list_items(page.actor)["items"])


PROMOTION_FIELDS = ("name_fr", "name_en", "discount", "percent", "amount_off", "currency",
                    "months", "item_id")


@pages.route("POST", "/admin/promotions", roles=ADMIN,
             form=Form(admin_promotions, fields=PROMOTION_FIELDS, max_length=120))
def admin_promotion_create(page: Page, values: dict[str, str]) -> Response:
    payload: dict[str, Any] = {"name_fr": values["name_fr"], "name_en": values["name_en"],
                               "kinds": [k for k in page.request.form.getlist("kinds")
                                         if k in KINDS] or ["plan", "option"]}
    if values["discount"] == "amount":
        currency = values["currency"].upper()
        payload |= {"currency": currency,
                    "amount_off": _amount(page, values, "amount_off", currency)}
    else:
        payload["percent"] = values["percent"]
    if values["months"]:
        if not values["months"].isdigit():
            raise FieldError("months", page.t("catalogue.error.months"), page.t("error.form"))
        payload["months"] = int(values["months"])
    if values["item_id"]:
        payload["item_id"] = values["item_id"]
    created = page.backends.catalogue.create_promotion(
        page.actor, PromotionCreate.model_validate(payload).model_dump(exclude_unset=True))
    return page.redirect("/admin/promotions", flash="catalogue.promotion_created",
                         name=created["name_en"] if page.lang == "en" else created["name_fr"])


# -- the reseller's Plans page ------------------------------------------------------------------
@pages.route("GET", "/plans", roles=RESELLER)
def plans(page: Page, status: int = 200, **values: Any) -> Response:
    catalogue = page.backends.catalogue
    return _render(page, "catalogue_plans.html", status, values,
                   offer=catalogue.get_offer(page.actor),
                   promotions=catalogue.list_promotions(page.actor)["items"])


@pages.route("POST", "/plans/{item_id}", roles=RESELLER,
             form=Form(plans, fields=("offered", "retail_price"), max_length=20))
def plans_offer(page: Page, item_id: str, values: dict[str, str]) -> Response:
    catalogue = page.backends.catalogue
    currency = catalogue.get_offer(page.actor)["currency"]
    offered = values["offered"] == "1"
    price = _amount(page, values, "retail_price", currency) \
        if offered or values["retail_price"] else None
    saved = catalogue.set_offer(page.actor, item_id,
                                OfferUpdate(offered=offered, retail_price=price)
                                .model_dump(exclude_none=True))
    flash = "catalogue.offer_below_wholesale" if saved["below_wholesale"] and offered \
        else "catalogue.offer_saved"
    return page.redirect("/plans", flash=flash)


# -- a customer's subscription (staff, and the subscriber itself) ------------------------------
@pages.route("GET", "/subscription", roles=("customer",))
def my_subscription(page: Page) -> Response:
    return page.redirect(f"/customers/{page.ctx.actor['customer_id']}/subscription")


@pages.route("GET", "/customers/{customer_id}/subscription")
def subscription_page(page: Page, customer_id: str, status: int = 200, **values: Any
                      ) -> Response:
    customer = page.backends.accounts.get_customer(page.actor, customer_id)
    catalogue = page.backends.catalogue
    subscription = catalogue.get_subscription(page.actor, customer_id)
    trial = customer.get("trial_ends_at") if customer["status"] == "trial" else None
    priced = catalogue.statement(page.actor, customer_id, {},
                                 str(trial)[:10] if trial else None)
    history = catalogue.subscription_history(page.actor, customer_id)["items"]
    promotions = []
    if subscription["new_subscriber"] and page.ctx.role == "reseller":
        promotions = catalogue.list_promotions(page.actor)["items"]
    chosen = {line["item_id"]: line["quantity"] for line in subscription["lines"]}
    return _render(page, "catalogue_subscription.html", status, values, customer=customer,
                   subscription=subscription, statement=priced, history=history,
                   promotions=promotions, chosen=chosen,
                   currency=subscription["currency"])


@pages.route("POST", "/customers/{customer_id}/subscription",
             form=Form(subscription_page, fields=("plan", "plan_quantity", "promotion_id"),
                       max_length=64, field="plan"))
def subscription_change(page: Page, customer_id: str, values: dict[str, str]) -> Response:
    lines: list[dict[str, Any]] = []
    if values["plan"]:
        lines.append({"item_id": values["plan"],
                      "quantity": _quantity(page, values["plan_quantity"] or "1", "plan")})
    for key, raw in page.request.form.items():
        if key.startswith("qty_") and raw.strip() not in ("", "0"):
            lines.append({"item_id": key[4:68], "quantity": _quantity(page, raw, key)})
    payload = SubscriptionUpdate.model_validate(
        {"lines": lines, "promotion_id": values["promotion_id"] or None})
    page.backends.catalogue.set_subscription(page.actor, customer_id,
                                             payload.model_dump(mode="json"))
    return page.redirect(f"/customers/{customer_id}/subscription",
                         flash="catalogue.subscription_saved")


def _quantity(page: Page, raw: str, field: str) -> int:
    raw = raw.strip()
    if not raw.isdigit() or not 0 < int(raw) <= 10_000:
        raise FieldError(field, page.t("catalogue.error.quantity"), page.t("error.form"))
    return int(raw)
