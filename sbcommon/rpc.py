"""nameko's ``@rpc``, surviving a broker restart.

nameko sends an RPC's reply from the worker; when the broker is away at that moment the
publish raises and nameko takes the exception for a fatal one and kills the whole service.
Here a reply that cannot be sent is logged and dropped instead: the request message was not
acknowledged, so the broker hands it out again once it is back, and the caller (who gets a
503 meanwhile) retries with its idempotency key.
"""

from __future__ import annotations

import logging
from typing import Any

from amqp.exceptions import ConnectionError as AmqpConnectionError
from amqp.exceptions import RecoverableConnectionError
from kombu.exceptions import OperationalError as KombuOperationalError
from nameko.rpc import Rpc as NamekoRpc
from nameko.rpc import RpcConsumer as NamekoRpcConsumer

log = logging.getLogger(__name__)

# What kombu and amqp raise while RabbitMQ restarts or refuses the connection.
BROKER_ERRORS = (OSError, KombuOperationalError, AmqpConnectionError,
                 RecoverableConnectionError)


class RpcConsumer(NamekoRpcConsumer):
    def handle_result(self, message: Any, result: Any, exc_info: Any) -> tuple[Any, Any]:
        try:
            return super().handle_result(message, result, exc_info)
        except BROKER_ERRORS as exc:
            log.warning("could not send an RPC reply, the broker is away (%s); the request "
                        "goes back to the queue", exc)
            return result, exc_info


class Rpc(NamekoRpc):
    rpc_consumer = RpcConsumer()


rpc = Rpc.decorator
