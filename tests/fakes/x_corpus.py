"""Tweets for the fake X API: loaded from real captured responses, served page by page."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JSON = dict[str, Any]
INCLUDE_KEYS = {"users": "id", "tweets": "id", "places": "id", "media": "media_key"}


@dataclass
class Corpus:
    """Tweets newest first, plus every include object by kind and key."""

    tweets: list[JSON] = field(default_factory=list)
    includes: dict[str, dict[str, JSON]] = field(default_factory=dict)

    def add(self, message: JSON) -> None:
        data = message.get("data")
        for tweet in data if isinstance(data, list) else [data]:
            if isinstance(tweet, dict) and "id" in tweet:
                self.tweets.append(_current(tweet))
        for kind, key in INCLUDE_KEYS.items():
            for item in (message.get("includes") or {}).get(kind) or []:
                item = _current(item) if kind == "tweets" else item
                self.includes.setdefault(kind, {})[str(item[key])] = item
        self.tweets.sort(key=lambda t: int(t["id"]), reverse=True)

    def newer_than(self, since_id: str | None) -> list[JSON]:
        floor = int(since_id) if since_id else -1
        return [t for t in self.tweets if int(t["id"]) > floor]

    def includes_for(self, tweets: list[JSON]) -> JSON:
        """What the expansions author_id, referenced_tweets.id, geo.place_id and
        attachments.media_keys would include for these tweets."""
        refs = {str(r["id"]) for t in tweets for r in t.get("referenced_tweets") or []}
        ref_tweets = [
            self.includes.get("tweets", {})[i] for i in refs if i in self.includes.get("tweets", {})
        ]
        users = {str(t.get("author_id")) for t in [*tweets, *ref_tweets]}
        users |= {
            str(m.get("id"))
            for t in tweets
            for m in (t.get("entities") or {}).get("mentions") or []
        }
        wanted = {
            "users": users,
            "tweets": refs,
            "places": {str((t.get("geo") or {}).get("place_id")) for t in tweets},
            "media": {
                str(k) for t in tweets for k in (t.get("attachments") or {}).get("media_keys") or []
            },
        }
        out: JSON = {}
        for kind, keys in wanted.items():
            found = [v for k, v in self.includes.get(kind, {}).items() if k in keys]
            if found:
                out[kind] = found
        return out


def _current(tweet: JSON) -> JSON:
    """Captures older than 2022 lack ``edit_history_tweet_ids``, a default field today."""
    return {**tweet, "edit_history_tweet_ids": tweet.get("edit_history_tweet_ids") or [tweet["id"]]}


def strip_twarc(line: str) -> str:
    """A captured line as the API sends it today: ``__twarc`` removed, ``edit_history_tweet_ids``
    added; broken lines verbatim."""
    try:
        obj = json.loads(line)
    except ValueError:
        return line.rstrip("\r\n")
    if isinstance(obj, dict):
        obj.pop("__twarc", None)
        if isinstance(obj.get("data"), dict) and "id" in obj["data"]:
            obj["data"] = _current(obj["data"])
        includes = obj.get("includes") or {}
        if isinstance(includes.get("tweets"), list):
            includes["tweets"] = [_current(t) for t in includes["tweets"]]
    return json.dumps(obj, ensure_ascii=False)


def load_corpus(paths: Iterable[Path]) -> Corpus:
    corpus = Corpus()
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict):
                corpus.add(message)
    return corpus


def load_stream_lines(path: Path) -> list[str]:
    """Stream messages from a capture, one per line, broken ones kept as they are."""
    return [strip_twarc(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
