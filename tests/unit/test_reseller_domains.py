"""Reseller domains without a broker: uploads, colour contrast, editable mail templates and
the SIP server a phone is given."""

from __future__ import annotations

import io

import pytest
from jinja2.exceptions import SecurityError
from PIL import Image

from sbcommon.errors import Invalid
from services.accounts.domain import images, palette
from services.notifications.domain import templates
from services.notifications.domain.brand import Brand
from services.notifications.domain.messages import render
from services.provisioning.domain.sip import SipServer
from tests.resellers import images as files


@pytest.mark.parametrize("make", [files.png, files.jpeg, files.webp, files.ico])
def test_accepted_formats_are_re_encoded_as_png(make):
    encoded = images.logo(make())
    assert encoded.mimetype == "image/png"
    assert Image.open(io.BytesIO(encoded.content)).format == "PNG"


def test_metadata_is_dropped_by_re_encoding():
    original = files.png(text_chunk=b"secret-exif-like-comment")
    assert b"secret-exif-like-comment" in original
    assert b"secret-exif-like-comment" not in images.logo(original).content


def test_a_large_logo_is_scaled_into_its_box_and_a_favicon_is_a_64_pixel_square():
    logo = images.logo(files.png(1800, 300))
    assert (logo.width, logo.height) == (600, 100)
    icon = images.favicon(files.png(300, 100))
    assert (icon.width, icon.height) == (64, 64)


@pytest.mark.parametrize("data, words", [
    (files.PNG_WITH_SCRIPT, "after the end of the image"),
    (files.SVG_WITH_SCRIPT, "SVG"),
    (files.huge_png_header(), "megapixels"),
    (files.huge_png_header(5000, 3000), "5000×3000"),
    (files.NOT_AN_IMAGE, "not an image"),
    (b"", "empty"),
    (files.png()[:60], "damaged"),
])
def test_hostile_or_broken_uploads_are_refused_with_a_reason(data, words):
    with pytest.raises(Invalid) as caught:
        images.logo(data)
    assert words in caught.value.message
    assert caught.value.details[0]["field"] == "logo"


def test_the_bomb_is_refused_before_its_pixels_are_decoded(monkeypatch):
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(1))
    with pytest.raises(Invalid):
        images.logo(files.huge_png_header())
    assert decoded == []


def test_contrast_ratios_match_wcag():
    assert palette.contrast("#000000", "#ffffff") == pytest.approx(21, abs=0.01)
    assert palette.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert palette.problems("#1f4fd1", "#0d1b3e") == []
    bad = palette.problems("#ffdd00", "#0d1b3e")
    assert [p["field"] for p in bad] == ["primary_color"] and "4.5:1" in bad[0]["message"]


def _source(**parts):
    base = templates.builtin("reset", "en")
    return templates.Source(**{"subject": base.subject, "html": base.html, "text": base.text,
                               **parts})


@pytest.mark.parametrize("kind", templates.KINDS)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_builtin_template_passes_its_own_checks(kind, language):
    templates.check(kind, templates.builtin(kind, language))


@pytest.mark.parametrize("html, words", [
    ("{{ ''.__class__ }}", "underscore"),
    ("{{ name.__class__.__mro__ }}", "underscore"),
    ("{{ name['__class__'] }}", "underscore"),
    ("{{ secret }} {{ link }}", "unknown variable"),
    ("{% if %}", "syntax error on line 1"),
    ("<p>{{ name }}</p>", "must use link"),
    ("x" * 20_001, "longer than"),
])
def test_unsafe_or_wrong_templates_are_refused_on_save(html, words):
    with pytest.raises(Invalid) as caught:
        templates.check("reset", _source(html=html))
    assert words in caught.value.message


def test_the_sandbox_gives_no_method_of_any_object():
    source = _source(html="{{ link }} {{ brand.items }}")
    with pytest.raises(Invalid) as caught:
        templates.check("reset", source)
    assert "unsafe" in caught.value.message
    with pytest.raises(SecurityError):
        templates.render("reset", source, templates.SAMPLE_BRAND, templates.SAMPLE)


def test_an_edited_template_renders_inside_the_brand_frame_with_values_escaped():
    brand = Brand(name="Acme", support_email="help@acme.example", primary_color="#0a5c36")
    source = _source(subject="Reset for {{ name }}",
                     html="<p>Hi {{ name }}</p><a href='{{ link }}'>go</a>")
    rendered = render("reset", "en", brand, {"name": "<b>Bob</b>", "link": "https://x/r?t=1",
                                             "expires": "soon", "identifier": "bob"}, source)
    assert rendered.subject == "Reset for <b>Bob</b>"
    assert "Hi &lt;b&gt;Bob&lt;/b&gt;" in rendered.html
    assert "help@acme.example" in rendered.html and "The Acme team" in rendered.text
    assert rendered.template_error is None


def test_a_template_failing_at_send_time_falls_back_to_the_built_in_one():
    source = templates.Source(subject="Welcome",
                              html="{% if trial_ends is none %}{{ 1 // 0 }}{% endif %}ok",
                              text="ok")
    templates.check("welcome", source)  # the sample data has a trial end: it passes
    rendered = render("welcome", "en", Brand(), {"name": "Ann", "account": "Ann",
                                                 "trial_ends": None}, source)
    assert rendered.template_error and "ZeroDivisionError" in rendered.template_error
    assert "Your account Ann is ready." in rendered.text


def test_the_proxy_splits_into_host_and_port():
    assert SipServer.parse("d", "proxy.example:5080") == SipServer("d", "proxy.example", 5080)
    assert SipServer.parse("d", "proxy.example") == SipServer("d", "proxy.example", 5060)
    assert SipServer.parse("d.example", "") == SipServer("d.example", "d.example", 5060)
