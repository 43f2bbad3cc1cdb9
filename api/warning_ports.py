"""The outer-layer ends of the warning service's ports: playbooks and fan-out targets."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from api.dispatcher import Dispatcher, FeedPublisher, Publisher, PublisherFactory, expiry_sweep
from api.outbound_wiring import channel_parts, connector_publisher, limits
from api.outbox_limits import OutboxLimiter
from api.settings import Settings
from channels.fanout import WebhookPublisher, XPublisher
from channels.outbound import ChannelKind, load_channel_kinds
from channels.reference_data import load_district_locator
from channels.x import make_client
from domain.clock import Clock
from domain.deliveries import Delivery, DeliveryService
from domain.store import Commands
from domain.warning_areas import WarningAreas
from domain.warning_content import StageContent
from domain.warning_service import WarningService
from playbooks import PlaybookLibrary, ResponseType, render_stage
from projections.deliveries import DeliveriesProjection
from projections.directory import DirectoryProjection
from projections.viewset import ViewSet
from projections.warnings import WarningsProjection


class PlaybookAdapter:
    """Renders playbook stages for the domain (which never imports ``playbooks``)."""

    def __init__(self, library: PlaybookLibrary) -> None:
        self.library = library

    def stage_ids(self, playbook_id: str) -> tuple[str, ...]:
        return self.library.get(playbook_id).stage_ids()

    def all_clear_stage(self, playbook_id: str) -> str:
        stages = self.library.get(playbook_id).stages
        clear = [s.id for s in stages if ResponseType.AllClear in s.response_type]
        return clear[-1] if clear else stages[-1].id

    def content(
        self, playbook_id: str, stage_id: str, area: dict[str, Any], when: datetime
    ) -> StageContent:
        book = self.library.get(playbook_id)
        stage = book.stage(stage_id)
        desc = area.get("desc") or {}
        texts = {}
        for lang in ("ko", "en"):
            r = render_stage(book, stage_id, lang=lang, area=desc.get(lang), time=when)
            texts[lang] = {
                "headline": r.headline,
                "description": r.description,
                "instruction": r.instruction,
            }
        return StageContent(
            playbook_id=book.id,
            playbook_version=self.library.version(book.id),
            stage_id=stage.id,
            category=book.category.value,
            event={"ko": book.event.ko, "en": book.event.en},
            urgency=stage.urgency.value,
            severity=stage.severity.value,
            certainty=stage.certainty.value,
            response_types=tuple(r.value for r in stage.response_type),
            texts=texts,
            expiry_hours=stage.expiry_hours or book.default_expiry_hours,
        )


@dataclass(frozen=True)
class AccountCredentials:
    """How to post as one account: for X a user-context bearer token or OAuth 1.0a keys; for
    other kinds the connector ``url`` and its HMAC ``secret``. ``rate_limit`` overrides the
    kind's default (``{"posts": 300, "window_seconds": 10800}``)."""

    bearer_token: str | None = None
    consumer_key: str | None = None
    consumer_secret: str | None = None
    access_token: str | None = None
    access_token_secret: str | None = None
    drills: bool = False
    url: str | None = None
    secret: str | None = None
    rate_limit: dict[str, float] | None = None


@dataclass
class Credentials:
    """``{"x:<handle>": {"access_token": ..., "drills": true}, ...}`` from one JSON file."""

    accounts: dict[str, AccountCredentials] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None) -> Credentials:
        if path is None or not path.exists():
            return cls()
        data = json.loads(path.read_text("utf-8"))
        return cls({key: AccountCredentials(**value) for key, value in data.items()})

    def get(self, target: str) -> AccountCredentials | None:
        return self.accounts.get(target)


class Targets:
    """Every account with ``warnings`` on in the directory (``<channel>:<handle>``, any
    channel: an account whose kind has no adapter or no connector shows as failed on the
    desk instead of being left out silently), the feed, and the webhooks.

    Drills (status other than Actual) go only to accounts whose credentials allow drills,
    and to the (separate) exercise feed.
    """

    def __init__(
        self,
        directory: DirectoryProjection,
        credentials: Credentials,
        webhooks: Sequence[str],
        caught_up: Callable[[], object] = lambda: None,
    ) -> None:
        self.directory = directory
        self.credentials = credentials
        self.webhooks = list(webhooks)
        self.caught_up = caught_up

    def __call__(self, status: str) -> list[str]:
        # The account list comes from a view: let it reach the store's head first, so an
        # account registered just before a warning is issued is not left out.
        self.caught_up()
        drill = status != "Actual"
        out = ["feed"]
        for acc in self.directory.accounts():
            if not acc["warnings"]:
                continue
            target = f"{acc['channel']}:{acc['handle']}"
            creds = self.credentials.get(target)
            if drill and not (creds and creds.drills):
                continue
            out.append(target)
        out += [f"webhook:{name}" for name in self.webhooks]
        return out


@dataclass(frozen=True)
class _Webhook:
    publisher: WebhookPublisher
    delivery_id: str
    payload: dict[str, Any]

    def post(self, text: str, reply_to: str | None) -> str:
        del text, reply_to
        return self.publisher.post(self.delivery_id, self.payload)


def publisher_factory(
    credentials: Credentials,
    webhooks: dict[str, str],
    webhook_secret: str,
    x_api_base_url: str | None,
    kinds: dict[str, ChannelKind] | None = None,
) -> PublisherFactory:
    """Which publisher serves a delivery's target (None: nothing is configured for it)."""
    clients: dict[str, XPublisher] = {}
    kinds = load_channel_kinds() if kinds is None else kinds
    connectors = connector_publisher(credentials, kinds, webhook_secret)

    def x(target: str) -> XPublisher | None:
        creds = credentials.get(target)
        if creds is None:
            return None
        if target not in clients:
            client = make_client(
                creds.bearer_token,
                base_url=x_api_base_url,
                consumer_key=creds.consumer_key,
                consumer_secret=creds.consumer_secret,
                access_token=creds.access_token,
                access_token_secret=creds.access_token_secret,
            )
            clients[target] = XPublisher(client, user_auth=creds.access_token is not None)
        return clients[target]

    def make(d: Delivery) -> Publisher | None:
        if d.target == "feed":
            return FeedPublisher(str(d.payload["link"]))
        if d.target.startswith("x:"):
            return x(d.target)
        if not d.target.startswith("webhook:"):
            return connectors(d)
        url = webhooks.get(d.target.removeprefix("webhook:"))
        if url is None:
            return None
        return _Webhook(WebhookPublisher(url, webhook_secret), str(d.id), d.payload)

    return make


DISPATCH_WORKERS = 8
"""Targets posted to at the same time (each target's own deliveries stay in order)."""


@cache
def playbook_library() -> PlaybookLibrary:
    return PlaybookLibrary.load()


def warning_services(
    settings: Settings, commands: Commands, views: ViewSet
) -> tuple[WarningService, DeliveryService]:
    """The warning and delivery services with their ports filled in."""
    targets = Targets(
        views.get(DirectoryProjection),
        Credentials.load(settings.warning_accounts_file),
        sorted(settings.warning_webhooks),
        lambda: views.wait(commands.store.head(), ["directory"]),
    )
    service = WarningService(
        commands,
        PlaybookAdapter(playbook_library()),
        WarningAreas(load_district_locator()),
        targets,
        sender=settings.cap_sender,
        base_url=settings.public_base_url,
    )
    return service, DeliveryService(commands)


def make_dispatcher(
    settings: Settings,
    clock: Clock,
    services: tuple[WarningService, DeliveryService],
    views: ViewSet,
) -> Dispatcher:
    credentials = Credentials.load(settings.warning_accounts_file)
    kinds = load_channel_kinds(settings.outbound_channels_file)
    publishers = publisher_factory(
        credentials,
        settings.warning_webhooks,
        settings.warning_webhook_secret,
        settings.x_api_base_url,
        kinds,
    )
    dispatcher = Dispatcher(
        services[1],
        views.get(DeliveriesProjection),
        publishers,
        clock,
        lease_seconds=settings.delivery_lease_seconds,
        interval=settings.dispatch_interval,
        workers=DISPATCH_WORKERS,
    )
    dispatcher.parts = channel_parts(kinds)
    dispatcher.limiter = OutboxLimiter(limits(credentials, kinds))
    dispatcher.sweeps.append(expiry_sweep(services[0], views.get(WarningsProjection), clock))
    dispatcher.view_wait = lambda position: views.wait(position, ["deliveries"])
    services[1].store.add_saved_listener(dispatcher.wake)
    return dispatcher
