"""The accounts service's RPCs for imports of a company's users (a part of
``AccountsService``), and the background worker that previews and applies them."""

from __future__ import annotations

import base64
import binascii
import logging
import time
from datetime import UTC, datetime
from typing import Any

import eventlet
from nameko.timer import timer

from sbcommon.actor import Actor
from sbcommon.contracts.rpc import NumberingRpc, rpc_proxy
from sbcommon.contracts.user_imports import UserImportQuery, UserImportStart
from sbcommon.errors import Invalid, NotFound
from sbcommon.rpc import rpc
from sbcommon.validation import parse

from .domain import user_import_jobs as jobs
from .domain.user_imports import reader
from .models import UserImport
from .settings import AccountsSettings

log = logging.getLogger(__name__)
SETTINGS = AccountsSettings()
MAX_CHUNK = 1024 * 1024  # bytes of one fed chunk
WORK_SECONDS = 5.0  # one timer tick works this long at most, then lets the next tick in


def utcnow() -> datetime:
    return datetime.now(UTC)


def _import_id(raw: Any) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise Invalid("import_id is an integer")
    if not 1 <= raw < 2**63:  # ids are positive bigints: anything else names no import
        raise NotFound("no such import")
    return raw


class UserImportRpcs:
    numbering: NumberingRpc = rpc_proxy("numbering")

    @rpc
    def start_user_import(self, actor: dict[str, Any], payload: dict[str, Any],
                          bytes_total: int | None = None) -> dict[str, Any]:
        who, data = Actor.parse(actor), parse(UserImportStart, payload)
        total = bytes_total if isinstance(bytes_total, int) and bytes_total >= 0 else None
        return self.once(who, lambda session: jobs.start(  # type: ignore[attr-defined]
            session, who, data.customer_id, data.new_account_name, data.format, total,
            SETTINGS, utcnow()))

    @rpc
    def feed_user_import(self, actor: dict[str, Any], import_id: int, seq: int, data: str
                         ) -> dict[str, Any]:
        """Chunk ``seq`` (from 1) of the file, base64."""
        who = Actor.parse(actor)
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise Invalid("seq is the chunk's number, from 1")
        if not isinstance(data, str) or len(data) > MAX_CHUNK * 4 // 3 + 4:
            raise Invalid(f"a chunk is at most {MAX_CHUNK} bytes, in base64")
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise Invalid("a chunk is sent in base64") from None
        with self.db.begin() as session:  # type: ignore[attr-defined]
            return jobs.feed(session, who, _import_id(import_id), seq, raw,
                             SETTINGS.user_import_max_bytes, utcnow())

    @rpc
    def finish_user_import(self, actor: dict[str, Any], import_id: int,
                           failure: str | None = None) -> dict[str, Any]:
        """The end of the file (``failure`` None) or of the upload (``failure``: why). An
        empty file or one of another format is a 422 naming the header expected."""
        who = Actor.parse(actor)
        number = _import_id(import_id)
        source = jobs.ChunkSource(self.db, number)  # type: ignore[attr-defined]
        out = self.once(who, lambda session: jobs.finish(  # type: ignore[attr-defined]
            session, who, number, failure and str(failure), source, utcnow()))
        self._wake_worker()
        return out

    @rpc
    def apply_user_import(self, actor: dict[str, Any], import_id: int) -> dict[str, Any]:
        who = Actor.parse(actor)
        number = _import_id(import_id)
        out = self.once(who, lambda session: jobs.apply(  # type: ignore[attr-defined]
            session, who, number, SETTINGS, self.outbox, utcnow()))  # type: ignore[attr-defined]
        self._wake_worker()
        return out

    @rpc
    def user_import_report(self, actor: dict[str, Any], import_id: int,
                           query: dict[str, Any] | None = None) -> dict[str, Any]:
        who, data = Actor.parse(actor), parse(UserImportQuery, query or {}, "query")
        with self.db() as session:  # type: ignore[attr-defined]
            return jobs.report(session, who, _import_id(import_id), data.page, data.per_page,
                               data.outcome)

    @rpc
    def export_user_import(self, actor: dict[str, Any], import_id: int,
                           after: int | None = None) -> dict[str, Any]:
        """One page of the report as CSV (sbcommon.contracts.exports.CsvPage)."""
        who = Actor.parse(actor)
        with self.db() as session:  # type: ignore[attr-defined]
            return jobs.report_csv(session, who, _import_id(import_id), after)

    @rpc
    def user_import_progress(self, actor: dict[str, Any], import_id: int) -> dict[str, Any]:
        who = Actor.parse(actor)
        with self.db() as session:  # type: ignore[attr-defined]
            return jobs.summary(jobs._job(session, who, _import_id(import_id)))

    # -- the background worker -----------------------------------------------------------
    def _wake_worker(self) -> None:
        """Nothing to do: the timer below polls often (SB_USER_IMPORT_POLL_SECONDS)."""

    @timer(interval=SETTINGS.user_import_poll_seconds)
    def work_user_imports(self) -> None:
        """Preview or apply imports, a batch per transaction, for a few seconds a tick."""
        until = time.monotonic() + WORK_SECONDS
        while time.monotonic() < until:
            with self.db.begin() as session:  # type: ignore[attr-defined]
                claimed = jobs.claim(session, utcnow())
            if claimed is None:
                return
            import_id, status = claimed
            try:
                if status == "previewing":
                    self._preview(import_id, until)
                else:
                    self._apply(import_id, until)
            except Exception:
                # The lease runs out and another tick takes the import up again.
                log.exception("user import %s: the worker stopped", import_id)
                return

    def _preview(self, import_id: int, until: float) -> None:
        with self.db() as session:  # type: ignore[attr-defined]
            job = session.get(UserImport, import_id)
            assert job is not None
            actor, forced, country = jobs.worker_actor(job), job.forced_format, job.country
            customer_id, chunks_total = job.customer_id, max(1, job.chunks)
            start_line = jobs.done_line(session, import_id)
        source = jobs.ChunkSource(self.db, import_id)  # type: ignore[attr-defined]

        def check(texts: list[str]) -> list[dict[str, Any]]:
            return self.numbering.check_numbers(actor.dump(), {
                "numbers": texts, "customer_id": customer_id, "country": country})["numbers"]

        try:
            batches = jobs.preview_rows(reader.read(source, forced), start_line)
            rows_read = start_line
            for batch in batches:
                with self.db.begin() as session:  # type: ignore[attr-defined]
                    job = session.get(UserImport, import_id)
                    planned = jobs.plan_batch(session, job, batch, check)
                rows_read = batch[-1][0].line
                with self.db.begin() as session:  # type: ignore[attr-defined]
                    jobs.store_batch(session, import_id, planned, rows_read,
                                     100 * source.seq // chunks_total)
                eventlet.sleep(0)
                if time.monotonic() > until:
                    self._release(import_id)
                    return
        except (reader.NotReadable, UnicodeDecodeError) as exc:
            with self.db.begin() as session:  # type: ignore[attr-defined]
                jobs.fail_preview(session, import_id, str(exc), utcnow())
            return
        with self.db.begin() as session:  # type: ignore[attr-defined]
            jobs.finish_preview(session, import_id, utcnow())

    def _apply(self, import_id: int, until: float) -> None:
        while True:
            with self.db.begin() as session:  # type: ignore[attr-defined]
                rows = jobs.apply_batch(session, import_id, self.outbox,  # type: ignore[attr-defined]
                                        utcnow())
                if rows is None:
                    break
                job = session.get(UserImport, import_id)
                actor, customer_id = jobs.worker_actor(job), job.customer_id
                wanted = {r.line: (r.number, r.user_id) for r in jobs.numbers_to_assign(rows)}
            if wanted:
                outcome = self._assign_numbers(actor, customer_id or "", wanted)
                with self.db.begin() as session:  # type: ignore[attr-defined]
                    jobs.record_numbers(session, import_id, outcome)
            if time.monotonic() > until:
                self._release(import_id)
                return
        with self.db.begin() as session:  # type: ignore[attr-defined]
            jobs.finish_apply(session, import_id, utcnow())

    def _assign_numbers(self, actor: Actor, customer_id: str,
                        wanted: dict[int, tuple[str, str | None]]
                        ) -> dict[int, tuple[str, str]]:
        """Assign the batch's numbers to the account in one call (if numbering refuses the
        batch, a number taken since the preview, each on its own so the others still go),
        then give each to the user of its row."""
        outcome: dict[int, tuple[str, str]] = {}
        try:
            self.numbering.request_numbers(actor.dump(), customer_id,
                                           {"numbers": [n for n, _ in wanted.values()]})
            outcome = {line: ("assigned", "") for line in wanted}
        except Exception as exc:  # noqa: BLE001 - typed 4xx from numbering, per number below
            log.info("user import: batch of numbers refused (%s); one by one", exc)
            for line, (number, _) in wanted.items():
                try:
                    self.numbering.request_numbers(actor.dump(), customer_id,
                                                   {"numbers": [number]})
                    outcome[line] = ("assigned", "")
                except Exception as one:  # noqa: BLE001
                    outcome[line] = ("not_assigned", str(one)[:200])
        for line, (number, user_id) in wanted.items():
            if outcome[line][0] != "assigned" or not user_id:
                continue
            try:
                self.numbering.set_number_user(actor.dump(), customer_id, number,
                                               {"user_id": user_id})
            except Exception as exc:  # noqa: BLE001 - the number stays the account's
                outcome[line] = ("assigned", f"assigned to the account, not to its user: "
                                             f"{str(exc)[:150]}")
        return outcome

    def _release(self, import_id: int) -> None:
        """Let the next tick take the import up at once (the lease would make it wait)."""
        with self.db.begin() as session:  # type: ignore[attr-defined]
            job = session.get(UserImport, import_id, with_for_update=True)
            if job is not None:
                job.lease_until = None

    @timer(interval=30)
    def expire_user_imports(self) -> None:
        with self.db.begin() as session:  # type: ignore[attr-defined]
            jobs.expire(session, utcnow(), SETTINGS.user_import_receive_seconds)
