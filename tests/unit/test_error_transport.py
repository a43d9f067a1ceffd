"""Typed errors cross nameko's RPC serialisation with their details intact."""

from __future__ import annotations

import json

import pytest
from nameko.exceptions import deserialize, serialize

from sbcommon.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests


def over_the_wire(exc: Exception) -> Exception:
    """What the calling side gets: nameko's own serialise, a JSON hop, deserialise."""
    return deserialize(json.loads(json.dumps(serialize(exc))))


@pytest.mark.parametrize("error", [NotFound("no such customer"), Forbidden("not yours"),
                                   Conflict("already closed")])
def test_an_error_without_details_arrives_without_details(error):
    received = over_the_wire(error)
    assert type(received) is type(error)
    assert received.details is None
    assert received.to_dict() == {"error": error.code, "message": error.message}


def test_details_keep_their_types():
    details = [{"field": "email", "message": "not an e-mail", "type": "value_error"}]
    received = over_the_wire(Invalid("invalid body: email", details))
    assert received.details == details
    assert over_the_wire(TooManyRequests("wait", {"retry_after": 30})).details == {
        "retry_after": 30}
