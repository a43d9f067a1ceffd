"""Calls to the services: every RPC bounded in time."""

from __future__ import annotations

import logging
from typing import Any

import eventlet
from pydantic import BaseModel

from sbcommon.errors import SwitchboardError

log = logging.getLogger(__name__)


class ServiceUnavailable(SwitchboardError):
    status = 503
    code = "service_unavailable"


class TimedProxy:
    """Wraps a nameko RPC proxy so no call waits longer than ``seconds``.

    nameko's RpcProxy has no timeout: with a service down, a request would hang until the
    client gave up. A late reply is dropped by nameko's reply listener. A pydantic model
    given as an argument travels as its JSON form.
    """

    def __init__(self, proxy: Any, service: str, seconds: float):
        self._proxy = proxy
        self._service = service
        self._seconds = seconds

    def __getattr__(self, method: str) -> Any:
        target = getattr(self._proxy, method)

        def call(*args: Any, **kwargs: Any) -> Any:
            args = tuple(_wire(a) for a in args)
            kwargs = {k: _wire(v) for k, v in kwargs.items()}
            try:
                with eventlet.Timeout(self._seconds):
                    return target(*args, **kwargs)
            except eventlet.Timeout:
                log.error("%s.%s did not answer within %ss", self._service, method,
                          self._seconds)
                raise ServiceUnavailable(
                    f"the {self._service} service did not answer; try again shortly") from None

        return call


def _wire(value: Any) -> Any:
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value
