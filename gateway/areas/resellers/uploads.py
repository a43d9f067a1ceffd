"""Reading an uploaded logo or favicon: a raw image body or a multipart ``file`` field,
bounded before it is read (the service decodes and checks the image itself)."""

from __future__ import annotations

import base64

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

from sbcommon.errors import BadRequest

from ...framework.http import PayloadTooLarge, UnsupportedMediaType

MAX_IMAGE_BYTES = 2 * 1024 * 1024
RAW_TYPES = ("image/png", "image/jpeg", "image/webp", "image/x-icon",
             "image/vnd.microsoft.icon", "application/octet-stream")
UPLOAD_BODY = {
    "required": True,
    "content": {
        **{t: {"schema": {"type": "string", "format": "binary"}} for t in RAW_TYPES[:4]},
        "multipart/form-data": {"schema": {
            "type": "object", "properties": {"file": {"type": "string", "format": "binary"}},
            "required": ["file"]}},
    },
}


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(f"the image is larger than {MAX_IMAGE_BYTES // 1024} KiB")


def image_bytes(request: Request, field: str = "file") -> bytes:
    """The uploaded file's bytes (at most MAX_IMAGE_BYTES)."""
    if request.content_length is not None and request.content_length > MAX_IMAGE_BYTES + 4096:
        raise _too_large()
    if request.mimetype == "multipart/form-data":
        request.max_content_length = MAX_IMAGE_BYTES + 4096
        try:
            upload = request.files.get(field)
        except RequestEntityTooLarge:
            raise _too_large() from None
        if upload is None or not upload.filename:
            raise BadRequest(f"choose a file to upload (multipart field {field!r})")
        data = upload.stream.read(MAX_IMAGE_BYTES + 1)
    elif request.mimetype in RAW_TYPES or request.mimetype.startswith("image/"):
        data = request.stream.read(MAX_IMAGE_BYTES + 1)
    else:
        raise UnsupportedMediaType("send the image as its own body (image/png, image/jpeg, "
                                   "image/webp, image/x-icon) or multipart/form-data")
    if len(data) > MAX_IMAGE_BYTES:
        raise _too_large()
    if not data:
        raise BadRequest("the upload is empty")
    return data


def as_payload(data: bytes) -> dict[str, str]:
    return {"content": base64.b64encode(data).decode("ascii")}
