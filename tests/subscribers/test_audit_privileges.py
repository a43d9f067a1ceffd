"""The audit log is append-only twice over: besides the trigger (test_direct_access_http), the
accounts service's own database role may read and add entries but not change or remove any."""

from __future__ import annotations

from sqlalchemy import text

from sbcommon import roles
from sbcommon.migrate import migratable_services


def test_the_accounts_role_may_only_read_and_append_the_audit_log(databases):
    roles.ensure_database_roles(migratable_services())
    role = roles.role_name("accounts")
    with databases["accounts"]() as session:
        allowed = {p: session.scalar(text("SELECT has_table_privilege(:r, 'audit_log', :p)"),
                                     {"r": role, "p": p})
                   for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")}
        # the rest of its tables stay writable
        sessions = session.scalar(text("SELECT has_table_privilege(:r, 'sessions', 'DELETE')"),
                                  {"r": role})
    assert allowed == {"SELECT": True, "INSERT": True, "UPDATE": False, "DELETE": False,
                       "TRUNCATE": False}
    assert sessions is True
