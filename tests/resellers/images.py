"""Image files for upload tests: real encodings made with Pillow, and hostile ones."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def png(width: int = 120, height: int = 40, color: tuple[int, int, int] = (200, 30, 30),
        text_chunk: bytes | None = None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), color)
    if text_chunk is not None:
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("Comment", text_chunk.decode())
        image.save(out, format="PNG", pnginfo=info)
    else:
        image.save(out, format="PNG")
    return out.getvalue()


def jpeg(width: int = 80, height: int = 80) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


def webp(width: int = 64, height: int = 64) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 40, 160)).save(out, format="WEBP")
    return out.getvalue()


def ico() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (32, 32), (250, 200, 0, 255)).save(out, format="ICO")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def huge_png_header(width: int = 10_000, height: int = 5_000) -> bytes:
    """A small, valid-looking PNG whose header claims width × height pixels (50 MP by
    default): a decompression bomb must be refused from its header, never decoded."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + b"\x00" * 3 * 16
    idat = zlib.compress(row * 16)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + \
        _chunk(b"IEND", b"")


PNG_WITH_SCRIPT = png() + b"<script>alert(document.cookie)</script>"
SVG_WITH_SCRIPT = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
                   b'width="10" height="10"><script>alert(1)</script></svg>')
NOT_AN_IMAGE = b"MZ\x90\x00 this is a program, not a picture" * 10


def brand_logo() -> bytes:
    """A logo that looks like one (for the screenshots): a mark and a name on white."""
    from PIL import ImageDraw, ImageFont

    image = Image.new("RGB", (360, 90), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 10, 78, 80), fill=(10, 92, 54))
    draw.polygon([(20, 62), (43, 24), (66, 62)], fill=(255, 255, 255))
    draw.polygon([(34, 62), (52, 36), (70, 62)], fill=(59, 10, 69))
    bold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
    try:
        font = ImageFont.truetype(bold, 40)
        name = "BORÉAL"
    except OSError:  # Pillow's own font has no accented letters
        font, name = ImageFont.load_default(size=40), "BOREAL"
    draw.text((92, 20), name, fill=(59, 10, 69), font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
