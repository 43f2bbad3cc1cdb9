"""Point tweepy's hard-coded ``https://api.twitter.com`` at a local base URL (tests, dev)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from requests.adapters import HTTPAdapter

X_API_HOST = "https://api.twitter.com"
"""tweepy 4.17 hard-codes this host in ``Client.request`` and ``StreamingClient._connect``."""


class RedirectAdapter(HTTPAdapter):
    """Mounted on X_API_HOST: rewrites each request to ``base_url`` before sending it."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        self.base_url = base_url.rstrip("/")
        super().__init__(**kwargs)

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,  # noqa: ARG002 - replaced on purpose
    ) -> requests.Response:
        url = request.url or ""
        if url.startswith(X_API_HOST):
            request.url = self.base_url + url[len(X_API_HOST) :]
        # never route redirected traffic through an environment proxy
        return super().send(request, stream, timeout, verify, cert, proxies={})


def redirect_session(session: requests.Session, base_url: str | None) -> None:
    """Mount the redirect on ``session`` when ``base_url`` is given; otherwise leave it alone."""
    if base_url:
        session.mount(X_API_HOST, RedirectAdapter(base_url))
