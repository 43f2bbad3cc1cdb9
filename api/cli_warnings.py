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
