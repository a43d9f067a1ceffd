"""A service that does not answer becomes a 503 in time, and the health check says so."""

import time

import eventlet
import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway.app import GatewayApp
from gateway.clients import Backends
from gateway.framework.rpc import ServiceUnavailable, TimedProxy
from gateway.settings import GatewaySettings


class SilentService:
    """Stands in for a crashed service: calls never return (cooperatively)."""

    def health(self):
        eventlet.sleep(30)

    def list_customers(self, *args):
        eventlet.sleep(30)


class FastService:
    def health(self):
        return {"status": "ok"}


def test_timed_proxy_turns_silence_into_503_quickly():
    proxy = TimedProxy(SilentService(), "accounts", 0.2)
    start = time.monotonic()
    with pytest.raises(ServiceUnavailable) as caught:
        proxy.list_customers({})
    assert time.monotonic() - start < 2
    assert caught.value.status == 503
    assert "accounts" in caught.value.message


def test_timed_proxy_passes_answers_through():
    assert TimedProxy(FastService(), "accounts", 1).health() == {"status": "ok"}


def test_health_reports_a_down_service_within_its_timeout():
    app = GatewayApp(GatewaySettings(secret_key=b"k"))
    request = Request(EnvironBuilder(path="/health", environ_overrides={
        "REMOTE_ADDR": "127.0.0.1"}).get_environ())  # an internal address sees details
    start = time.monotonic()
    response = app.handle(request, Backends(accounts=SilentService()))
    assert time.monotonic() - start < 5
    assert response.status_code == 503
    assert b'"down"' in response.get_data()


def test_the_gateway_has_a_proxy_for_each_service_it_calls():
    from nameko.rpc import RpcProxy

    from gateway.clients import SERVICES
    from gateway.service import GatewayService

    proxies = {name: getattr(GatewayService, name) for name in vars(GatewayService)
               if isinstance(getattr(GatewayService, name), RpcProxy)}
    assert set(proxies) == set(SERVICES)
    assert all(proxy.target_service == name for name, proxy in proxies.items())


def test_a_service_with_no_replica_running_is_a_503_not_a_500():
    # Real broker: nameko raises UnknownService when no queue is bound for the service
    # (none of its replicas has started yet, or all are gone).
    from nameko.standalone.rpc import ClusterRpcProxy

    from sbcommon.config import amqp_uri

    with ClusterRpcProxy({"AMQP_URI": amqp_uri()}) as cluster:
        proxy = TimedProxy(cluster.no_such_service_runs, "no_such_service_runs", 5)
        with pytest.raises(ServiceUnavailable) as caught:
            proxy.health()
    assert caught.value.status == 503
    assert caught.value.details["retry_after"] == 5
    assert "not running" in caught.value.message
