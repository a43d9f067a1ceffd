"""Portal forms: a route declares its form (``Route.form``) and the framework reads the
fields, runs the handler and, on a 4xx the user can fix, renders the page again with the
values typed, an error per field and a summary. Handlers never catch those errors."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from sbcommon.errors import Invalid, SwitchboardError, invalid_from_pydantic

if TYPE_CHECKING:
    from .portal import Page


@dataclass
class Form:
    """``page`` renders the form's page: ``page(page, **path_args, status=, values=, errors=,
    error=)`` (its GET handler, usually)."""

    page: Callable[..., Response]
    fields: tuple[str, ...] = ()  # read from the form into the handler's ``values``
    max_length: int = 300  # each value is cut there
    on: tuple[int, ...] = (409, 422)  # statuses that re-render; any other is an error page
    field: str | None = None  # the field an error without per-field details belongs to
    # field → catalogue key: the service words errors in English; those a user causes are
    # shown translated (and the summary becomes the generic "correct the fields" line)
    messages: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def read(self, form: MultiDict[str, str]) -> dict[str, str]:
        return {k: form.get(k, "").strip()[:self.max_length] for k in self.fields}

    def rerender(self, page: Page, args: dict[str, str], error: SwitchboardError,
                 values: dict[str, str] | None, summary: str | None = None) -> Response:
        errors = field_errors(error)
        if not errors and self.field:
            errors = {self.field: error.message}
        summary = summary if summary is not None else error.message
        translated = [name for name in errors if name in self.messages]
        for name in translated:
            errors[name] = page.t(self.messages[name])
        if translated:
            summary = page.t("error.form")
        if isinstance(error, FieldError):
            summary = error.summary
        return self.page(page, **args, status=error.status, values=values, errors=errors,
                         error=summary)


class FieldError(Invalid):
    """A check the portal makes itself (two passwords differ): one field's message, and
    the summary to show (None: none)."""

    def __init__(self, name: str, message: str, summary: str | None = None):
        super().__init__(summary or message, [{"field": name, "message": message}])
        self.summary = summary


def field_errors(error: SwitchboardError) -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(error.details, list):
        for item in error.details:
            if isinstance(item, dict) and item.get("field"):
                out[str(item["field"]).split(".")[-1]] = str(item.get("message", ""))
    return out


def run(form: Form | None, page: Page, handler: Callable[..., Response], args: dict[str, str]
        ) -> Response:
    """Call a portal handler; with a form, turn the errors it lists into the form again."""
    if form is None:
        return handler(page, **args)
    values = form.read(page.request.form) if form.fields else None
    extra: dict[str, Any] = {"values": values} if values is not None else {}
    try:
        return handler(page, **args, **extra)
    except ValidationError as exc:  # the portal's own check of a contract model
        return form.rerender(page, args, invalid_from_pydantic(exc), values,
                             summary=page.t("error.form"))
    except SwitchboardError as exc:
        if exc.status not in form.on:
            raise
        return form.rerender(page, args, exc, values)
