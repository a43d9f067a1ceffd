"""Numbers as people write them, and streamed text files."""

import pytest

from sbcommon.textlines import BinaryFile, iter_lines
from services.numbering.domain.imports import screen
from services.numbering.domain.parse import TYPE_NAMES, NumberError, parse_number, region_for


@pytest.mark.parametrize("text, e164, country", [
    ("+1 (514) 555-1212", "+15145551212", "CA"),
    ("+44 7979-123456", "+447979123456", "GB"),
    ("0033 1 23 45 67 89", "+33123456789", "FR"),
    ("  +1.514.555.1212  ", "+15145551212", "CA"),
])
def test_written_forms_become_e164(text, e164, country):
    parsed = parse_number(text)
    assert (parsed.e164, parsed.country) == (e164, country)


def test_metadata_comes_from_phonenumbers():
    parsed = parse_number("+1 514 555 1212")
    assert parsed.area_code == "514"
    assert region_for(parsed.e164) == "Quebec"
    assert parsed.number_type == "fixed_line_or_mobile"
    assert parse_number("+1 800 555 0199").number_type == "toll_free"


@pytest.mark.parametrize("text, code", [
    ("1-800-COMPAGN", "letters"),  # phonenumbers alone would turn the letters into digits
    ("+1 514 FLOWERS", "letters"),
    ("514 555 1212", "no_country_code"),
    ("+1 514", "too_short"),
    ("+1 514 555 1212 555 1212 99", "too_long"),
    ("+1 555 555 5555", "invalid_for_country"),
    ("+999 555 1234", "invalid"),
    ("+" + "1" * 70, "too_long"),
    ("", "empty"),
])
def test_refusals_say_why(text, code):
    with pytest.raises(NumberError) as caught:
        parse_number(text)
    assert caught.value.code == code


def test_lines_bom_crlf_blank_and_bad_utf8():
    chunks = [b"\xef\xbb\xbf+1 514 555 1212\r\n+44 79", b"79-123456\n\n\xff\xfe\nlast"]
    lines = list(iter_lines(chunks))
    assert [(n, t) for n, t, _ in lines] == [
        (1, "+1 514 555 1212"), (2, "+44 7979-123456"), (3, ""), (4, None), (5, "last")]
    assert lines[-1][2] == sum(len(c) for c in chunks)


def test_overlong_line_is_cut_not_buffered():
    lines = list(iter_lines([b"+1 514 555 1212\n", b"9" * 100_000, b"\n+44 7979 123456\n"],
                            max_line=100))
    assert [n for n, _, _ in lines] == [1, 2, 3]
    assert len(lines[1][1]) == 100
    assert lines[2][1] == "+44 7979 123456"


def test_binary_data_is_refused():
    with pytest.raises(BinaryFile):
        list(iter_lines([b"+1 514 555 1212\n\x00\x01\x02"]))


def test_screen_reports_every_line_it_does_not_take():
    batch = screen([(1, "+1 514 555 1212"), (2, "1-800-COMPAGN"), (3, "   "),
                    (4, "+1 (514) 555-1212"), (5, None), (6, "x" * 300), (7, "514 555 0000")])
    assert [n for n, _, _ in batch.numbers] == [1]
    reasons = {r.line: r.reason for r in batch.rejections}
    assert reasons == {2: "letters", 4: "duplicate_in_file", 5: "not_utf8",
                       6: "line_too_long", 7: "no_country_code"}
    assert batch.lines == 7  # the blank line 3 is read, skipped, and not reported


SAMPLES = [
    "+1 514 555 1212", "+1 242 555 0100", "+1 242 357 1234", "+1 876 927 1234",
    "+1 800 555 0199", "+1 900 555 0100", "+44 7979 123456", "+44 20 7946 0000",
    "+44 1481 723456", "+44 1624 612345", "+33 6 12 34 56 78", "+33 1 23 45 67 89",
    "+49 30 1234567", "+61 2 9999 9999", "+7 495 123 45 67", "+7 701 123 4567",
    "+262 262 12 34 56", "+262 269 61 12 34", "+53 7 2345678", "+850 2 381 2345",
    "+881 6 12345678", "+39 06 1234 5678", "+39 3123456789", "+353 1 234 5678",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_fast_path_agrees_with_phonenumbers_public_functions(text):
    """parse_number calls phonenumbers' type matcher once and caches look-ups; it must say
    exactly what is_valid_number, region_code_for_number and number_type say."""
    import phonenumbers

    number = phonenumbers.parse(text, None)
    if not phonenumbers.is_valid_number(number):
        with pytest.raises(NumberError):
            parse_number(text)
        return
    parsed = parse_number(text)
    region = phonenumbers.region_code_for_number(number) or ""
    assert parsed.country == ("" if region == "001" else region)  # global services: none
    assert parsed.number_type == TYPE_NAMES.get(phonenumbers.number_type(number), "unknown")
    national = phonenumbers.national_significant_number(number)
    assert parsed.area_code == national[:phonenumbers.length_of_national_destination_code(number)]
