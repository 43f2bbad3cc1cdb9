"""``smc cap import FILE|URL``: record other agencies' CAP 1.2 alerts as external warnings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import httpx
import typer

from channels.cap import CapImportError
from channels.cap.validate import DEFAULT_MAX_BYTES

cap_app = typer.Typer(help="CAP 1.2 in: import other agencies' alerts.", no_args_is_help=True)


def _read(source: str) -> bytes:
    if source.startswith(("http://", "https://")):
        with httpx.stream("GET", source, timeout=10, follow_redirects=True) as r:
            r.raise_for_status()
            data = b""
            for chunk in r.iter_bytes():
                data += chunk
                if len(data) > DEFAULT_MAX_BYTES:
                    break
            return data
    return Path(source).read_bytes()


@cap_app.command("import")
def import_command(
    sources: Annotated[list[str], typer.Argument(help="CAP files or URLs")],
    database_url: Annotated[str | None, typer.Option("--database-url")] = None,
) -> None:
    """Validate (size, XML, XSD, CAP rules) and record every alert; refused files exit 1."""
    from api.cli import fail, opened, out, settings_from
    from api.routes.cap import import_cap

    refused = 0
    with opened(settings_from(database_url, run_projections=False, dispatch=False)) as c:
        for source in sources:
            try:
                outcome, warnings = import_cap(c, "system:cli", _read(source))
            except (CapImportError, OSError, httpx.HTTPError) as exc:
                refused += 1
                typer.echo(f"{source}: refused: {exc}", err=True)
                continue
            out.print(
                f"{source}: {len(outcome.imported)} imported,"
                f" {len(outcome.duplicates)} already known"
            )
            for w in warnings:
                out.print(f"  note: {w}")
    if refused:
        raise fail(f"{refused} of {len(sources)} documents refused", code=1)


drill_app = typer.Typer(help="Drills: rehearse the desk with exercise data.", no_args_is_help=True)


@drill_app.command("run")
def drill_run(
    script: Annotated[
        Path, typer.Argument(help="JSON: [{after_seconds, text, hashtags, lat, lon}]")
    ],
    speed: Annotated[float, typer.Option(help="replay faster (2 = twice as fast)")] = 1.0,
    hashtag: Annotated[str | None, typer.Option(help="the drill's hashtag to watch")] = None,
    run_id: Annotated[
        str | None, typer.Option(help="replaying the same run id is idempotent")
    ] = None,
    database_url: Annotated[str | None, typer.Option("--database-url")] = None,
) -> None:
    """Replay timed citizen postings through intake as an exercise (never in real views)."""
    import time

    from api.cli import fail, opened, out, settings_from
    from api.drill import DrillRunner, load_script
    from domain.errors import DomainError

    try:
        parsed = load_script(script, hashtag)
    except (OSError, DomainError) as exc:
        raise fail(f"{script}: {getattr(exc, 'detail', exc)}") from None
    rid = run_id or time.strftime("%Y%m%d%H%M%S")
    with opened(settings_from(database_url, dispatch=False)) as c:
        out.print(f"drill {parsed.hashtag}: {len(parsed.postings)} postings, speed x{speed:g}")
        runner = DrillRunner(c.intake, c.clock)
        report = runner.run(
            parsed,
            run_id=rid,
            speed=speed,
            on_posting=lambda _i, p: out.print(f"  +{p.after_seconds:>6.1f}s  {p.text[:60]}"),
        )
        c.views.wait(report.position, timeout=5.0)
    out.print(f"drill {rid}: {report.taken_in} new exercise postings, watching {report.hashtag}")
