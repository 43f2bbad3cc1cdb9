"""Turn tweepy's model objects back into the plain JSON shapes the API sent."""

from __future__ import annotations

from typing import Any

import requests

JSON = dict[str, Any]


def plain(value: Any) -> Any:
    """A tweepy model (Tweet, User, Media, Place, Poll) -> its raw dict; lists element-wise."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    raw = getattr(value, "data", None)
    if isinstance(raw, dict):
        return raw
    if hasattr(value, "_asdict"):  # StreamRule and other NamedTuples
        return dict(value._asdict())
    return value


def plain_includes(includes: Any) -> JSON:
    if not isinstance(includes, dict):
        return {}
    return {str(k): plain(v) for k, v in includes.items()}


def plain_response(response: Any) -> JSON:
    """Whatever ``tweepy.Client`` returned (dict, requests.Response or tweepy Response)
    -> the API's page dict ``{"data", "includes", "errors", "meta"}``."""
    if isinstance(response, dict):
        return response
    if isinstance(response, requests.Response):
        decoded = response.json()
        return decoded if isinstance(decoded, dict) else {}
    page: JSON = {"includes": plain_includes(getattr(response, "includes", {}))}
    data = getattr(response, "data", None)
    if data is not None:
        page["data"] = plain(data)
    page["errors"] = list(getattr(response, "errors", None) or [])
    page["meta"] = dict(getattr(response, "meta", None) or {})
    return page


def stream_message(response: Any) -> JSON:
    """A tweepy ``StreamResponse`` -> ``{"data", "includes", "errors", "matching_rules"}``."""
    message: JSON = {
        "includes": plain_includes(response.includes),
        "errors": list(response.errors or []),
        "matching_rules": [
            {"id": None if r.id is None else str(r.id), "tag": r.tag}
            for r in response.matching_rules or []
        ],
    }
    if response.data is not None:
        message["data"] = plain(response.data)
    return message
