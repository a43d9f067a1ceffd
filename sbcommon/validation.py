"""Validate RPC payloads at the service edge with the shared pydantic contracts."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import BadRequest, invalid_from_pydantic

M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: Any, where: str = "body") -> M:
    """The one validator of the platform (gateway and services): a non-object is a 400,
    an object with bad fields a 422 listing each field."""
    if isinstance(data, model):
        return data
    if not isinstance(data, dict):
        raise BadRequest(f"the {where} must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_from_pydantic(exc, where) from None
