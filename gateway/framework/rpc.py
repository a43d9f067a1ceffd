"""Calls to the services: every RPC bounded in time."""

from __future__ import annotations

import logging
from typing import Any

import eventlet
from nameko.exceptions import UnknownService
from pydantic import BaseModel

from sbcommon.errors import Unavailable
from sbcommon.idempotency import CallStamp
from sbcommon.rpc import BROKER_ERRORS

log = logging.getLogger(__name__)

# The same typed error as the services raise when their database is away.
ServiceUnavailable = Unavailable


class TimedProxy:
    """Wraps a nameko RPC proxy so no call waits longer than ``seconds``.

    nameko's RpcProxy has no timeout: with a service down, a request would hang until the
    client gave up. A late reply is dropped by nameko's reply listener. A pydantic model
    given as an argument travels as its JSON form.
    """

    def __init__(self, proxy: Any, service: str, seconds: float,
                 stamp: CallStamp | None = None):
        self._proxy = proxy
        self._service = service
        self._seconds = seconds
        # Stamps each call with the request's idempotency key and the caller's deadline.
        self._stamp = stamp

    def within(self, seconds: float) -> TimedProxy:
        """The same proxy with another time limit (the PBX cannot wait as long as a page)."""
        return TimedProxy(self._proxy, self._service, seconds, self._stamp)

    def __getattr__(self, method: str) -> Any:
        target = getattr(self._proxy, method)

        def call(*args: Any, **kwargs: Any) -> Any:
            if self._stamp is not None:
                self._stamp.before_call(self._service, method, self._seconds)
            args = tuple(_wire(a) for a in args)
            kwargs = {k: _wire(v) for k, v in kwargs.items()}
            try:
                with eventlet.Timeout(self._seconds):
                    return target(*args, **kwargs)
            except eventlet.Timeout:
                log.error("%s.%s did not answer within %ss", self._service, method,
                          self._seconds)
                raise Unavailable(
                    f"the {self._service} service did not answer; try again shortly") from None
            except BROKER_ERRORS as exc:
                log.error("%s.%s: the message broker is unavailable: %s", self._service,
                          method, exc)
                raise Unavailable("the message broker is unavailable; try again shortly",
                                  {"retry_after": 10}) from None
            except UnknownService:
                # No queue for the service: none of its replicas is running (yet).
                log.warning("%s.%s: no %s replica is running", self._service, method,
                            self._service)
                raise Unavailable(
                    f"the {self._service} service is not running; try again shortly",
                    {"retry_after": 5}) from None

        return call


def _wire(value: Any) -> Any:
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value
