"""Imports of a company's users: receive the file, preview it row by row, apply it.

An import lives in ``user_imports``, always scoped to one reseller (another reseller's
import is a NotFound, like an id that does not exist). Its life:

    receiving ─finish─► previewing ─(worker)─► ready ─apply─► applying ─(worker)─► done
    receiving, previewing → failed (upload stopped, empty, not a user export)
    ready → expired (not applied in time: its rows are deleted)

The file arrives in chunks (``feed``), kept until the preview is made, then deleted. The
preview and the apply run in the service's background worker, one batch per transaction,
so the portal's progress bar moves and a restart resumes where the last batch ended:
previewing re-reads the file and skips the lines already stored; applying takes the rows
not applied yet. Applying twice is a no-op (the second finds the import done); importing
the same file again updates the users it created (``users.upsert_by_email``), never
duplicates them.

Numbers from the file are used only when numbering says they are in the reseller's pool and
free (``check_numbers``, one call per batch); the rest are reported on their row.
"""

from __future__ import annotations

import csv
import io
import math
import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sbcommon.actor import Actor, Role
from sbcommon.contracts.accounts import AccountUserCreate, CustomerCreate
from sbcommon.errors import Conflict, Invalid, NotFound, SwitchboardError

from ..models import Customer, Reseller, User, UserImport, UserImportChunk, UserImportRow
from ..settings import AccountsSettings
from . import customers, users
from .auth import EventSink
from .user_imports import reader
from .user_imports.cells import neutralise
from .user_imports.classify import (
    CREATE,
    IMPORTABLE,
    INVALID,
    UNCHANGED,
    UPDATE,
    Screen,
    Verdict,
    email_key,
)
from .user_imports.formats import Candidate

OUTCOMES = ("create", "update", "unchanged", "skipped", "invalid", "duplicate")
BATCH = 500  # rows previewed per transaction
APPLY_BATCH = 100  # rows applied per transaction
LEASE = timedelta(seconds=60)
CheckNumbers = Callable[[list[str]], list[dict[str, Any]]]


# -- reading an import ------------------------------------------------------------------------
def _job(session: Session, actor: Actor, import_id: Any, *, lock: bool = False) -> UserImport:
    if not isinstance(import_id, int) or isinstance(import_id, bool) \
            or not 1 <= import_id < 2**63:
        raise NotFound("no such import")
    stmt = select(UserImport).where(UserImport.id == import_id)
    if actor.role == Role.CUSTOMER:
        raise NotFound("no such import")
    if actor.role != Role.ADMIN:
        stmt = stmt.where(UserImport.reseller_id == actor.reseller_id)
    job = session.scalars(stmt.with_for_update() if lock else stmt).first()
    if job is None:
        raise NotFound("no such import")
    return job


def _row_out(row: UserImportRow) -> dict[str, Any]:
    return {
        "line": row.line, "outcome": row.outcome, "reason": row.reason,
        "message": row.message, "email": row.email, "display_name": row.display_name,
        "first_name": row.first_name, "last_name": row.last_name,
        "department": row.department, "extension": row.extension, "phone": row.phone,
        "number": row.number, "number_status": row.number_status, "notes": row.notes,
        "applied": row.applied, "user_id": row.user_id,
    }


def report(session: Session, actor: Actor, import_id: Any, page: int = 1, per_page: int = 100,
           outcome: str | None = None) -> dict[str, Any]:
    """Status, progress, counts and one page of the rows (in file order)."""
    job = _job(session, actor, import_id)
    stmt = select(UserImportRow).where(UserImportRow.import_id == job.id)
    counted = select(func.count()).select_from(UserImportRow).where(
        UserImportRow.import_id == job.id)
    if outcome:
        stmt = stmt.where(UserImportRow.outcome == outcome)
        counted = counted.where(UserImportRow.outcome == outcome)
    total = session.scalar(counted) or 0
    rows = session.scalars(stmt.order_by(UserImportRow.line)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return {**summary(job), "rows": [_row_out(r) for r in rows], "page": page,
            "per_page": per_page, "rows_total": total,
            "pages": max(1, math.ceil(total / per_page))}


REPORT_FIELDS = ("line", "outcome", "reason", "message", "email", "first_name", "last_name",
                 "display_name", "department", "extension", "phone", "number",
                 "number_status", "notes", "applied")


def report_csv(session: Session, actor: Actor, import_id: Any, after: Any,
               size: int = 2000) -> dict[str, Any]:
    """One page of the report as CSV (sbcommon.contracts.exports.CsvPage), in file order
    after line ``after``. Cells come from the uploaded file: one that a spreadsheet would
    run as a formula is written neutralised (``'=…``)."""
    job = _job(session, actor, import_id)
    start = after if isinstance(after, int) and not isinstance(after, bool) else 0
    rows = session.scalars(select(UserImportRow).where(
        UserImportRow.import_id == job.id, UserImportRow.line > start)
        .order_by(UserImportRow.line).limit(size + 1)).all()
    more = len(rows) > size
    rows = rows[:size]
    out = io.StringIO()
    writer = csv.writer(out)
    if not start:
        writer.writerow(REPORT_FIELDS)
    for row in rows:
        values = _row_out(row)
        values["notes"] = "; ".join(n["message"] for n in row.notes)
        writer.writerow([neutralise(str(values[f])) if values[f] is not None else ""
                         for f in REPORT_FIELDS])
    return {"csv": out.getvalue(), "next": rows[-1].line if more else None,
            "total": None}


def summary(job: UserImport) -> dict[str, Any]:
    """The import without its rows: what the progress bar polls."""
    counts = {k: int(job.counts.get(k, 0)) for k in OUTCOMES}
    applied = {k: int(job.applied.get(k, 0)) for k in ("create", "update", "unchanged",
                                                        "failed", "numbers")}
    return {
        "import_id": job.id, "status": job.status, "format": job.format,
        "customer_id": job.customer_id, "new_account_name": job.new_account_name,
        "reason": job.reason, "bytes_read": job.bytes_read, "bytes_total": job.bytes_total,
        "rows_read": job.rows_read, "rows_applied": job.rows_applied,
        "to_apply": job.to_apply, "counts": counts, "applied": applied,
        "progress": progress(job), "created_at": job.created_at.isoformat(),
        "expires_at": job.expires_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def progress(job: UserImport) -> int:
    """One bar for the whole import, in percent: receiving the file fills the first
    quarter, previewing it the second (by chunks of the file read), applying the rest."""
    if job.status in ("ready", "expired"):
        return 50
    if job.status in ("done", "failed"):
        return 100
    if job.status == "applying":
        return 50 + (50 * job.rows_applied // job.to_apply if job.to_apply else 50)
    if job.status == "previewing":
        return 25 + min(24, job.preview_percent // 4)
    if job.bytes_total:
        return min(24, 25 * job.bytes_read // job.bytes_total)
    return 0


# -- receiving --------------------------------------------------------------------------------
def start(session: Session, actor: Actor, customer_id: str | None, new_account_name: str | None,
          forced_format: str | None, bytes_total: int | None, settings: AccountsSettings,
          now: datetime) -> dict[str, Any]:
    """Open an import into one of the reseller's company accounts, or into a new one."""
    actor.require(Role.RESELLER)
    if (customer_id is None) == (not new_account_name):
        raise Invalid("give either customer_id (an existing account) or new_account_name",
                      [{"field": "customer_id", "message": "or new_account_name"}])
    if forced_format is not None and forced_format not in reader.FORMATS:
        raise Invalid(f"unknown format {forced_format!r}",
                      [{"field": "format", "message": f"one of {', '.join(reader.FORMATS)}"}])
    reseller = session.get(Reseller, actor.reseller_id)
    if reseller is None or reseller.status != "active":
        raise Conflict("your reseller account cannot import users now")
    country = reseller.country
    if customer_id is not None:
        customer = customers.get_scoped(session, actor, customer_id)
        _importable_into(customer)
        country = customer.country
    job = UserImport(
        reseller_id=reseller.id, created_by=actor.user_id, customer_id=customer_id,
        new_account_name=new_account_name, country=country, forced_format=forced_format,
        status="receiving", bytes_total=bytes_total, counts={}, applied={}, created_at=now,
        fed_at=now, expires_at=now + timedelta(seconds=settings.user_import_preview_seconds))
    session.add(job)
    session.flush()
    return summary(job)


def _importable_into(customer: Customer) -> None:
    if customer.status == "closed":
        raise Conflict("this account is closed; users cannot be imported into it",
                       [{"field": "customer_id", "message": "closed"}])
    if customer.kind != "company":
        raise Conflict("a professional account has one user; import into a company account",
                       [{"field": "customer_id", "message": "professional"}])


def feed(session: Session, actor: Actor, import_id: int, seq: int, data: bytes,
         max_bytes: int, now: datetime) -> dict[str, Any]:
    """Chunk ``seq`` (from 1) of the file. A chunk fed again is ignored (a retried call)."""
    job = _job(session, actor, import_id, lock=True)
    if job.status != "receiving":
        raise Conflict("this import has received its whole file already")
    if seq <= job.chunks:
        return summary(job)
    if seq != job.chunks + 1:
        raise Conflict(f"chunk {job.chunks + 1} must come before chunk {seq}")
    if job.bytes_read + len(data) > max_bytes:
        job.status, job.reason, job.finished_at = "failed", "the file is too large", now
        session.execute(delete(UserImportChunk).where(UserImportChunk.import_id == job.id))
        return summary(job)
    session.execute(insert(UserImportChunk).values(import_id=job.id, seq=seq, data=data))
    job.chunks, job.bytes_read, job.fed_at = seq, job.bytes_read + len(data), now
    return summary(job)


class ChunkSource:
    """The stored file as chunks, read one at a time, as often as the reader asks;
    ``seq`` is the last chunk read (the preview's progress)."""

    def __init__(self, sessions: Callable[[], Any], import_id: int):
        self.sessions, self.import_id, self.seq = sessions, import_id, 0

    def __call__(self) -> Iterator[bytes]:
        seq = 1
        while True:
            with self.sessions() as session:
                data = session.scalar(select(UserImportChunk.data).where(
                    UserImportChunk.import_id == self.import_id, UserImportChunk.seq == seq))
            if data is None:
                return
            self.seq = seq
            yield bytes(data)
            seq += 1


def finish(session: Session, actor: Actor, import_id: int, failure: str | None,
           chunks: reader.ChunkSource, now: datetime) -> dict[str, Any] | SwitchboardError:
    """The end of the upload: the header is read at once, so an empty file or one of
    another format is answered now (returned as an error: the import keeps its failure)."""
    job = _job(session, actor, import_id, lock=True)
    if job.status != "receiving":
        return summary(job)
    if failure:
        return _fail(session, job, failure[:200], now)
    if job.reason == "the file is too large":
        return _fail(session, job, job.reason, now)
    try:
        header, _ = reader.read(chunks, job.forced_format)
    except reader.NotReadable as exc:
        _fail(session, job, str(exc), now)
        return Invalid(str(exc), [{"field": "file", "reason": exc.code, "message": str(exc)}])
    except UnicodeDecodeError:
        _fail(session, job, "the file is not text in a known encoding", now)
        return Invalid("the file is not text in a known encoding",
                       [{"field": "file", "reason": "not_text"}])
    job.format, job.status = header.format.name, "previewing"
    return summary(job)


def _fail(session: Session, job: UserImport, reason: str, now: datetime) -> dict[str, Any]:
    job.status, job.reason, job.finished_at = "failed", reason, now
    session.execute(delete(UserImportChunk).where(UserImportChunk.import_id == job.id))
    return summary(job)


# -- the background worker --------------------------------------------------------------------
def claim(session: Session, now: datetime) -> tuple[int, str] | None:
    """An import with work to do (previewing or applying) that no worker holds, leased to
    this worker for a while; renewed by every batch."""
    job = session.scalars(
        select(UserImport).where(UserImport.status.in_(("previewing", "applying")),
                                 or_(UserImport.lease_until.is_(None),
                                     UserImport.lease_until < now))
        .order_by(UserImport.id).limit(1).with_for_update(skip_locked=True)).first()
    if job is None:
        return None
    job.lease_until = now + LEASE
    return job.id, job.status


def worker_actor(job: UserImport) -> Actor:
    """The reseller's user who started the import: the worker acts as it."""
    return Actor(user_id=job.created_by, role=Role.RESELLER, reseller_id=job.reseller_id)


@dataclass
class Planned:
    candidate: Candidate
    verdict: Verdict
    data: AccountUserCreate | None = None
    number: dict[str, Any] | None = None


def preview_rows(header_and_rows: tuple[reader.Header, Iterator[Candidate]], done_line: int
                 ) -> Iterator[list[tuple[Candidate, Verdict]]]:
    """Batches of screened rows after ``done_line`` (earlier rows are screened again, for
    duplicates, but not handed out)."""
    _, rows = header_and_rows
    screen = Screen()
    batch: list[tuple[Candidate, Verdict]] = []
    for candidate in rows:
        verdict = screen(candidate)
        if candidate.line <= done_line:
            continue
        batch.append((candidate, verdict))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def done_line(session: Session, import_id: int) -> int:
    return session.scalar(select(func.max(UserImportRow.line))
                          .where(UserImportRow.import_id == import_id)) or 0


def _tidy(value: str) -> str | None:
    """A name cell as a name: line breaks and tabs in a quoted cell become spaces."""
    return " ".join(value.split())[:100] or None


def _account_data(candidate: Candidate) -> AccountUserCreate:
    fields: dict[str, Any] = {"email": candidate.email}
    first, last = _tidy(candidate.first_name), _tidy(candidate.last_name)
    display = " ".join(candidate.display_name.split())[:200] or None
    if first:
        fields["first_name"] = first
    if last:
        fields["last_name"] = last
    if display:
        fields["display_name"] = display
    if not (first or last or display):
        fields["display_name"] = candidate.email.split("@")[0][:200]
    if candidate.extension:
        fields["extension"] = candidate.extension
    return AccountUserCreate.model_validate(fields)


def plan_batch(session: Session, job: UserImport, batch: list[tuple[Candidate, Verdict]],
               check_numbers: CheckNumbers) -> list[Planned]:
    """Create, update or unchanged for the importable rows of a batch, with a few queries
    for the whole batch (the account's users by e-mail, e-mails of other accounts,
    extensions in use) and one call to numbering."""
    planned = [Planned(c, v) for c, v in batch]
    live = [p for p in planned if p.verdict.outcome == IMPORTABLE]
    for p in live:
        try:
            p.data = _account_data(p.candidate)
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(part) for part in error.get("loc", ())) or "row"
            p.verdict = Verdict(INVALID, f"bad_{field}"[:40], f"{field}: {error['msg']}")
    live = [p for p in live if p.data is not None]
    keys = [email_key(p.candidate.email) for p in live]
    customer = session.get(Customer, job.customer_id) if job.customer_id else None
    mine: dict[str, User] = {}
    extensions: dict[str, str] = {}
    if customer is not None and keys:
        mine = {u.email.casefold(): u for u in session.scalars(select(User).where(
            User.customer_id == customer.id, func.lower(User.email).in_(keys)))}
        extensions = dict(session.execute(select(User.extension, User.email).where(
            User.customer_id == customer.id, User.extension.is_not(None))).all())
    elsewhere = set(session.scalars(select(func.lower(User.email)).where(
        func.lower(User.email).in_(keys),
        or_(User.customer_id.is_(None), User.customer_id != (job.customer_id or "")))))
    for p in live:
        assert p.data is not None
        key = email_key(p.candidate.email)
        if key in elsewhere and key not in mine:
            p.verdict = Verdict(INVALID, "email_in_use",
                                "this e-mail is already a user of another account")
            continue
        ext = p.data.extension
        if ext and extensions.get(ext, key).casefold() != key:
            p.verdict.notes.append(("extension_taken", f"extension {ext} is already used "
                                    "in this account"))
            p.data = p.data.model_copy(update={"extension": None})
        user = mine.get(key)
        if user is None:
            p.verdict.outcome = CREATE
        else:
            changes = users._changes(user, customer, users._fields_of(p.data))
            p.verdict.outcome = UPDATE if changes else UNCHANGED
    _plan_numbers([p for p in live if p.verdict.outcome in (CREATE, UPDATE, UNCHANGED)],
                  check_numbers)
    return planned


NUMBER_NOTES = {"taken": "number_taken", "not_in_pool": "number_not_in_pool",
                "invalid": "number_invalid"}


def _plan_numbers(planned: list[Planned], check_numbers: CheckNumbers) -> None:
    with_phone = [p for p in planned if p.candidate.phone]
    if not with_phone:
        return
    answers = check_numbers([p.candidate.phone for p in with_phone])
    for p, answer in zip(with_phone, answers, strict=True):
        p.number = answer
        if answer["status"] in NUMBER_NOTES:
            p.verdict.notes.append((NUMBER_NOTES[answer["status"]], answer["message"]))
        elif answer["status"] == "available" and p.verdict.outcome == UNCHANGED:
            p.verdict.outcome = UPDATE  # the user stays, its number is new


def store_batch(session: Session, import_id: int, planned: list[Planned], rows_read: int,
                percent: int) -> None:
    job = session.get(UserImport, import_id, with_for_update=True)
    if job is None or job.status != "previewing":
        return
    values = []
    counts = dict(job.counts)
    for p in planned:
        c, v = p.candidate, p.verdict
        data = p.data
        number = p.number or {}
        values.append({
            "import_id": import_id, "line": c.line, "outcome": v.outcome,
            "reason": v.reason or None, "message": v.message or None,
            "email": c.email[:254], "first_name": (data.first_name if data else c.first_name)
            or "", "last_name": (data.last_name if data else c.last_name) or "",
            "display_name": (data.name() if data else c.name)[:200],
            "department": c.department, "external_id": c.external_id,
            "extension": data.extension if data else None, "phone": c.phone,
            "number": number.get("number"), "number_status": number.get("status"),
            "notes": [{"code": code, "message": text} for code, text in v.notes],
        })
        counts[v.outcome] = counts.get(v.outcome, 0) + 1
    if values:
        session.execute(insert(UserImportRow), values)
    job.counts = counts
    job.rows_read, job.preview_percent = rows_read, min(100, percent)


def finish_preview(session: Session, import_id: int, now: datetime) -> None:
    job = session.get(UserImport, import_id, with_for_update=True)
    if job is None or job.status != "previewing":
        return
    job.status, job.lease_until = "ready", None
    job.to_apply = sum(int(job.counts.get(k, 0)) for k in (CREATE, UPDATE, UNCHANGED))
    session.execute(delete(UserImportChunk).where(UserImportChunk.import_id == import_id))


def fail_preview(session: Session, import_id: int, reason: str, now: datetime) -> None:
    job = session.get(UserImport, import_id, with_for_update=True)
    if job is not None and job.status == "previewing":
        _fail(session, job, reason[:200], now)
        job.lease_until = None


# -- applying ---------------------------------------------------------------------------------
def apply(session: Session, actor: Actor, import_id: int, settings: AccountsSettings,
          events: EventSink, now: datetime) -> dict[str, Any] | SwitchboardError:
    """Start applying a previewed import (the worker does it, in batches). Applying an
    import that is applying or done already changes nothing."""
    job = _job(session, actor, import_id, lock=True)
    actor.require(Role.RESELLER)
    if job.status in ("applying", "done"):
        return summary(job)
    if job.status == "expired" or (job.status == "ready" and job.expires_at <= now):
        job.status = "expired"
        return Conflict("this preview has expired; upload the file again")
    if job.status != "ready":
        raise Conflict(f"this import cannot be applied: it is {job.status}")
    if job.customer_id is None:
        job.customer_id = _new_account(session, actor, job, settings, events, now)
    else:
        _importable_into(customers.get_scoped(session, actor, job.customer_id, lock=True))
    job.status, job.lease_until = "applying", None
    if job.to_apply == 0:
        job.status, job.finished_at = "done", now
    return summary(job)


def _new_account(session: Session, actor: Actor, job: UserImport, settings: AccountsSettings,
                 events: EventSink, now: datetime) -> str:
    """The company account the import goes into; its main user is the file's first user to
    create (that row then fills in its names)."""
    first = session.scalars(select(UserImportRow).where(
        UserImportRow.import_id == job.id, UserImportRow.outcome == CREATE)
        .order_by(UserImportRow.line).limit(1)).first()
    if first is None:
        raise Conflict("the file has no user to create: the new account would be empty")
    created = customers.create(session, actor, CustomerCreate(
        kind="company", name=job.new_account_name or "", email=first.email,
        contact_name=first.display_name or None, country=job.country, start="trial"),
        settings, events, now)
    first.applied = "main"  # marks the row whose user the account's creation made
    return str(created["id"])


def apply_batch(session: Session, import_id: int, events: EventSink, now: datetime
                ) -> list[UserImportRow] | None:
    """Apply the next rows of an import (None when there are none left). New users of the
    batch are inserted together (``_create_many``); the others, and any the bulk path
    leaves, go one by one through ``users.upsert_by_email``, each in its own savepoint, so
    one refused row (an e-mail taken meanwhile) leaves the others."""
    job = session.get(UserImport, import_id, with_for_update=True)
    if job is None or job.status != "applying":
        return None
    rows = session.scalars(select(UserImportRow).where(
        UserImportRow.import_id == job.id,
        UserImportRow.outcome.in_((CREATE, UPDATE, UNCHANGED)),
        or_(UserImportRow.applied.is_(None), UserImportRow.applied == "main"))
        .order_by(UserImportRow.line).limit(APPLY_BATCH)).all()
    if not rows:
        return None
    actor = worker_actor(job)
    customer = customers.get_scoped(session, actor, job.customer_id or "", lock=True)
    fresh = [r for r in rows if r.outcome == CREATE and r.applied is None]
    created = _create_many(session, customer, fresh, events, now) if fresh else set()
    applied = dict(job.applied)
    for row in rows:
        if row.line in created:
            row.applied = "create"
        else:
            _apply_one(session, actor, job, row, events, now)
        applied[row.applied] = applied.get(row.applied, 0) + 1
    job.applied = applied
    job.rows_applied += len(rows)
    job.lease_until = now + LEASE
    return rows


def _apply_one(session: Session, actor: Actor, job: UserImport, row: UserImportRow,
               events: EventSink, now: datetime) -> None:
    main = row.applied == "main"
    try:
        with session.begin_nested():
            out = users.upsert_by_email(session, actor, job.customer_id or "",
                                        _stored_data(row), events, now)
        row.applied = "create" if main else out["outcome"]
        row.user_id = out["user"]["id"]
    except (SwitchboardError, ValidationError) as exc:
        row.applied = "failed"
        row.notes = [*row.notes, {"code": "apply_failed", "message": str(exc)[:200]}]


def _create_many(session: Session, customer: Customer, rows: list[UserImportRow],
                 events: EventSink, now: datetime) -> set[int]:
    """Insert the batch's new users with a few queries for all of them (the same records
    and events as ``users.create``): e-mails and extensions in use, and identifiers taken,
    are looked up at once. Rows whose e-mail or extension is taken meanwhile are left to
    the one-by-one path, which says why; a race lost at insert time leaves them all to it.
    Returns the lines created."""
    planned = []
    for row in rows:
        try:
            planned.append((row, _stored_data(row)))
        except ValidationError:
            continue
    keys = [d.email.casefold() for _, d in planned]
    taken = set(session.scalars(select(func.lower(User.email)).where(
        func.lower(User.email).in_(keys))))
    wanted_ext = [d.extension for _, d in planned if d.extension]
    used_ext = set(session.scalars(select(User.extension).where(
        User.customer_id == customer.id, User.extension.in_(wanted_ext)))) if wanted_ext \
        else set()
    planned = [(r, d) for r, d in planned if d.email.casefold() not in taken
               and not (d.extension and d.extension in used_ext)]
    if not planned:
        return set()
    identifiers = _identifiers(session, [d for _, d in planned])
    try:
        with session.begin_nested():
            made = []
            for (row, data), identifier in zip(planned, identifiers, strict=True):
                user = User(
                    id=str(uuid.uuid4()), role="customer", reseller_id=customer.reseller_id,
                    customer_id=customer.id, identifier=identifier, email=data.email,
                    display_name=data.name(), first_name=data.first_name,
                    last_name=data.last_name, extension=data.extension,
                    account_role=data.account_role,
                    language=data.language or customer.language, version=1, created_at=now,
                    updated_at=now)
                session.add(user)
                made.append((row, user))
            session.flush()
            for _, user in made:
                events.record(session, "account_user_changed", users.event_data(user))
    except IntegrityError:
        return set()  # a concurrent change took an e-mail or extension: one by one then
    for row, user in made:
        row.user_id = user.id
    return {row.line for row, _ in made}


def _identifiers(session: Session, datas: list[AccountUserCreate]) -> list[str]:
    """Free sign-in identifiers (``name.123456``, as users.create makes them), checked
    together; the rare one taken is drawn again."""
    out = [f"{customers._slug(d.name())}.{secrets.randbelow(10**6):06d}" for d in datas]
    for _ in range(20):
        taken = set(session.scalars(select(User.identifier).where(User.identifier.in_(out))))
        taken |= set(session.scalars(select(Customer.identifier).where(
            Customer.identifier.in_(out))))
        seen: set[str] = set()
        clash = False
        for i, identifier in enumerate(out):
            if identifier in taken or identifier in seen:
                out[i] = f"{customers._slug(datas[i].name())}.{secrets.randbelow(10**6):06d}"
                clash = True
            seen.add(out[i])
        if not clash:
            return out
    raise Conflict("could not generate free identifiers; try again")


def _stored_data(row: UserImportRow) -> AccountUserCreate:
    fields: dict[str, Any] = {"email": row.email}
    for name in ("first_name", "last_name"):
        if getattr(row, name):
            fields[name] = getattr(row, name)
    fields["display_name"] = row.display_name or row.email.split("@")[0]
    if row.extension:
        fields["extension"] = row.extension
    return AccountUserCreate.model_validate(fields)


def numbers_to_assign(rows: list[UserImportRow]) -> list[UserImportRow]:
    return [r for r in rows if r.number and r.number_status == "available"
            and r.applied in ("create", "update", "unchanged")]


def record_numbers(session: Session, import_id: int, outcome: dict[str, tuple[str, str]]
                   ) -> None:
    """What numbering did with each row's number: ``{line: (status, message)}``."""
    job = session.get(UserImport, import_id, with_for_update=True)
    if job is None:
        return
    assigned = 0
    for line, (status, message) in outcome.items():
        row = session.get(UserImportRow, (import_id, line))
        if row is None:
            continue
        row.number_status = status
        if status == "assigned":
            assigned += 1
            if message:  # the account has it, its user does not
                row.notes = [*row.notes, {"code": "number_not_given", "message": message}]
        else:
            row.notes = [*row.notes, {"code": "number_not_assigned", "message": message}]
    job.applied = {**job.applied, "numbers": int(job.applied.get("numbers", 0)) + assigned}


def finish_apply(session: Session, import_id: int, now: datetime) -> None:
    job = session.get(UserImport, import_id, with_for_update=True)
    if job is not None and job.status == "applying":
        job.status, job.finished_at, job.lease_until = "done", now, None


# -- housekeeping -----------------------------------------------------------------------------
def expire(session: Session, now: datetime, receive_seconds: int) -> int:
    """Fail uploads nobody feeds any more and expire previews not applied in time (their
    rows go; the import's counts stay)."""
    stalled = session.execute(
        update(UserImport).where(UserImport.status == "receiving",
                                 UserImport.fed_at < now - timedelta(seconds=receive_seconds))
        .values(status="failed", finished_at=now,
                reason="no data received: the upload was interrupted")
        .returning(UserImport.id)).scalars().all()
    old = session.execute(
        update(UserImport).where(UserImport.status == "ready", UserImport.expires_at <= now)
        .values(status="expired", finished_at=now).returning(UserImport.id)).scalars().all()
    if stalled:
        session.execute(delete(UserImportChunk).where(UserImportChunk.import_id.in_(stalled)))
    if old:
        session.execute(delete(UserImportRow).where(UserImportRow.import_id.in_(old)))
    return len(stalled) + len(old)

