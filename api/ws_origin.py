"""Cross-origin WebSocket refusal (CSWSH): browsers send ``Origin`` with every WebSocket
handshake and do not apply CORS to it, so the server must check it itself.

Allowed: no ``Origin`` at all (a non-browser client: it could send any header anyway), the
server's own origin (the host the browser connected to, ``http`` or ``https``), the origin of
``SMC_PUBLIC_BASE_URL`` and every origin in ``SMC_WS_ALLOWED_ORIGINS``. Anything else (including
the opaque origin ``null`` of sandboxed frames and files) is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
REFUSED_CODE = 1008  # policy violation
REFUSED_REASON = "cross-origin WebSocket refused: this origin is not allowed"


def normalise(origin: str) -> str | None:
    """``scheme://host[:port]`` in lower case without a default port; None if not an origin."""
    try:
        parts = urlsplit(origin.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is not None and port != DEFAULT_PORTS[parts.scheme]:
        host = f"{host}:{port}"
    return f"{parts.scheme}://{host}"


def origin_allowed(origin: str | None, host: str, allowed: Iterable[str]) -> bool:
    """Whether a handshake with this ``Origin`` (None: no header) to ``host`` may proceed."""
    if origin is None:
        return True
    mine = normalise(origin)
    if mine is None:
        return False
    if host and mine in {normalise(f"{scheme}://{host}") for scheme in ("http", "https")}:
        return True
    return mine in {normalise(a) for a in allowed}
