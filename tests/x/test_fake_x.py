"""FakeX endpoints used later for replies and warning fan-out: posts per account."""

from __future__ import annotations

import pytest
import tweepy

from channels.x import make_client
from tests.fakes.fake_x import FakeX, account_of


def test_create_tweet_counts_posts_per_account() -> None:
    with FakeX() as fx:
        gu = make_client(
            None,
            base_url=fx.base_url,
            consumer_key="ck",
            consumer_secret="cs",
            access_token="gangnam-gu",
            access_token_secret="s",
        )
        city = make_client("city-user-token", base_url=fx.base_url)
        first = gu.create_tweet(text="침수 주의: 강남역 일대")
        reply = gu.create_tweet(text="확인했습니다", in_reply_to_tweet_id=first.data["id"])
        city.create_tweet(text="폭염 경보", user_auth=False)
        assert fx.posts_by_account() == {"oauth1:gangnam-gu": 2, "bearer:city-user-token": 1}
        assert fx.posts[1].reply_to == first.data["id"] and fx.posts[1].id == reply.data["id"]
        assert len({p.id for p in fx.posts}) == 3


def test_empty_tweet_is_a_bad_request() -> None:
    with FakeX() as fx:
        client = make_client("t", base_url=fx.base_url)
        with pytest.raises(tweepy.BadRequest):
            client.create_tweet(text="", user_auth=False)
        assert fx.posts == []


def test_rate_limit_applies_to_any_endpoint() -> None:
    with FakeX() as fx:
        client = make_client("t", base_url=fx.base_url)
        fx.rate_limit(1, reset_at=123, path_prefix="/2/tweets")
        with pytest.raises(tweepy.TooManyRequests) as caught:
            client.create_tweet(text="a", user_auth=False)
        assert caught.value.response.headers["x-rate-limit-reset"] == "123"
        assert client.create_tweet(text="a", user_auth=False).data["text"] == "a"


def test_account_of() -> None:
    assert account_of("Bearer abc") == "bearer:abc"
    assert (
        account_of('OAuth oauth_consumer_key="k", oauth_token="tok", oauth_version="1.0"')
        == "oauth1:tok"
    )
    assert account_of("") == "anonymous"
