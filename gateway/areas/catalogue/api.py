"""What resellers sell, in the JSON API: the administrator's catalogue, availability,
pricing terms and promotions; the reseller's offer; a customer's subscription and its
history. The catalogue service enforces every scope from the actor."""

from __future__ import annotations

from typing import Any

from sbcommon.contracts.catalogue import (
    Availability,
    AvailabilityList,
    AvailabilityUpdate,
    Item,
    ItemCreate,
    ItemList,
    ItemUpdate,
    OfferItem,
    OfferList,
    OfferUpdate,
    PricedStatement,
    PricingTerms,
    PricingUpdate,
    Promotion,
    PromotionCreate,
    PromotionEnable,
    PromotionList,
    StatementQuery,
    SubscriptionHistory,
    SubscriptionUpdate,
    SubscriptionView,
)

from ...framework.context import Ctx
from ...framework.routing import Router

api = Router()
TAG = ("catalogue",)
ADMIN_TAG = ("catalogue (administrator)",)


# -- the reseller's offer -------------------------------------------------------------------
@api.route("GET", "/catalogue", response=OfferList, errors=(403,), tags=TAG,
           summary="The reseller's offer: items made available to it, wholesale and retail "
                   "prices")
def get_offer(ctx: Ctx) -> Any:
    return ctx.backends.catalogue.get_offer(ctx.actor)


@api.route("PUT", "/catalogue/{item_id}/offer", body=OfferUpdate, response=OfferItem,
           errors=(403, 404, 422), tags=TAG,
           summary="Offer an item (or stop offering it) at a retail price")
def set_offer(ctx: Ctx, item_id: str, body: OfferUpdate) -> Any:
    return ctx.backends.catalogue.set_offer(ctx.actor, item_id,
                                            body.model_dump(exclude_unset=True))


@api.route("GET", "/promotions", response=PromotionList, errors=(403,), tags=TAG,
           summary="Promotions: those enabled for the reseller (every one for the "
                   "administrator)")
def list_promotions(ctx: Ctx) -> Any:
    return ctx.backends.catalogue.list_promotions(ctx.actor)


# -- subscriptions ---------------------------------------------------------------------------
@api.route("GET", "/customers/{customer_id}/subscription", response=SubscriptionView,
           errors=(403, 404,), tags=TAG,
           summary="A customer's subscription, priced, with the items it may choose")
def get_subscription(ctx: Ctx, customer_id: str) -> Any:
    return ctx.backends.catalogue.get_subscription(ctx.actor, customer_id)


@api.route("PUT", "/customers/{customer_id}/subscription", body=SubscriptionUpdate,
           response=SubscriptionView, errors=(403, 404, 409, 422), tags=TAG,
           summary="Change a customer's subscription (effective at once); a promotion only "
                   "when it starts")
def set_subscription(ctx: Ctx, customer_id: str, body: SubscriptionUpdate) -> Any:
    return ctx.backends.catalogue.set_subscription(ctx.actor, customer_id,
                                                   body.model_dump(mode="json"))


@api.route("GET", "/customers/{customer_id}/subscription/history",
           response=SubscriptionHistory, errors=(403, 404,), tags=TAG,
           summary="Who changed the subscription, when, and what (old → new)")
def subscription_history(ctx: Ctx, customer_id: str) -> Any:
    return ctx.backends.catalogue.subscription_history(ctx.actor, customer_id)


@api.route("GET", "/customers/{customer_id}/subscription/statement", query=StatementQuery,
           response=PricedStatement, errors=(403, 404,), tags=TAG,
           summary="The priced statement: lines, promotions, taxes, totals now and after "
                   "the promotions end")
def statement(ctx: Ctx, customer_id: str, query: StatementQuery) -> Any:
    customer = ctx.backends.accounts.get_customer(ctx.actor, customer_id)
    trial = customer.get("trial_ends_at") if customer.get("status") == "trial" else None
    return ctx.backends.catalogue.statement(ctx.actor, customer_id,
                                            query.model_dump(mode="json"),
                                            str(trial)[:10] if trial else None)


# -- the administrator ------------------------------------------------------------------------
@api.route("GET", "/admin/catalogue/items", response=ItemList, errors=(403,), tags=ADMIN_TAG,
           summary="Every catalogue item, retired ones included")
def list_items(ctx: Ctx) -> Any:
    return ctx.backends.catalogue.list_items(ctx.actor)


@api.route("POST", "/admin/catalogue/items", body=ItemCreate, response=Item, status=201,
           errors=(403, 422,), tags=ADMIN_TAG,
           summary="Create a plan, option, device or service fee")
def create_item(ctx: Ctx, body: ItemCreate) -> Any:
    return ctx.backends.catalogue.create_item(ctx.actor, body.model_dump(exclude_unset=True))


@api.route("PATCH", "/admin/catalogue/items/{item_id}", body=ItemUpdate, response=Item,
           errors=(403, 404, 409, 422), tags=ADMIN_TAG,
           summary="Change an item's names, price or quantity rule, or retire it (kept with "
                   "its history)")
def update_item(ctx: Ctx, item_id: str, body: ItemUpdate) -> Any:
    return ctx.backends.catalogue.update_item(ctx.actor, item_id,
                                              body.model_dump(exclude_unset=True))


@api.route("GET", "/admin/resellers/{reseller_id}/catalogue", response=AvailabilityList,
           errors=(403, 404,), tags=ADMIN_TAG,
           summary="Every item, and whether (and at what wholesale price) the reseller may "
                   "sell it")
def list_availability(ctx: Ctx, reseller_id: str) -> Any:
    return ctx.backends.catalogue.list_availability(ctx.actor, reseller_id)


@api.route("PUT", "/admin/resellers/{reseller_id}/catalogue/{item_id}",
           body=AvailabilityUpdate, response=Availability,
           errors=(403, 404, 409, 422), tags=ADMIN_TAG,
           summary="Make an item available to a reseller at a wholesale price (or withdraw it)")
def set_availability(ctx: Ctx, reseller_id: str, item_id: str, body: AvailabilityUpdate
                     ) -> Any:
    return ctx.backends.catalogue.set_availability(ctx.actor, reseller_id, item_id,
                                                   body.model_dump(exclude_unset=True))


@api.route("GET", "/admin/resellers/{reseller_id}/pricing", response=PricingTerms,
           errors=(403, 404,), tags=ADMIN_TAG,
           summary="A reseller's currency and taxes")
def get_pricing(ctx: Ctx, reseller_id: str) -> Any:
    return ctx.backends.catalogue.get_pricing(ctx.actor, reseller_id)


@api.route("PUT", "/admin/resellers/{reseller_id}/pricing", body=PricingUpdate,
           response=PricingTerms, errors=(403, 404, 409, 422), tags=ADMIN_TAG,
           summary="Set a reseller's currency and named tax rates per line type")
def set_pricing(ctx: Ctx, reseller_id: str, body: PricingUpdate) -> Any:
    return ctx.backends.catalogue.set_pricing(ctx.actor, reseller_id,
                                              body.model_dump(mode="json"))


@api.route("GET", "/admin/promotions", response=PromotionList, errors=(403,), tags=ADMIN_TAG,
           summary="Every promotion")
def admin_promotions(ctx: Ctx) -> Any:
    return ctx.backends.catalogue.all_promotions(ctx.actor)


@api.route("POST", "/admin/promotions", body=PromotionCreate, response=Promotion, status=201,
           errors=(403, 422,), tags=ADMIN_TAG,
           summary="Define a promotion (percent or amount off, for some months or once)")
def create_promotion(ctx: Ctx, body: PromotionCreate) -> Any:
    return ctx.backends.catalogue.create_promotion(ctx.actor,
                                                   body.model_dump(exclude_unset=True))


@api.route("PUT", "/admin/resellers/{reseller_id}/promotions/{promotion_id}",
           body=PromotionEnable, response=Promotion, errors=(403, 404, 422),
           tags=ADMIN_TAG, summary="Enable (or disable) a promotion for a reseller")
def set_promotion(ctx: Ctx, reseller_id: str, promotion_id: str, body: PromotionEnable
                  ) -> Any:
    return ctx.backends.catalogue.set_promotion(ctx.actor, reseller_id, promotion_id,
                                                body.model_dump(exclude_unset=True))
