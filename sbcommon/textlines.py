"""Lines of an uploaded text file, read as a stream: memory stays bounded by one chunk and
one line, whatever the file's size."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

BOM = b"\xef\xbb\xbf"


class BinaryFile(ValueError):
    """The upload is not text (it holds NUL bytes)."""


def iter_lines(chunks: Iterable[bytes], max_line: int = 4096
               ) -> Iterator[tuple[int, str | None, int]]:
    """Yield ``(line number, text or None if not UTF-8, bytes read so far)``.

    UTF-8 with or without BOM, LF or CRLF. A line longer than ``max_line`` bytes is cut
    there (its text is what fits, so the caller can report it); the rest of it is skipped.
    """
    buffer = b""
    consumed = 0
    line_no = 0
    first = True
    skipping = False
    for chunk in chunks:
        if not chunk:
            continue
        if b"\x00" in chunk:
            raise BinaryFile("the file holds binary data, not text")
        consumed += len(chunk)
        if first:
            chunk = chunk[len(BOM):] if chunk.startswith(BOM) else chunk
            first = False
        buffer += chunk
        while True:
            newline = buffer.find(b"\n")
            if newline < 0:
                break
            raw, buffer = buffer[:newline], buffer[newline + 1:]
            if skipping:
                skipping = False
                continue
            line_no += 1
            yield line_no, _decode(raw), consumed
        if len(buffer) > max_line and not skipping:
            line_no += 1
            yield line_no, buffer[:max_line].decode("utf-8", "replace"), consumed
            buffer, skipping = b"", True
        elif skipping:
            buffer = b""
    if buffer and not skipping:
        line_no += 1
        yield line_no, _decode(buffer), consumed


def _decode(raw: bytes) -> str | None:
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
