"""X postings and rejections, as the domain's intake takes them."""

from __future__ import annotations

from channels.x.model import NormalizedPosting, Rejection
from domain.intake_service import IncomingRejection
from domain.postings import IncomingPosting


def to_incoming(p: NormalizedPosting) -> IncomingPosting:
    return IncomingPosting(
        channel=p.channel,
        source_id=p.source_id,
        text=p.text,
        created_at=p.created_at,
        account=p.account,
        author_key=p.author_key,
        author_handle=p.author_handle,
        lang=p.lang,
        lon=p.lon,
        lat=p.lat,
        place_bbox=p.place_bbox,
        place_name=p.place_name,
        hashtags=p.hashtags,
        mentions=p.mentions,
        media_urls=p.media_urls,
        reply_to=p.reply_to,
        quote_of=p.quote_of,
        retweet_of=p.retweet_of,
        is_retweet=p.is_retweet,
        conversation_id=p.conversation_id,
    )


def to_rejection(r: Rejection, channel: str = "x") -> IncomingRejection:
    where = f"line {r.line_no}: " if r.line_no else ""
    return IncomingRejection(channel, f"{where}{r.reason}", r.raw_excerpt, r.source_id)
