"""Mail templates in the JSON API: list, read, save (checked), reset and preview."""

from __future__ import annotations

from typing import Any

from sbcommon.contracts.notifications import (
    MailTemplate,
    MailTemplateList,
    MailTemplatePreview,
    MailTemplateSource,
)

from ...framework.context import Ctx
from ...framework.routing import Router

api = Router()


@api.route("GET", "/mail-templates", response=MailTemplateList, errors=(403,),
           summary="Every editable mail, per kind and language, and where its text comes from")
def list_templates(ctx: Ctx) -> Any:
    return ctx.backends.notifications.list_templates(ctx.actor)


@api.route("GET", "/mail-templates/{kind}/{language}", response=MailTemplate,
           errors=(403, 404), summary="One template and the variables it may use")
def get_template(ctx: Ctx, kind: str, language: str) -> Any:
    return ctx.backends.notifications.get_template(ctx.actor, kind, language)


@api.route("PUT", "/mail-templates/{kind}/{language}", body=MailTemplateSource,
           response=MailTemplate, errors=(403, 404, 422),
           summary="Save a template (the administrator's default, or your override); "
                   "checked first: syntax, variables, size, sandbox")
def save_template(ctx: Ctx, kind: str, language: str, body: MailTemplateSource) -> Any:
    return ctx.backends.notifications.save_template(ctx.actor, kind, language,
                                                    body.model_dump())


@api.route("DELETE", "/mail-templates/{kind}/{language}", response=MailTemplate,
           errors=(403, 404), summary="Back to the level above (the default or the built-in)")
def reset_template(ctx: Ctx, kind: str, language: str) -> Any:
    return ctx.backends.notifications.reset_template(ctx.actor, kind, language)


@api.route("POST", "/mail-templates/{kind}/{language}/preview", body=MailTemplateSource,
           response=MailTemplatePreview, errors=(403, 404, 422),
           summary="Render a template with sample data in your brand, without saving it")
def preview_template(ctx: Ctx, kind: str, language: str, body: MailTemplateSource) -> Any:
    return ctx.backends.notifications.preview_template(ctx.actor, kind, language,
                                                       body.model_dump())
