"""Reading user exports, without a database: recognition of the three formats, encodings,
quoting, formula-looking cells, and the classification of each row."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from services.accounts.domain.user_imports import reader
from services.accounts.domain.user_imports.cells import clean, looks_like_formula, neutralise
from services.accounts.domain.user_imports.classify import Screen, phone_problem
from services.accounts.domain.user_imports.resources import resource_like

DATA = Path(__file__).parent.parent / "data" / "imports"


def chunked(data: bytes, size: int = 7):
    """The file in small chunks, as the service reads it: boundaries fall inside
    characters, BOMs and quoted cells."""
    return lambda: [data[i:i + size] for i in range(0, len(data), size)]


def read(data: bytes, forced: str | None = None, size: int = 7):
    header, rows = reader.read(chunked(data, size), forced)
    screen = Screen()
    return header, [(c, screen(c)) for c in rows]


def outcomes(rows) -> dict[int, tuple[str, str]]:
    return {c.line: (v.outcome, v.reason) for c, v in rows}


@pytest.mark.parametrize("name, fmt, encoding, separator", [
    ("google_workspace_users.csv", "google_workspace", "utf-8", ","),
    ("google_workspace_users_utf16.txt", "google_workspace", "utf-16", "\t"),
    ("microsoft365_active_users.csv", "microsoft365", "utf-8-sig", ","),
    ("broadworks_group_users.csv", "broadworks", "utf-8", ","),
])
def test_each_sample_is_recognised_from_its_header(name, fmt, encoding, separator):
    header, _ = reader.read(chunked((DATA / name).read_bytes()))
    assert (header.format.name, header.encoding, header.separator) == (fmt, encoding, separator)


def test_google_rows_classified_with_their_file_lines():
    _, rows = read((DATA / "google_workspace_users.csv").read_bytes())
    assert outcomes(rows) == {
        2: ("importable", ""), 3: ("importable", ""), 5: ("skipped", "suspended"),
        6: ("skipped", "resource"), 7: ("skipped", "no_email"), 8: ("invalid", "bad_email"),
        9: ("duplicate", "duplicate_email"), 10: ("importable", ""),
        11: ("importable", ""), 12: ("invalid", "bad_phone")}
    by_line = {c.line: c for c, _ in rows}
    assert by_line[3].department == "Sales, East"
    assert by_line[3].cells["Work Phone"] == "(514) 555-1202"


def test_utf16_file_reads_exactly_like_the_utf8_one():
    _, utf8 = read((DATA / "google_workspace_users.csv").read_bytes())
    for size in (1, 2, 3, 64, 10_000):  # chunks that split the UTF-16 code units
        _, utf16 = read((DATA / "google_workspace_users_utf16.txt").read_bytes(), size=size)
        assert [(c.line, c.email, c.name, c.phone, v.outcome) for c, v in utf16] == \
               [(c.line, c.email, c.name, c.phone, v.outcome) for c, v in utf8]


def test_microsoft365_skips_blocked_unlicensed_rooms_and_guests():
    _, rows = read((DATA / "microsoft365_active_users.csv").read_bytes())
    assert outcomes(rows) == {
        2: ("importable", ""), 3: ("importable", ""), 5: ("skipped", "blocked"),
        6: ("skipped", "no_license"), 7: ("skipped", "resource"), 8: ("skipped", "guest"),
        9: ("skipped", "no_email"), 10: ("invalid", "bad_email"),
        11: ("duplicate", "duplicate_email"), 12: ("importable", ""), 13: ("importable", "")}
    ann = next(c for c, _ in rows if c.line == 3)
    assert ann.display_name == "Lee, Ann"
    assert ann.cells["Office"] == "Bureau 4\n2e étage"  # a line break inside quotes


def test_broadworks_extensions_checked_and_duplicates_noted():
    _, rows = read((DATA / "broadworks_group_users.csv").read_bytes())
    assert outcomes(rows)[7] == ("invalid", "bad_extension")
    leclerc = next((c, v) for c, v in rows if c.line == 10)
    assert leclerc[1].notes == [("extension_duplicate", "extension 1221 is also on line 2")]
    assert leclerc[0].extension == ""  # the first line keeps it
    assert leclerc[0].department == "@SUM(A1:A9)"


def test_formula_cells_are_text_and_neutralised_when_written_again():
    _, rows = read((DATA / "google_workspace_users.csv").read_bytes())
    cote = next(c for c, _ in rows if c.line == 10)
    assert cote.first_name == '=HYPERLINK("http://evil.example/x","Cliquez")'
    assert looks_like_formula(cote.first_name)
    for value in ("=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(value) == "'" + value
    assert neutralise("Amélie") == "Amélie"
    assert clean("  =1+2 \n") == "=1+2"


def test_header_separator_and_case_variants_are_recognised():
    text = "user id;LAST NAME;first name;Phone Number;extension;Email Address\r\n" \
           "u@x;Roy;Léa;5145551212;101;lea.roy@example.com\r\n"
    for encoding in ("utf-8", "cp1252"):
        header, rows = read(text.encode(encoding))
        assert header.format.name == "broadworks" and header.separator == ";"
        assert [(c.name, c.extension) for c, _ in rows] == [("Léa Roy", "101")]
    assert read(text.encode("cp1252"))[0].encoding == "cp1252"
    # UTF-16 without a BOM (every other byte NUL) and big-endian with one
    assert read(text.encode("utf-16-le"))[0].format.name == "broadworks"
    assert read(codecs.BOM_UTF16_BE + text.encode("utf-16-be"))[0].format.name == "broadworks"


@pytest.mark.parametrize("data, code", [
    (b"", "empty"),
    (b"+1 514 555 1212\n+1 514 555 1213\n", "unknown_header"),
    (b"name,email\nA,a@example.com\n", "unknown_header"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
])
def test_files_that_are_not_user_exports(data, code):
    with pytest.raises(reader.NotReadable) as caught:
        reader.read(chunked(data))
    assert caught.value.code == code
    if code == "unknown_header":
        assert "Google Workspace (First Name [Required]" in str(caught.value)
        assert "BroadWorks (User Id, Last Name" in str(caught.value)


def test_a_forced_format_must_match_the_header():
    data = (DATA / "broadworks_group_users.csv").read_bytes()
    assert reader.read(chunked(data), "broadworks")[0].format.name == "broadworks"
    with pytest.raises(reader.NotReadable) as caught:
        reader.read(chunked(data), "google_workspace")
    assert caught.value.code == "wrong_header"
    with pytest.raises(reader.NotReadable):
        reader.read(chunked(data), "lotus_notes")


def test_an_unclosed_quote_or_a_huge_cell_is_reported_with_its_line():
    header = b"User Id,Last Name,First Name,Phone Number,Extension,Email Address\n"
    huge = header + b"u,Roy,Lea,,," + b"a" * 200_000 + b"\n"
    with pytest.raises(reader.NotReadable) as caught:
        list(reader.read(chunked(huge, 4096))[1])
    assert caught.value.code in ("bad_csv", "cell_too_long", "line_too_long")


def test_blank_lines_are_not_rows():
    data = b"User Id,Last Name,First Name,Phone Number,Extension,Email Address\r\n\r\n" \
           b"u,Roy,Lea,,,lea@example.com\r\n,,,,,\r\n"
    _, rows = read(data)
    assert [(c.line, c.email) for c, _ in rows] == [(3, "lea@example.com")]


@pytest.mark.parametrize("phone, ok", [
    ("+1 (514) 555-1212", True), ("514.555.1212", True), ("5145551212", True),
    ("555-CALL-NOW", False), ("12345", False), ("+1 514 555 1212 1212 1212", False),
])
def test_phone_cells(phone, ok):
    assert (phone_problem(phone) is None) == ok


@pytest.mark.parametrize("email, name, resource", [
    ("salle-101@resource.calendar.google.com", "Salle 101", True),
    ("room4@example.com", "Conference Room 4", True),
    ("boardroom@example.net", "Boardroom", True),
    ("broome@example.com", "Ann Broome", False),
    ("roomba.fan@example.com", "Rémi Roomba", False),
    ("conf.2@example.com", "Conf 2", True),
])
def test_rooms_and_resources(email, name, resource):
    assert resource_like(email, name) == resource
