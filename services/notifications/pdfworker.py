"""PDF rendering in separate processes, so weasyprint never holds the service's event loop.

weasyprint is mostly pure Python: in an ``eventlet.tpool`` thread it would still hold the
GIL for most of a render and the hub would wait for it (the health RPC would slow down).
Each worker here is a long-lived child (``python -m services.notifications.pdfworker``,
weasyprint imported once) that reads an HTML document and answers its PDF over pipes;
the service talks to it through green pipes, so waiting for a PDF costs the hub nothing.

Frame: 4-byte big-endian length + payload. Answer: 1 status byte (0 ok, 1 error) + frame.
"""

from __future__ import annotations

import logging
import os
import struct
import sys
from typing import Any, BinaryIO

log = logging.getLogger(__name__)
HEADER = struct.Struct(">I")
MAX_FRAME = 200 * 1024 * 1024


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            raise EOFError("the PDF worker's pipe closed")
        data += chunk
    return data


def read_frame(stream: BinaryIO) -> bytes:
    (length,) = HEADER.unpack(_read_exact(stream, HEADER.size))
    if length > MAX_FRAME:
        raise ValueError("frame too large")
    return _read_exact(stream, length)


def write_frame(stream: BinaryIO, payload: bytes) -> None:
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()


def serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    """The worker's loop: one HTML document in, one PDF (or an error text) out."""
    from services.notifications.domain.documents import render_pdf

    while True:
        try:
            html = read_frame(stdin).decode("utf-8")
        except EOFError:
            return
        try:
            status, payload = b"\x00", render_pdf(html)
        except Exception as exc:  # noqa: BLE001  (reported to the caller, worker lives on)
            status, payload = b"\x01", f"{type(exc).__name__}: {exc}".encode()[:2000]
        stdout.write(status)
        write_frame(stdout, payload)


class RenderError(RuntimeError):
    pass


class WorkerPool:
    """``render(html) -> bytes`` over ``size`` worker processes (green under eventlet)."""

    def __init__(self, size: int = 1):
        from eventlet.queue import LightQueue

        self.size = max(1, size)
        self.idle: Any = LightQueue()
        self.procs: list[Any] = []

    def start(self) -> None:
        for _ in range(self.size):
            self.idle.put(self._spawn())

    def _spawn(self) -> Any:
        from eventlet.green import subprocess

        proc = subprocess.Popen(
            [sys.executable, "-m", "services.notifications.pdfworker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )
        self.procs.append(proc)
        return proc

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs if p.poll() is None]

    def render(self, html: str) -> bytes:
        proc = self.idle.get()  # waits (green) while every worker is busy
        try:
            write_frame(proc.stdin, html.encode("utf-8"))
            status = _read_exact(proc.stdout, 1)
            payload = read_frame(proc.stdout)
        except (OSError, EOFError, ValueError) as exc:
            # A dead or confused worker is replaced; this document is reported as failed.
            log.error("PDF worker %s failed (%s); starting another", proc.pid, exc)
            self._discard(proc)
            self.idle.put(self._spawn())
            raise RenderError("the PDF could not be rendered; try again") from None
        self.idle.put(proc)
        if status != b"\x00":
            raise RenderError(payload.decode(errors="replace"))
        return payload

    def _discard(self, proc: Any) -> None:
        if proc in self.procs:
            self.procs.remove(proc)
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    def stop(self) -> None:
        for proc in list(self.procs):
            try:
                proc.stdin.close()
                proc.wait(timeout=5)
            except Exception:  # noqa: BLE001
                proc.kill()
        self.procs.clear()


if __name__ == "__main__":
    # Lowest priority: on a busy machine the event loop (and every other service) wins the CPU.
    os.nice(19)
    serve(sys.stdin.buffer, sys.stdout.buffer)
