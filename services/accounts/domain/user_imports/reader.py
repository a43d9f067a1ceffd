"""Bytes of an upload → numbered rows of its format, as a stream.

Encodings as the three systems (and Excel re-saving their files) write them: UTF-8 with or
without BOM, UTF-16 with a BOM (Excel's "Unicode text", tab-separated), and Windows-1252
for a file that is not UTF-8 (Excel's plain "CSV" on Windows). The separator is read from
the header row: comma, semicolon (Excel in French) or tab. Quoted cells may hold commas,
quotes and line breaks; a row's number is the file line where it starts.

Memory stays bounded by one chunk and one row: ``chunks`` is a callable giving the file's
chunks again from the start, so that a file found not to be UTF-8 is read again as 1252.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .broadworks import FORMAT as BROADWORKS
from .cells import clean
from .formats import Candidate, Format, normalise
from .google_workspace import FORMAT as GOOGLE_WORKSPACE
from .microsoft365 import FORMAT as MICROSOFT365

FORMATS: dict[str, Format] = {f.name: f for f in (GOOGLE_WORKSPACE, MICROSOFT365, BROADWORKS)}
MAX_CELL_BYTES = 64 * 1024  # a longer cell is not a user attribute: the file is not ours
SEPARATORS = (",", ";", "\t")

ChunkSource = Callable[[], Iterable[bytes]]


class NotReadable(ValueError):
    """The file cannot be read as one of the formats; ``code`` names why, for the report."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Header:
    format: Format
    encoding: str
    separator: str
    columns: list[str]


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 4 and head[1] == 0 and head[3] == 0 and head[0] != 0:
        return "utf-16-le"  # no BOM, but every other byte NUL: ASCII text in UTF-16
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(head)
    except UnicodeDecodeError:
        return "cp1252"  # Excel's plain CSV on Windows (a later error also switches)
    return "utf-8"


def _text(chunks: Iterable[bytes], encoding: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    for chunk in chunks:
        if chunk:
            yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


def _lines(texts: Iterable[str]) -> Iterator[str]:
    """Lines with their ending, as the csv module wants them (it joins quoted breaks)."""
    buffer = ""
    for text in texts:
        buffer += text
        start = 0
        while True:
            end = buffer.find("\n", start)
            if end < 0:
                break
            yield buffer[start:end + 1]
            start = end + 1
        buffer = buffer[start:]
        if len(buffer) > MAX_CELL_BYTES * 4:
            raise NotReadable("line_too_long", "a line of the file is far too long for a "
                              "user list")
    if buffer:
        yield buffer


def _separator(line: str) -> str:
    return max(SEPARATORS, key=line.count)


def recognise(columns: list[str], forced: str | None = None) -> Format:
    """The format of a header row; ``forced`` (a format name) must then match it."""
    if forced is not None:
        wanted = FORMATS.get(forced)
        if wanted is None:
            raise NotReadable("unknown_format", f"unknown format {forced!r}; one of: "
                              f"{', '.join(FORMATS)}")
        if not wanted.matches(columns):
            raise NotReadable("wrong_header", _expected(wanted))
        return wanted
    for candidate in FORMATS.values():
        if candidate.matches(columns):
            return candidate
    raise NotReadable("unknown_header", "the first line is not the header of a user export "
                      "we know; expected one of: " + "; ".join(
                          _expected(f) for f in FORMATS.values()))


def _expected(fmt: Format) -> str:
    return f"{fmt.label} ({', '.join(fmt.signature)})"


def _decoded_lines(chunks: ChunkSource) -> tuple[str, Iterator[str]]:
    head = b""
    for chunk in chunks():
        head += chunk
        if len(head) >= 4096:
            break
    if not head:
        raise NotReadable("empty", "the file is empty")
    encoding = _encoding(head)
    if b"\x00" in head and not encoding.startswith("utf-16"):
        raise NotReadable("binary", "the file holds binary data, not a CSV export")
    return encoding, _lines(_text(chunks(), encoding))


def read(chunks: ChunkSource, forced: str | None = None
         ) -> tuple[Header, Iterator[Candidate]]:
    """The header and a stream of candidates. Raises ``NotReadable`` for the header at
    once; a decoding error further on restarts in Windows-1252 (the rows already given
    are given again, in the same order and with the same line numbers)."""
    encoding, lines = _decoded_lines(chunks)
    try:
        first = next(lines, "")
    except UnicodeDecodeError:
        if encoding != "utf-8":
            raise NotReadable("not_text", "the file is not text in a known encoding") from None
        encoding, lines = "cp1252", _lines(_text(chunks(), "cp1252"))  # pragma: no cover
        first = next(lines, "")
    if not encoding.startswith("utf-16") and "\x00" in first:
        raise NotReadable("binary", "the file holds binary data, not a CSV export")
    separator = _separator(first)
    columns = next(csv.reader([first], delimiter=separator), [])
    columns = [c.replace("\ufeff", "").strip() for c in columns]
    fmt = recognise(columns, forced)
    header = Header(fmt, encoding, separator, columns)
    return header, _candidates(chunks, header, lines)


def _candidates(chunks: ChunkSource, header: Header, lines: Iterator[str]
                ) -> Iterator[Candidate]:
    try:
        yield from _rows(header, lines)
    except UnicodeDecodeError:
        if header.encoding != "utf-8":
            raise NotReadable("not_text", "the file is not text in a known encoding") from None
        # Not UTF-8 after all: read it all again as Windows-1252, skipping its header.
        again = _lines(_text(chunks(), "cp1252"))
        next(again, None)
        yield from _rows(Header(header.format, "cp1252", header.separator, header.columns),
                         again)


def _rows(header: Header, lines: Iterator[str]) -> Iterator[Candidate]:
    keys = {normalise(c): c for c in header.columns}
    wanted = {c: keys.get(normalise(c)) for c in header.format.columns}
    index = [(c, header.columns.index(k)) for c, k in wanted.items() if k is not None]
    width = max((i for _, i in index), default=-1) + 1
    to_candidate = header.format.to_candidate
    reader = csv.reader(lines, delimiter=header.separator)
    line = 2  # the header was line 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 2
            if not "".join(cells).strip():
                continue  # blank lines (Excel leaves some at the end)
            if max(map(len, cells)) > MAX_CELL_BYTES:
                raise NotReadable("cell_too_long", f"line {start}: a cell is far too long "
                                  "for a user list")
            if len(cells) < width:
                cells += [""] * (width - len(cells))
            row = {c: clean(cells[i]) for c, i in index}
            candidate = to_candidate(start, row)
            candidate.cells = row
            yield candidate
    except csv.Error as exc:
        raise NotReadable("bad_csv", f"line {line}: {exc}") from None
