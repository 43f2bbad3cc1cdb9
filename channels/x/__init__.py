"""X (Twitter) API v2 edge of intake: mapping, replay parsing, tweepy wrappers."""

from __future__ import annotations

from channels.x.client import Backoff, backfill, make_client
from channels.x.mapping import MappingError, iter_replay, map_tweet, parse_line, parse_message
from channels.x.model import NormalizedPosting, Rejection
from channels.x.stream import ReconnectPolicy, RulesDiff, StreamListener, desired_rules, sync_rules
from channels.x.transport import RedirectAdapter

__all__ = [
    "Backoff",
    "MappingError",
    "NormalizedPosting",
    "ReconnectPolicy",
    "RedirectAdapter",
    "Rejection",
    "RulesDiff",
    "StreamListener",
    "backfill",
    "desired_rules",
    "iter_replay",
    "make_client",
    "map_tweet",
    "parse_line",
    "parse_message",
    "sync_rules",
]
