"""Branding costs, in process (no database, no broker): re-encoding an upload, refusing a
decompression bomb, and rendering an edited mail template against the built-in one.

    .venv/bin/python bench/bench_branding.py [--runs 30]

Prints median and p95 in milliseconds, and the peak memory Python allocated (tracemalloc)
for the bomb; the baseline of an edited template is the built-in template of the same mail.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image  # noqa: E402

from sbcommon.errors import Invalid  # noqa: E402
from services.accounts.domain import images  # noqa: E402
from services.notifications.domain import templates  # noqa: E402
from services.notifications.domain.brand import Brand  # noqa: E402
from services.notifications.domain.messages import render  # noqa: E402
from tests.resellers.images import huge_png_header  # noqa: E402


def encoded(fmt: str, size: tuple[int, int], noise: float) -> bytes:
    """A gradient with noise on it: the noisier, the harder to compress."""
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (gradient, Image.effect_noise(size, noise), gradient))
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 80} if fmt == "JPEG" else {}))
    return out.getvalue()


def timed(label: str, fn, runs: int) -> None:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(f"{label:<58} median {statistics.median(samples):8.2f} ms   p95 {p95:8.2f} ms")


def refuse(data: bytes) -> None:
    try:
        images.logo(data)
    except Invalid:
        return
    raise AssertionError("accepted")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    png_logo = encoded("PNG", (1200, 400), 64)
    jpeg_photo = encoded("JPEG", (4000, 4000), 4)
    assert len(jpeg_photo) <= images.MAX_UPLOAD_BYTES, len(jpeg_photo)
    print(f"uploads: PNG 1200×400 {len(png_logo) // 1024} KiB, "
          f"JPEG 4000×4000 {len(jpeg_photo) // 1024} KiB")
    timed("logo: PNG 1200×400 → PNG 600×200", lambda: images.logo(png_logo), runs)
    timed("logo: JPEG 4000×4000 (16 MP, the largest accepted) → PNG", lambda: images.logo(
        jpeg_photo), max(3, runs // 5))
    timed("favicon: PNG 1200×400 → 64×64 PNG", lambda: images.favicon(png_logo), runs)
    bomb = huge_png_header(10_000, 5_000)
    timed(f"refuse a 50 MP PNG bomb ({len(bomb)} bytes) from its header",
          lambda: refuse(bomb), runs)
    tracemalloc.start()
    refuse(bomb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{'  peak Python memory while refusing it':<58} {peak / 1024:8.1f} KiB "
          f"(decoding it would take {10_000 * 5_000 * 3 // 2**20} MiB)")

    values = {"name": "Ann", "account": "Ann Inc.", "trial_ends": "2026-12-31"}
    edited = templates.builtin("welcome", "en")
    brand = Brand(name="Acme", support_email="help@acme.example")
    timed("welcome mail, built-in file templates (baseline)",
          lambda: render("welcome", "en", brand, values), runs * 10)
    timed("welcome mail, edited template in the sandbox",
          lambda: render("welcome", "en", brand, values, edited), runs * 10)
    timed("check an edited template on save (parse, names, sample render)",
          lambda: templates.check("welcome", edited), runs * 10)


if __name__ == "__main__":
    main()
