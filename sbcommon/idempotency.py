"""Idempotent mutations: a mutating RPC runs at most once per idempotency key.

A caller names each request with a key (the gateway passes the client's ``Idempotency-Key``
header, or makes one per HTTP request) and says until when it waits for the answer (a
deadline, epoch seconds). Both travel in nameko's context data, i.e. as AMQP headers on every
RPC the caller's worker makes, so no RPC signature changes. A standalone caller passes them
with ``ClusterRpcProxy(config, context_data={"idempotency_key": …, "deadline": …})``.

In a service, ``self.once(actor, work)`` runs ``work(session)`` in the entrypoint's write
transaction after claiming the key in that same transaction (INSERT … ON CONFLICT DO NOTHING:
a concurrent duplicate waits on the unique key until the first one commits, then reads its
outcome). The outcome (the result, or the typed 4xx error ``work`` raised) is written before
the commit, so the effects and the stored answer commit together or not at all. A repeat gets
the stored answer without running anything; the same key from another user or with another
request is refused (422). A request whose deadline passed before it started is not run at all
(``Expired``, 503): a request the caller gave up on either never runs, or runs exactly once.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from kombu.utils.json import dumps as wire_dumps
from kombu.utils.json import loads as wire_loads
from nameko.extensions import DependencyProvider
from sqlalchemy import (
    Column,
    DateTime,
    Index,
    MetaData,
    String,
    Table,
    delete,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from . import keys
from .actor import Actor
from .config import env_int
from .errors import (
    BadRequest,
    Conflict,
    Expired,
    Forbidden,
    Invalid,
    NotFound,
    SwitchboardError,
    Unauthorized,
)
from .integrity import conflict_from

log = logging.getLogger(__name__)

KEY = "idempotency_key"
DEADLINE = "deadline"
HEADER = "Idempotency-Key"
MAX_CLIENT_KEY = 200
MAX_KEY = 255  # the gateway appends "#2", "#3" … when a request calls one method twice
_PRINTABLE = re.compile(r"[\x20-\x7e]+")

# Errors that are a deterministic answer to the request, so a repeat answers the same.
# Transient ones (429, 503, a database or broker failure) roll back the claim instead, and a
# retry with the same key runs again.
STORED_ERRORS: dict[str, type[SwitchboardError]] = {
    cls.code: cls for cls in (Invalid, BadRequest, Unauthorized, Forbidden, NotFound, Conflict)
}
_STORABLE = tuple(STORED_ERRORS.values())
_SEALED = "__sealed__"


def valid_key(value: Any, limit: int = MAX_CLIENT_KEY) -> bool:
    """1..``limit`` printable ASCII characters, not only spaces."""
    return (isinstance(value, str) and 0 < len(value) <= limit
            and _PRINTABLE.fullmatch(value) is not None and bool(value.strip()))


def client_key(raw: str | None) -> str | None:
    """The ``Idempotency-Key`` header of a client request, checked (400 when malformed)."""
    if raw is None:
        return None
    if not valid_key(raw):
        raise BadRequest(f"the {HEADER} header must be 1 to {MAX_CLIENT_KEY} printable ASCII "
                         "characters (a UUID is a good choice)",
                         [{"field": HEADER, "message": "1 to 200 printable ASCII characters"}])
    return raw


def idempotency_table(metadata: MetaData) -> Table:
    return Table(
        "idempotency",
        metadata,
        # scope is "<service>.<method>": one key may name one call of each method.
        Column("scope", String(100), primary_key=True),
        Column("key", String(MAX_KEY), primary_key=True),
        Column("actor_id", String(64), nullable=False),
        Column("fingerprint", String(64), nullable=False),
        Column("status", String(8), nullable=False),  # running (uncommitted only) | ok | error
        Column("outcome", JSONB),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Index("ix_idempotency_created_at", "created_at"),
    )


def _without_signature(value: Any) -> Any:
    """A signed actor without its signature: a retry is signed anew (another expiry) but is
    the same request."""
    if isinstance(value, dict) and "sig" in value:
        return {k: v for k, v in value.items() if k not in ("exp", "kid", "sig")}
    return value


def fingerprint(args: Any, kwargs: Any) -> str:
    """A hash of the call's arguments: the same key with another request is refused."""
    args = [_without_signature(a) for a in args]
    kwargs = {k: _without_signature(v) for k, v in kwargs.items()}
    text = json.dumps({"args": args, "kwargs": kwargs}, sort_keys=True, default=str,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# For the DML only: every service has the same table in its own database.
IDEMPOTENCY = idempotency_table(MetaData())


def retention() -> timedelta:
    return timedelta(seconds=env_int("SB_IDEMPOTENCY_RETENTION_SECONDS", 86400))


def purge_expired_records(session: Session, now: datetime) -> int:
    """Outcomes older than the retention period: a repeat after that runs again."""
    result = session.execute(delete(IDEMPOTENCY)
                             .where(IDEMPOTENCY.c.created_at < now - retention()))
    return int(result.rowcount or 0)


class Sealer:
    """Encrypts secrets a result shows once (a PBX token, an FTP password) for their stay in
    the idempotency table, with a key derived from ``SB_SECRET_KEY``'s newest key and named
    by its id (``<kid>$<token>``), so outcomes sealed before a key change still open."""

    def __init__(self, ring: keys.KeyRing):
        self.kid = ring.current.kid
        self.fernets = {k.kid: Fernet(base64.urlsafe_b64encode(k.derive("idempotency")))
                        for k in ring.keys}
        # Sealed before keys had ids: the key was a plain hash of the whole secret.
        self.legacy = [Fernet(base64.urlsafe_b64encode(
            hashlib.sha256(b"idempotency:" + k.secret).digest())) for k in ring.keys]

    @classmethod
    def from_env(cls) -> Sealer:
        return cls(keys.require())

    def _open(self, sealed: str) -> str:
        kid, sep, token = sealed.partition("$")
        if sep and kid in self.fernets:
            return self.fernets[kid].decrypt(token.encode()).decode()
        return MultiFernet(self.legacy).decrypt(sealed.encode()).decode()

    def seal(self, value: Any, fields: tuple[str, ...]) -> Any:
        if not fields or not isinstance(value, dict):
            return value
        fernet = self.fernets[self.kid]
        return {k: ({_SEALED: f"{self.kid}$"
                     + fernet.encrypt(wire_dumps(v).encode()).decode()}
                    if k in fields else v) for k, v in value.items()}

    def unseal(self, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        return {k: (wire_loads(self._open(v[_SEALED]))
                    if isinstance(v, dict) and set(v) == {_SEALED} else v)
                for k, v in value.items()}


@dataclass
class Call:
    """What the caller said about this call: key, deadline, and the call's identity."""

    scope: str
    key: str | None
    deadline: Any
    args: Any = ()
    kwargs: Any = None

    @cached_property
    def fingerprint(self) -> str:
        # Computed when a keyed mutation asks, not for every worker (an import batch is big).
        return fingerprint(self.args, self.kwargs or {})

    def check(self) -> None:
        if self.key is not None and not valid_key(self.key, MAX_KEY):
            raise Invalid(f"{KEY} must be 1 to {MAX_KEY} printable ASCII characters")
        if self.deadline is None:
            return
        if isinstance(self.deadline, bool) or not isinstance(self.deadline, int | float):
            raise Invalid(f"{DEADLINE} must be a time in epoch seconds")
        if time.time() > self.deadline:
            log.info("%s not run: its caller's deadline had passed (key %r)", self.scope,
                     (self.key or "")[:64])
            raise Expired("the request expired before it ran; send it again",
                          {"retry_after": 1})


def _to_json(value: Any) -> Any:
    # kombu's encoding (datetimes, UUIDs, decimals tagged) so a replay returns the same types.
    return json.loads(wire_dumps(value))


def _from_json(value: Any) -> Any:
    return wire_loads(json.dumps(value))


class Once:
    """A worker's handle: ``once(actor, work)`` runs ``work`` at most once per key."""

    def __init__(self, provider: Idempotency, call: Call):
        self.provider = provider
        self.call = call

    @property
    def key(self) -> str | None:
        return self.call.key

    @property
    def deadline(self) -> Any:
        return self.call.deadline

    def __call__(self, actor: Actor | None, work: Callable[..., Any],
                 prepare: Callable[[], Any] | None = None) -> Any:
        """Run ``work(session)`` (``work(session, prepare())`` when ``prepare`` is given:
        slow preparation, such as asking another service, that a repeat need not redo and
        that must not hold the transaction open) in a write transaction, once per key.

        ``work`` may raise a typed error (stored, its effects rolled back) or return one
        (stored and raised, its effects kept: a failed sign-in counter must count)."""
        self.call.check()
        actor_id = actor.user_id if actor is not None else ""
        sessions = self.provider.sessions
        if self.call.key is not None:
            with sessions() as session:  # a plain repeat is answered without a write
                stored = self._find(session)
            if stored is not None:
                return self._answer(stored, actor_id)
        extra = () if prepare is None else (prepare(),)
        with sessions.begin() as session:
            stored = self._claim(session, actor_id) if self.call.key is not None else None
            if stored is None:
                self.call.check()  # preparing, or waiting for a duplicate, took time
                status, value = self._execute(session, work, extra)
                if self.call.key is not None:
                    self._save(session, status, value)
        if stored is not None:
            return self._answer(stored, actor_id)
        if status == "error":
            raise value
        return value

    def _execute(self, session: Session, work: Callable[..., Any], extra: tuple[Any, ...]
                 ) -> tuple[str, Any]:
        try:
            with session.begin_nested():  # a typed error undoes the work, not the claim
                result = work(session, *extra)
                session.flush()
        except IntegrityError as exc:
            return "error", conflict_from(exc, self.provider.unique)
        except _STORABLE as exc:
            return "error", exc
        if isinstance(result, SwitchboardError):
            return "error", result
        return "ok", result

    def _find(self, session: Session) -> Any:
        table = self.provider.table
        return session.execute(select(table).where(
            table.c.scope == self.call.scope, table.c.key == self.call.key)).first()

    def _claim(self, session: Session, actor_id: str) -> Any:
        """None when this call now owns the key; otherwise the committed record."""
        table = self.provider.table
        while True:
            owned = session.execute(
                pg_insert(table).values(
                    scope=self.call.scope, key=self.call.key, actor_id=actor_id,
                    fingerprint=self.call.fingerprint, status="running", outcome=None,
                    created_at=datetime.now(UTC))
                .on_conflict_do_nothing().returning(table.c.key)).first()
            if owned is not None:
                return None
            stored = self._find(session)
            if stored is not None:  # else it was purged in between: claim again
                return stored

    def _save(self, session: Session, status: str, value: Any) -> None:
        table = self.provider.table
        mine = (table.c.scope == self.call.scope, table.c.key == self.call.key)
        if status == "error" and not isinstance(value, _STORABLE):
            # A transient refusal returned with effects to keep (a failed-attempt counter):
            # keep them, but free the key so a later retry runs again.
            session.execute(delete(table).where(*mine))
            return
        if status == "error":
            outcome = {"code": value.code, "message": value.message, "details": value.details}
        else:
            outcome = {"result": _to_json(self.provider.sealer.seal(
                value, self.provider.secret_fields))}
        session.execute(table.update().where(*mine).values(status=status,
                                                           outcome=_to_json(outcome)))

    def _answer(self, stored: Any, actor_id: str) -> Any:
        if stored.actor_id != actor_id:
            raise Invalid(f"this {HEADER} was already used by another user; use a new key",
                          [{"field": HEADER, "message": "used by another user"}])
        if stored.fingerprint != self.call.fingerprint:
            raise Invalid(f"this {HEADER} was already used for a different request; "
                          "use a new key for a new request",
                          [{"field": HEADER, "message": "used for a different request"}])
        outcome = stored.outcome or {}
        if stored.status == "error":
            raise STORED_ERRORS.get(outcome.get("code"), Conflict)(
                outcome.get("message", "the request failed"), outcome.get("details"))
        return _from_json(self.provider.sealer.unseal(outcome.get("result")))


class Idempotency(DependencyProvider):
    """``once = Idempotency(idempotency_table)``: gives each worker its ``Once``. Records
    older than ``SB_IDEMPOTENCY_RETENTION_SECONDS`` are purged by the service's
    ``Housekeeping`` (``purge_expired_records``).

    ``unique`` maps field names to the Conflict message for a unique violation on them;
    ``secret_fields`` are result fields stored encrypted (shown once, e.g. a token)."""

    def __init__(self, table: Table, database_attr: str = "db",
                 unique: Mapping[str, str] | None = None,
                 secret_fields: tuple[str, ...] = ()):
        self.table = table
        self.database_attr = database_attr
        self.unique = dict(unique or {})
        self.secret_fields = secret_fields
        self.sealer = Sealer.from_env()
        self.database: Any = None

    def setup(self) -> None:
        self.database = next(
            dep for dep in self.container.dependencies if dep.attr_name == self.database_attr)

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.database.sessions

    def get_dependency(self, worker_ctx: Any) -> Once:
        data = worker_ctx.data
        scope = f"{worker_ctx.service_name}.{worker_ctx.entrypoint.method_name}"
        return Once(self, Call(scope=scope, key=data.get(KEY), deadline=data.get(DEADLINE),
                               args=worker_ctx.args, kwargs=worker_ctx.kwargs))


class CallStamp:
    """The caller's side (the gateway): stamps each RPC with the request's key and a
    deadline. A request that calls the same method twice gets ``key#2`` for the second, so a
    retry of the whole request maps each call to its earlier one."""

    def __init__(self, data: dict[str, Any], key: str | None = None):
        self.data = data
        self.key = key or str(uuid.uuid4())
        self.calls: Counter[str] = Counter()

    def use(self, key: str | None) -> None:
        """Name the request with the client's key (when it sent one)."""
        if key is not None:
            self.key = key

    def before_call(self, service: str, method: str, timeout: float) -> None:
        self.calls[f"{service}.{method}"] += 1
        count = self.calls[f"{service}.{method}"]
        self.data[KEY] = self.key if count == 1 else f"{self.key}#{count}"
        self.data[DEADLINE] = time.time() + timeout


class Caller(DependencyProvider):
    """Gives a caller's worker a ``CallStamp`` writing into its context data."""

    def get_dependency(self, worker_ctx: Any) -> CallStamp:
        return CallStamp(worker_ctx.data)
