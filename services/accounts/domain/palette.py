"""Colour contrast (WCAG 2.x): a brand's colours must keep text readable."""

from __future__ import annotations

WHITE = "#ffffff"
AA_TEXT = 4.5  # normal-size text, level AA


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: str) -> float:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """The contrast ratio of two #rrggbb colours, from 1 (same) to 21 (black on white)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def problems(primary: str, accent: str) -> list[dict[str, str]]:
    """Field errors for colours that fail AA: the primary colour is text (links, outlined
    buttons) on white and the background of white button text; the accent colour is the
    top bar's background under white text."""
    out = []
    for field, color, role in (("primary_color", primary, "links and buttons"),
                               ("accent_color", accent, "the top bar")):
        ratio = contrast(color, WHITE)
        if ratio < AA_TEXT:
            out.append({"field": field, "message":
                        f"{color} against white has a contrast of {ratio:.2f}:1; {role} need "
                        f"at least {AA_TEXT}:1 (WCAG AA): choose a darker colour"})
    return out
