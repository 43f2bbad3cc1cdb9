"""Photos sent with the public report form: checked by size and magic bytes, stored under
``<data dir>/uploads`` with a random name, and served back by the app."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse

from api.deps import get_container

router = APIRouter(include_in_schema=False)
MAX_PHOTO = 5 * 1024 * 1024
TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
NAME = re.compile(r"^[A-Za-z0-9_-]{24}\.(jpg|png|webp)$")


class PhotoError(ValueError):
    """The photo cannot be kept; the message key says why."""


def sniff(head: bytes) -> str | None:
    """The file type from its first bytes (never from the name or the browser's word)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def uploads_dir(request: Request) -> Path:
    return Path(get_container(request).settings.data_dir) / "uploads"


def store_photo(folder: Path, data: bytes) -> str:
    """Check and store; returns the media URL path (``/media/<random>.<ext>``)."""
    if len(data) > MAX_PHOTO:
        raise PhotoError("report_photo_too_big")
    ext = sniff(data[:16])
    if ext is None:
        raise PhotoError("report_photo_type")
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(18)}.{ext}"
    partial = folder / f".{name}.part"
    partial.write_bytes(data)
    os.replace(partial, folder / name)
    return f"/media/{name}"


def forget_photo(folder: Path, media_url: str) -> None:
    name = media_url.rsplit("/", 1)[-1]
    if NAME.match(name):
        (folder / name).unlink(missing_ok=True)


@router.get("/media/{name}")
def media(request: Request, name: str) -> FileResponse:
    path = uploads_dir(request) / name
    if not NAME.match(name) or not path.is_file():
        raise HTTPException(404, "no such photo")
    return FileResponse(
        path,
        media_type=TYPES[name.rsplit(".", 1)[1]],
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'",
            "Cache-Control": "public, max-age=86400",
        },
    )
