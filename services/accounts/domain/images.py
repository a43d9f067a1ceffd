"""Logo and favicon uploads: decoded and re-encoded, never stored as sent.

What a reseller uploads is shown to every one of its subscribers, so the bytes kept are the
platform's own encoding of the decoded pixels: metadata (EXIF, comments, ICC profiles), a
script appended after the image data and any other polyglot payload are dropped. Vector
formats (SVG) can carry script and are refused. Dimensions are read from the header and
checked before the pixels are decoded, so a small file claiming a huge canvas (a
decompression bomb) is refused without allocating it.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from sbcommon.errors import Invalid

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4096  # pixels, either side, as the header declares it
MAX_PIXELS = 16_000_000
ACCEPTED = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp",
            "ICO": "image/x-icon"}
# Pillow refuses anything above this itself (DecompressionBombError) even if a check were
# forgotten; ours comes first with a clearer message.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
LOGO_BOX = (600, 200)  # the largest a logo is shown; a bigger one is scaled down
FAVICON_SIDE = 64


@dataclass(frozen=True)
class Encoded:
    content: bytes
    mimetype: str
    width: int
    height: int


def _refuse(field: str, message: str) -> Invalid:
    return Invalid(message, [{"field": field, "message": message}])


def _looks_like_markup(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype", b"<html", b"<"))


def _open(data: bytes, field: str) -> Image.Image:
    if not data:
        raise _refuse(field, "the file is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refuse(field, f"the file is larger than {MAX_UPLOAD_BYTES // 1024} KiB")
    if _looks_like_markup(data):
        raise _refuse(field, "SVG and other markup are not accepted: upload a PNG, JPEG, "
                             "WebP or ICO image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(field, f"the image has more than {MAX_PIXELS // 1_000_000} megapixels; "
                             f"the most accepted is {MAX_SIDE}×{MAX_SIDE}") from None
    except UnidentifiedImageError:
        raise _refuse(field, "not an image this portal accepts: upload a PNG, JPEG, WebP "
                             "or ICO image") from None
    except (OSError, ValueError, SyntaxError):
        raise _refuse(field, "the image could not be read") from None
    if image.format not in ACCEPTED:
        raise _refuse(field, f"{image.format} images are not accepted: upload a PNG, JPEG, "
                             "WebP or ICO image")
    if _truncated(data, image.format):
        raise _refuse(field, "the image is damaged or truncated")
    if _trailing_data(data, image.format):
        raise _refuse(field, "the file holds data after the end of the image (a hidden "
                             "payload?): upload the image alone")
    width, height = image.size
    if width < 1 or height < 1 or width > MAX_SIDE or height > MAX_SIDE \
            or width * height > MAX_PIXELS:
        raise _refuse(field, f"the image is {width}×{height} pixels; the most accepted is "
                             f"{MAX_SIDE}×{MAX_SIDE} and {MAX_PIXELS // 1_000_000} megapixels")
    return image


def _truncated(data: bytes, fmt: str) -> bool:
    """No end marker: decoding might still "succeed" (Pillow can be told to accept
    truncated files, process-wide), so the check does not depend on it."""
    if fmt == "PNG":
        return data.rfind(b"IEND") < 0
    if fmt == "JPEG":
        return data.rfind(b"\xff\xd9") < 0
    return False


def _trailing_data(data: bytes, fmt: str) -> bool:
    """Bytes after the image's own end: a script or archive glued to a valid image (a
    polyglot) is refused outright rather than silently cut off."""
    if fmt == "PNG":
        return data.rfind(b"IEND") + 8 != len(data)  # the chunk type, then its 4-byte CRC
    if fmt == "JPEG":
        return not data.rstrip(b"\x00\r\n").endswith(b"\xff\xd9")
    if fmt == "WEBP":
        return int.from_bytes(data[4:8], "little") + 8 < len(data)
    return False  # ICO: only the decoded pixels are kept


def _decoded(image: Image.Image, field: str, box: tuple[int, int]) -> Image.Image:
    """The pixels alone, in RGBA (decoding a truncated or corrupt file fails here). A JPEG
    is decoded straight at the smallest scale still larger than ``box`` (its DCT allows
    1/2, 1/4, 1/8): a 16-megapixel photo for a 600×200 logo then costs a fraction."""
    try:
        if image.format == "JPEG":
            image.draft("RGB", box)
        image.load()
        return image.convert("RGBA")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise _refuse(field, "the image is damaged or truncated") from None


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # No text chunks, no metadata. (optimize=True tried every filter: 4× slower, ~10 % smaller.)
    image.save(out, format="PNG")
    return out.getvalue()


def logo(data: bytes) -> Encoded:
    image = _decoded(_open(data, "logo"), "logo", LOGO_BOX)
    image.thumbnail(LOGO_BOX, Image.Resampling.LANCZOS)
    return Encoded(_png(image), "image/png", image.width, image.height)


def favicon(data: bytes) -> Encoded:
    """Stored as a 64-pixel square PNG (every current browser takes PNG favicons)."""
    image = _decoded(_open(data, "favicon"), "favicon", (FAVICON_SIDE, FAVICON_SIDE))
    image.thumbnail((FAVICON_SIDE, FAVICON_SIDE), Image.Resampling.LANCZOS)
    square = Image.new("RGBA", (FAVICON_SIDE, FAVICON_SIDE), (0, 0, 0, 0))
    square.paste(image, ((FAVICON_SIDE - image.width) // 2, (FAVICON_SIDE - image.height) // 2))
    return Encoded(_png(square), "image/png", FAVICON_SIDE, FAVICON_SIDE)
