"""The benchmark's baseline: the cheapest answer nameko's @http can give, a constant JSON,
run with the same nameko settings (config file, worker pool) as routing_policy."""

from __future__ import annotations

from nameko.web.handlers import http
from werkzeug.wrappers import Response

BODY = b'{"allow":true,"destination":"+33142685300","level":"default"}'


class BaselineService:
    name = "bench_baseline"

    @http("GET", "/constant")
    def constant(self, request: object) -> Response:
        return Response(BODY, mimetype="application/json")
