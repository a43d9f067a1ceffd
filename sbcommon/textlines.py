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
    for line_no, (raw, consumed) in enumerate(_raw_lines(chunks, max_line), 1):
        yield line_no, _decode(raw), consumed


def line_blocks(chunks: Iterable[bytes], block_bytes: int = 32 * 1024, max_line: int = 4096
                ) -> Iterator[tuple[int, bytes, int]]:
    """The stream cut into blocks of whole lines, without reading them:
    ``(number of the block's first line, the lines joined by LF, bytes read so far)``.

    ``block_lines`` gives back exactly the lines ``iter_lines`` would have given, so a
    sender can stream bytes and leave the reading to the receiver.
    """
    first_line, lines, size, consumed = 1, [], 0, 0
    for raw, consumed in _raw_lines(chunks, max_line):
        lines.append(raw)
        size += len(raw) + 1
        if size >= block_bytes:
            yield first_line, b"\n".join(lines), consumed
            first_line, lines, size = first_line + len(lines), [], 0
    if lines:
        yield first_line, b"\n".join(lines), consumed


def block_lines(first_line: int, block: bytes) -> list[tuple[int, str | None]]:
    """The numbered lines of a block from ``line_blocks`` (text None if not UTF-8)."""
    return [(first_line + i, _decode(raw)) for i, raw in enumerate(block.split(b"\n"))]


def _raw_lines(chunks: Iterable[bytes], max_line: int) -> Iterator[tuple[bytes, int]]:
    buffer = b""
    consumed = 0
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
            yield raw, consumed
        if len(buffer) > max_line and not skipping:
            # what fits, as valid UTF-8, so the line can still be shown in the report
            yield buffer[:max_line].decode("utf-8", "replace").encode(), consumed
            buffer, skipping = b"", True
        elif skipping:
            buffer = b""
    if buffer and not skipping:
        yield buffer, consumed


def _decode(raw: bytes) -> str | None:
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
