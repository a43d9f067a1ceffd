"""The gateway's small web framework: routing, request context, the JSON API runner and its
OpenAPI document, the portal runtime (pages, forms, CSRF, flash, navigation) and errors.

It knows nothing of customers, numbers or phones: those are the areas (``gateway.areas``),
listed once in ``gateway.registry``.
"""
