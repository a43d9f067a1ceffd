"""Import of numbers from a text file, one per line: start, feed blocks of lines, finish.

The gateway streams the file's bytes in blocks of whole lines; each block is one
transaction, so a crash leaves whole blocks added and never half a number. A line is never
lost silently: it is added, skipped because it is blank, or reported with its reason. An
import nobody feeds any more (the uploader went away) is failed by ``expire_stale``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from sbcommon.actor import Actor, Role
from sbcommon.contracts.numbering import ImportReport
from sbcommon.errors import Conflict, NotFound

from ..models import ImportRejection, Number, NumberImport
from .parse import NumberError, has_letters, parse_number

MAX_LINE = 200
REPORT_LIMIT = 10_000  # rejections listed in one answer; the rest are counted


@dataclass
class Rejection:
    line: int
    text: str
    reason: str
    message: str


def start(session: Session, actor: Actor, bytes_total: int | None, now: datetime) -> int:
    actor.require(Role.RESELLER)
    job = NumberImport(reseller_id=actor.reseller_id, bytes_total=bytes_total, created_at=now,
                       fed_at=now)
    session.add(job)
    session.flush()
    return job.id


def _job(session: Session, actor: Actor, import_id: int, lock: bool = False) -> NumberImport:
    stmt = select(NumberImport).where(NumberImport.id == import_id)
    if actor.role != Role.ADMIN:
        stmt = stmt.where(NumberImport.reseller_id == actor.reseller_id)
    job = session.scalars(stmt.with_for_update() if lock else stmt).first()
    if job is None:
        raise NotFound("no such import")
    return job


def _screen(line_no: int, text: str | None) -> tuple[Any, Rejection | None]:
    """The parsed number of a line, a rejection, or (None, None) for a blank line."""
    if text is None:
        return None, Rejection(line_no, "", "not_utf8", "not UTF-8 text")
    if len(text) > MAX_LINE:
        return None, Rejection(line_no, text[:MAX_LINE], "line_too_long",
                               f"longer than {MAX_LINE} characters")
    if not text.strip():
        return None, None
    if has_letters(text):
        return None, Rejection(line_no, text, "letters", "ignored: contains letters")
    try:
        return parse_number(text), None
    except NumberError as exc:
        return None, Rejection(line_no, text, exc.code, str(exc))


@dataclass
class Screened:
    """A batch after parsing, before the database: CPU work the service runs off its hub."""

    rejections: list[Rejection]
    numbers: list[tuple[int, str, Any]]  # line, text, ParsedNumber
    lines: int
    first_line: int = 1


def screen(lines: list[tuple[int, str | None]]) -> Screened:
    rejections: list[Rejection] = []
    numbers: list[tuple[int, str, Any]] = []
    first_line: dict[str, int] = {}
    for line_no, text in lines:
        parsed, rejection = _screen(line_no, text)
        if rejection:
            rejections.append(rejection)
        elif parsed is not None and parsed.e164 in first_line:
            rejections.append(Rejection(line_no, text or "", "duplicate_in_file",
                                        f"duplicate of line {first_line[parsed.e164]}"))
        elif parsed is not None:
            first_line[parsed.e164] = line_no
            numbers.append((line_no, text or "", parsed))
    return Screened(rejections, numbers, len(lines), lines[0][0] if lines else 1)


def add_screened(session: Session, actor: Actor, import_id: int, batch: Screened,
                 bytes_read: int, now: datetime) -> dict[str, int] | None:
    """Add a block, in the file's order: None while the block before it is not in yet
    (the caller waits and asks again), so a number repeated in the file is always
    reported on its later line. A block already added is a Conflict."""
    job = _job(session, actor, import_id, lock=True)
    if job.status != "running":
        raise Conflict("this import is finished")
    if batch.first_line <= job.lines_read:
        raise Conflict(f"line {batch.first_line} of this import was already fed")
    if batch.first_line > job.lines_read + 1:
        return None
    rows = [{"e164": p.e164, "reseller_id": job.reseller_id, "state": "available",
             "country": p.country, "area_code": p.area_code, "number_type": p.number_type,
             "import_id": job.id, "created_at": now, "updated_at": now}
            for _, _, p in batch.numbers]
    added = _insert_new(session, rows)
    texts = {p.e164: (line_no, text) for line_no, text, p in batch.numbers}
    rejections = batch.rejections + _explain_conflicts(session, job, texts, added)
    # No history row per imported number: numbers.import_id and created_at already say
    # where and when it came from, and the import itself records who ran it.
    if rejections:
        session.execute(insert(ImportRejection), [
            {"import_id": job.id, "line": r.line, "text": r.text, "reason": r.reason,
             "message": r.message} for r in rejections])
    job.lines_read += batch.lines
    job.added += len(added)
    job.rejected += len(rejections)
    job.bytes_read = max(job.bytes_read, bytes_read)  # two blocks may be fed at once
    job.fed_at = now
    return {"added": len(added), "rejected": len(rejections)}


STAGE_COLUMNS = ("e164", "reseller_id", "state", "country", "area_code", "number_type",
                 "import_id", "created_at", "updated_at")


def _insert_new(session: Session, rows: list[dict[str, Any]]) -> set[str]:
    """Insert the batch, skipping numbers that already exist anywhere; returns those added.

    COPY into a per-connection staging table, then one INSERT … SELECT … ON CONFLICT DO
    NOTHING: several times faster than even batched INSERTs (bench/bench_numbering.py),
    and still one transaction with the rest of the batch.
    """
    if not rows:
        return set()
    session.execute(sql(
        "CREATE TEMP TABLE IF NOT EXISTS number_stage "
        "(LIKE numbers INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"))
    cursor = session.connection().connection.driver_connection.cursor()
    columns = ", ".join(STAGE_COLUMNS)
    with cursor.copy(f"COPY number_stage ({columns}) FROM STDIN") as copy:  # noqa: S608
        for row in rows:
            copy.write_row([row[c] for c in STAGE_COLUMNS])
    added = session.execute(sql(
        f"INSERT INTO numbers ({columns}) SELECT {columns} FROM number_stage "  # noqa: S608
        "ON CONFLICT DO NOTHING RETURNING e164")).scalars().all()
    session.execute(sql("TRUNCATE number_stage"))
    return set(added)


def _explain_conflicts(session: Session, job: NumberImport,
                       texts: dict[str, tuple[int, str]], added: set[str]) -> list[Rejection]:
    taken = [e for e in texts if e not in added]
    if not taken:
        return []
    owners = {e: (r, i) for e, r, i in session.execute(
        select(Number.e164, Number.reseller_id, Number.import_id)
        .where(Number.e164.in_(taken)))}
    out = []
    for e164 in taken:
        line_no, text = texts[e164]
        reseller_id, import_id = owners.get(e164, (None, None))
        if import_id == job.id:
            out.append(Rejection(line_no, text, "duplicate_in_file",
                                 f"duplicate: {e164} appears elsewhere in the file"))
        elif reseller_id == job.reseller_id:
            out.append(Rejection(line_no, text, "already_in_pool",
                                 f"{e164} is already in your pool"))
        else:
            out.append(Rejection(line_no, text, "already_in_pool", f"{e164} is already in a pool"))
    return out


def finish(session: Session, actor: Actor, import_id: int, failure: str | None,
           now: datetime) -> None:
    """Done, or failed with ``failure`` as the reason; an import already over stays so."""
    job = _job(session, actor, import_id, lock=True)
    if job.status == "running":
        job.status = "failed" if failure else "done"
        job.reason = failure[:200] if failure else None
        job.finished_at = now


def expire_stale(session: Session, now: datetime, seconds: int) -> int:
    """Fail every import not fed for ``seconds``: its uploader is gone (a gateway restart,
    a closed browser), and nothing else would ever end it. Returns how many."""
    reason = f"no data received for {seconds} seconds: the upload was interrupted"
    result = session.execute(
        update(NumberImport)
        .where(NumberImport.status == "running",
               NumberImport.fed_at < now - timedelta(seconds=seconds))
        .values(status="failed", reason=reason, finished_at=now))
    return result.rowcount or 0


def report(session: Session, actor: Actor, import_id: int, with_rejections: bool = True
           ) -> dict[str, Any]:
    job = _job(session, actor, import_id)
    rejections = []
    if with_rejections:
        rejections = session.scalars(
            select(ImportRejection).where(ImportRejection.import_id == job.id)
            .order_by(ImportRejection.line).limit(REPORT_LIMIT)).all()
    listed = [{"line": r.line, "text": r.text, "reason": r.reason, "message": r.message}
              for r in rejections]
    return ImportReport(
        import_id=job.id, status=job.status, lines_read=job.lines_read, added=job.added,
        rejected=job.rejected, rejections=listed,
        rejections_truncated=with_rejections and job.rejected > len(listed), reason=job.reason,
    ).model_dump(mode="json") | {"bytes_read": job.bytes_read, "bytes_total": job.bytes_total}
