"""Contracts of the catalogue service: items, availability, offers, pricing terms,
promotions, subscriptions and the priced statement.

Money is always an integer of the currency's minor unit (cents, yen, fils) with its ISO
currency; rates and percentages are decimal strings with up to 3 decimals ("9.975")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from .accounts import Strict

ItemKind = Literal["plan", "option", "device", "fee"]
Recurrence = Literal["monthly", "once"]
QuantityRule = Literal["account", "user"]
Currency = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                            pattern=r"^[A-Z]{3}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Money = Annotated[int, Field(ge=0, le=10**12, description="Minor units of the currency")]
Rate = Annotated[str, StringConstraints(strip_whitespace=True,
                                        pattern=r"^\d{1,3}(\.\d{1,3})?$")]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class ItemCreate(Strict):
    kind: ItemKind
    name_fr: Name
    name_en: Name
    currency: Currency = Field(description="ISO 4217, e.g. CAD, EUR, JPY, BHD")
    price: Money = Field(description="List price in minor units (a reference; each reseller "
                                     "gets its own wholesale price)")
    recurrence: Recurrence | None = Field(
        default=None, description="Plans and options are monthly, devices once; a service "
                                  "fee must say which")
    quantity_rule: QuantityRule = Field(default="account",
                                        description="Per account (always 1) or per user")
    device_model: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                   max_length=40)] | None = Field(
        default=None, description="A provisioning model key (GET /api/v1/device-models); "
                                  "devices only")

    @model_validator(mode="after")
    def _shape(self) -> ItemCreate:
        fixed = {"plan": "monthly", "option": "monthly", "device": "once"}
        if self.kind in fixed:
            if self.recurrence not in (None, fixed[self.kind]):
                raise ValueError(f"a {self.kind} is {fixed[self.kind]}")
            self.recurrence = fixed[self.kind]  # type: ignore[assignment]
        elif self.recurrence is None:
            raise ValueError("a service fee is either monthly or once: give recurrence")
        if (self.kind == "device") != (self.device_model is not None):
            raise ValueError("device_model is given for devices, and only for them")
        return self


class ItemUpdate(Strict):
    name_fr: Name | None = None
    name_en: Name | None = None
    price: Money | None = None
    quantity_rule: QuantityRule | None = None
    retired: bool | None = Field(default=None, description="true retires the item: it is "
                                 "kept with its history, no longer offered or sold")


class Item(BaseModel):
    id: str
    kind: ItemKind
    name_fr: str
    name_en: str
    currency: str
    price: int
    recurrence: Recurrence
    quantity_rule: QuantityRule
    device_model: str | None
    retired: bool
    retired_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ItemChangeEntry(BaseModel):
    changed_at: datetime
    changed_by: str
    changes: dict[str, list[object]]


class ItemList(BaseModel):
    items: list[Item]


class AvailabilityUpdate(Strict):
    available: bool = True
    wholesale_price: Money = Field(description="In the reseller's currency (its pricing)")


class Availability(BaseModel):
    reseller_id: str
    item_id: str
    available: bool
    wholesale_price: int
    currency: str


class AvailabilityItem(Item):
    available: bool
    wholesale_price: int | None
    reseller_currency: str


class AvailabilityList(BaseModel):
    reseller_id: str
    currency: str
    items: list[AvailabilityItem]


class TaxRate(Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    rate: Rate = Field(description="Percent, up to 3 decimals: 5, 9.975")
    kinds: list[ItemKind] = Field(default_factory=lambda: ["plan", "option", "device", "fee"],
                                  min_length=1, max_length=4,
                                  description="Line types the tax applies to")


class PricingUpdate(Strict):
    currency: Currency
    taxes: list[TaxRate] = Field(default_factory=list, max_length=5)


class PricingTerms(BaseModel):
    reseller_id: str
    currency: str
    decimals: int
    taxes: list[TaxRate]
    set: bool = Field(description="false: the defaults (from the reseller's country), never "
                                  "set by the administrator")


class OfferUpdate(Strict):
    offered: bool = True
    retail_price: Money | None = Field(default=None,
                                       description="Required when offered; the reseller's "
                                                   "currency")


class OfferItem(BaseModel):
    item_id: str
    kind: ItemKind
    name_fr: str
    name_en: str
    recurrence: Recurrence
    quantity_rule: QuantityRule
    device_model: str | None
    currency: str
    wholesale_price: int
    offered: bool
    retail_price: int | None
    below_wholesale: bool = Field(description="A warning: the retail price is under the "
                                              "wholesale price")


class OfferList(BaseModel):
    currency: str
    decimals: int
    items: list[OfferItem]


class PromotionCreate(Strict):
    name_fr: Name
    name_en: Name
    percent: Rate | None = Field(default=None, description="Percent off, e.g. 20 or 100")
    amount_off: Annotated[int, Field(gt=0, le=10**12)] | None = Field(
        default=None, description="Fixed amount off a line, minor units of currency")
    currency: Currency | None = Field(default=None, description="Of amount_off")
    months: Annotated[int, Field(ge=1, le=120)] | None = Field(
        default=None, description="Monthly lines discounted for this many months from the "
                                  "start; none: a one-time discount of one-time lines")
    kinds: list[ItemKind] = Field(min_length=1, max_length=4,
                                  description="Line types it applies to")
    item_id: Id | None = Field(default=None, description="Only this item")

    @model_validator(mode="after")
    def _one_discount(self) -> PromotionCreate:
        if (self.percent is None) == (self.amount_off is None):
            raise ValueError("give either percent or amount_off")
        if (self.amount_off is None) != (self.currency is None):
            raise ValueError("amount_off comes with its currency, and only it")
        return self


class Promotion(BaseModel):
    id: str
    name_fr: str
    name_en: str
    percent: str | None
    amount_off: int | None
    currency: str | None
    months: int | None
    kinds: list[ItemKind]
    item_id: str | None
    enabled: bool | None = Field(default=None,
                                 description="For a reseller: enabled for it")


class PromotionList(BaseModel):
    items: list[Promotion]


class PromotionEnable(Strict):
    enabled: bool = True


class SubscriptionLineIn(Strict):
    item_id: Id
    quantity: Annotated[int, Field(ge=1, le=10_000)] = 1


class SubscriptionUpdate(Strict):
    lines: list[SubscriptionLineIn] = Field(
        min_length=1, max_length=50,
        description="One plan, any options, devices and fees, with quantities")
    promotion_id: Id | None = Field(default=None, description="Only when the subscription "
                                    "starts (a new subscriber), by the reseller")


class PromotionRef(BaseModel):
    promotion_id: str
    name_fr: str
    name_en: str
    ends_on: str | None


class PricedLine(BaseModel):
    item_id: str
    kind: ItemKind
    recurrence: Recurrence
    name_fr: str
    name_en: str
    quantity: int
    unit_price: int
    amount: int
    discount: int
    net: int
    promotion: PromotionRef | None


class TaxLine(BaseModel):
    name: str
    rate: str
    kind: ItemKind
    base: int
    amount: int


class Section(BaseModel):
    subtotal: int
    discounts: int
    net: int
    taxes: list[TaxLine]
    tax_total: int
    total: int


class AfterPromotions(Section):
    full_price_from: str | None = Field(default=None,
                                        description="The day the last promotion ends")


class AppliedPromotion(BaseModel):
    promotion_id: str
    name_fr: str
    name_en: str
    starts_on: date
    ends_on: date | None


class PricedStatement(BaseModel):
    customer_id: str
    currency: str
    decimals: int
    on: date
    lines: list[PricedLine]
    promotions: list[AppliedPromotion]
    monthly: Section
    monthly_after_promotions: AfterPromotions
    one_time: Section


class Choice(BaseModel):
    """An item the customer's reseller offers, at its retail price (never the wholesale)."""

    item_id: str
    kind: ItemKind
    name_fr: str
    name_en: str
    recurrence: Recurrence
    quantity_rule: QuantityRule
    unit_price: int


class SubscriptionView(BaseModel):
    customer_id: str
    reseller_id: str
    currency: str
    started_on: date | None
    version: int
    lines: list[PricedLine]
    promotions: list[AppliedPromotion]
    statement: PricedStatement
    choices: list[Choice]
    new_subscriber: bool = Field(description="No subscription yet: a promotion may start "
                                             "with it")
    updated_at: datetime | None


class SubscriptionChangeEntry(BaseModel):
    changed_at: datetime
    changed_by: str
    role: str
    old: dict[str, object] | None
    new: dict[str, object]


class SubscriptionHistory(BaseModel):
    items: list[SubscriptionChangeEntry]


class ResellerRef(BaseModel):
    id: str
    name: str
    country: str


class ResellerList(BaseModel):
    items: list[ResellerRef]


class StatementQuery(Strict):
    on: date | None = Field(default=None, description="The statement's day (default today)")
