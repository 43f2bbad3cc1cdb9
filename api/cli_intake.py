"""``smc ingest``: take postings in from files and live channels."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from api.bootstrap import Container
from api.cli import DbOption, err, fail, opened, out, settings_from
from api.settings import Settings
from projections.directory import DirectoryProjection

ingest_app = typer.Typer(help="Take postings in from channels.", no_args_is_help=True)


@ingest_app.command("x")
def ingest_x(
    replay: Annotated[
        Path | None, typer.Option(help="file of X API v2 response lines to feed in")
    ] = None,
    live: Annotated[bool, typer.Option(help="run the filtered stream with backfill")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON summary")] = False,
    batch: Annotated[int, typer.Option(min=1, max=5000, help="items per transaction")] = 2000,
    prepare: Annotated[
        bool, typer.Option(help="parse and pre-triage in a second process while storing")
    ] = True,
    database_url: DbOption = None,
) -> None:
    """Feed X postings in: ``--replay FILE`` (same path as the live listener) or ``--live``."""
    if (replay is None) == (not live):
        raise fail("give exactly one of --replay FILE or --live")
    settings = settings_from(database_url, run_projections=False)
    with opened(settings) as container:
        accounts = frozenset(
            a["handle"]
            for a in container.views.get(DirectoryProjection).accounts()
            if a["channel"] == "x" and a["monitored"]
        )
        if replay is not None:
            from channels.x.replay import replay_file

            if not replay.is_file():
                raise fail(f"no such file: {replay}")
            result = replay_file(
                replay,
                container.intake,
                author_key_secret=settings.author_key,
                accounts=accounts,
                batch_size=batch,
                preparer=container.intake_preparer() if prepare else None,
            )
            summary = dict(result.__dict__)
            if as_json:
                out.print_json(json.dumps(summary))
            else:
                out.print(", ".join(f"{k} {v}" for k, v in summary.items()))
            return
        _live(container, settings, accounts)


def _live(container: Container, settings: Settings, accounts: frozenset[str]) -> None:
    from channels.x.live import LiveIntake  # tweepy is only needed for --live

    if not settings.x_bearer_token:
        raise fail("set SMC_X_BEARER_TOKEN to run the live X listener")
    intake = LiveIntake(
        container.intake,
        settings.x_bearer_token,
        settings.author_key,
        hashtags=sorted(container.intake.watched()),
        accounts=sorted(accounts),
        base_url=settings.x_api_base_url,
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    err.print(f"backfill: {intake.run_backfill().__dict__}")
    intake.run_stream(stop)
    err.print(f"stopped: {intake.totals.__dict__}")


@ingest_app.command("rss")
def ingest_rss(
    feed: Annotated[str, typer.Argument(help="feed URL (http/https) or a local RSS/Atom file")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON summary")] = False,
    database_url: DbOption = None,
) -> None:
    """Poll one RSS/Atom feed once (ETag/Last-Modified); every entry is taken in once."""
    from channels.rss import FeedError, poll

    if not feed.startswith(("http://", "https://")) and not Path(feed).is_file():
        raise fail(f"no such file: {feed} (give a feed URL or a file)")
    settings = settings_from(database_url, run_projections=False)
    with opened(settings) as container:
        try:
            result = poll(feed, container.intake, now=container.clock.now())
        except FeedError as exc:
            raise fail(str(exc)) from None
        summary = result.summary()
        if as_json:
            out.print_json(json.dumps(summary, ensure_ascii=False))
        else:
            out.print(", ".join(f"{k} {v}" for k, v in summary.items()))
