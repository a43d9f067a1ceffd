"""Typed errors shared by every service.

They are registered with nameko's ``deserialize_to_instance`` so a caller receives the same
type (not a generic RemoteError), and the gateway maps each to its HTTP status.
"""

from __future__ import annotations

import json
from typing import Any

from nameko.exceptions import deserialize_to_instance


class SwitchboardError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str, details: Any = None):
        details = _unpack(details)
        # nameko turns every non-string in an exception's args into a string on the way
        # to the caller (None arrives as "None"): details travel as JSON so numbers stay
        # numbers, and travel only when there are some.
        if details is None:
            super().__init__(message)
        else:
            super().__init__(message, _pack(details))
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return body


_PACKED = "__json__"


def _pack(details: Any) -> dict[str, str]:
    return {_PACKED: json.dumps(details, default=str)}


def _unpack(details: Any) -> Any:
    if isinstance(details, dict) and set(details) == {_PACKED}:
        return json.loads(details[_PACKED])
    return details


@deserialize_to_instance
class Invalid(SwitchboardError):
    status = 422
    code = "invalid"


@deserialize_to_instance
class BadRequest(SwitchboardError):
    status = 400
    code = "bad_request"


@deserialize_to_instance
class Unauthorized(SwitchboardError):
    status = 401
    code = "unauthorized"


@deserialize_to_instance
class Forbidden(SwitchboardError):
    status = 403
    code = "forbidden"


@deserialize_to_instance
class AccountSuspended(Forbidden):
    """The subscriber's account is suspended: its users are told so (with their reseller's
    support contact) instead of reaching their portal. ``details["reseller_id"]`` names
    whose brand the answer wears."""

    code = "account_suspended"


@deserialize_to_instance
class NotFound(SwitchboardError):
    status = 404
    code = "not_found"


@deserialize_to_instance
class Conflict(SwitchboardError):
    status = 409
    code = "conflict"


@deserialize_to_instance
class Locked(SwitchboardError):
    """The reseller has locked the subscriber's settings (see ``sbcommon.locks``)."""

    status = 423
    code = "locked"


@deserialize_to_instance
class TooManyRequests(SwitchboardError):
    status = 429
    code = "too_many_requests"


@deserialize_to_instance
class Unavailable(SwitchboardError):
    """A dependency (database, broker, another service) is away: try again shortly.
    ``details["retry_after"]`` (seconds) becomes the Retry-After header."""

    status = 503
    code = "service_unavailable"

    def __init__(self, message: str, details: Any = None):
        super().__init__(message, details if details is not None else {"retry_after": 5})


@deserialize_to_instance
class Expired(SwitchboardError):
    """The caller's deadline passed before the mutation started: it was not executed."""

    status = 503
    code = "request_expired"


EXPECTED_ERRORS = (
    Invalid, BadRequest, Unauthorized, Forbidden, NotFound, Conflict, TooManyRequests, Expired,
    Locked,
)


def invalid_from_pydantic(exc: Any, where: str = "body") -> Invalid:
    """Turn a pydantic ValidationError into Invalid with one entry per bad field."""
    details = []
    for err in exc.errors(include_url=False, include_context=False, include_input=False):
        location = ".".join(str(part) for part in err["loc"]) or where
        details.append({"field": location, "message": err["msg"], "type": err["type"]})
    fields = ", ".join(d["field"] for d in details)
    return Invalid(f"invalid {where}: {fields}", details)
