"""The ``smc`` command: serve, demo data, users, projections, workers."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from api.bootstrap import Container, build
from api.settings import Settings, SettingsError, load_settings
from domain.context import Cause
from domain.directory import Role
from domain.errors import DomainError

app = typer.Typer(help="SMC — Social Media Center for city governments.", no_args_is_help=True)
user_app = typer.Typer(help="Manage people who sign in.", no_args_is_help=True)
proj_app = typer.Typer(help="Inspect and rebuild read models.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(proj_app, name="projections")
err = Console(stderr=True)
out = Console()

DbOption = Annotated[
    str | None,
    typer.Option("--database-url", help="sqlite:///path or postgresql://user:pw@host/db"),
]


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"smc: error: {' '.join(message.split())}", err=True)
    return typer.Exit(code)


def settings_from(database_url: str | None = None, **extra: object) -> Settings:
    overrides: dict[str, object] = dict(extra)
    if database_url:
        overrides["database_url"] = database_url
    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        raise fail(str(exc)) from None


@contextmanager
def opened(settings: Settings) -> Iterator[Container]:
    try:
        container = build(settings)
    except SettingsError as exc:
        raise fail(str(exc)) from None
    try:
        yield container
    except DomainError as exc:
        raise fail(exc.detail) from None
    finally:
        container.close()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to bind")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
    database_url: DbOption = None,
) -> None:
    """Start the web server (embedded SQLite by default)."""
    import uvicorn

    from api.app import create_app

    settings = settings_from(database_url)
    try:
        container = build(settings)
    except SettingsError as exc:
        raise fail(str(exc)) from None
    application = create_app(settings, container_factory=lambda: container)
    bind_host, bind_port = host or settings.host, port or settings.port
    err.print(f"SMC serving on http://{bind_host}:{bind_port} ({settings.database().kind})")
    uvicorn.run(
        application,
        host=bind_host,
        port=bind_port,
        log_level="warning",
        # The same LIFELINE delta goes to every WebSocket client: compressing it again for
        # each one (per-message deflate) cost more than sending it (docs/lifeline.md).
        ws_per_message_deflate=False,
    )


@app.command()
def demo(
    force: Annotated[bool, typer.Option(help="add demo data to a store that has events")] = False,
    if_empty: Annotated[bool, typer.Option(help="do nothing (and succeed) if not empty")] = False,
    database_url: DbOption = None,
) -> None:
    """Load demo departments, districts, accounts and users into an empty store."""
    from api.demo import DEMO_PASSWORD, load_demo

    with opened(settings_from(database_url)) as container:
        if if_empty and container.store.head() > 0:
            out.print("store already has data; demo not loaded")
            return
        report = load_demo(container, force=force)
        out.print(f"demo data: {report.created} added, {report.skipped} already there")
        if container.settings.env == "development":
            out.print(f"demo users (admin, kim.official, …) sign in with password {DEMO_PASSWORD}")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="user name to sign in with")],
    role: Annotated[Role, typer.Option(help="what the user may do")],
    display_name: Annotated[str, typer.Option(help="name shown on pages")] = "",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="(prompted)")
    ] = "",
    database_url: DbOption = None,
) -> None:
    """Add a user (prompts for the password)."""
    with opened(settings_from(database_url)) as container:
        result = container.directory.add_user(
            Cause("system:cli"),
            username=name,
            display_name=display_name,
            role=role,
            password_hash=container.passwords.hash(password),
        )
        out.print(f"added user {name} ({role.value}) at position {result.position}")


@proj_app.command("status")
def projections_status(
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    database_url: DbOption = None,
) -> None:
    """Head position, and each projection's position and lag."""
    import json

    with opened(settings_from(database_url, run_projections=False)) as container:
        head = container.store.head()
        rows = container.views.status(head)
        if as_json:
            out.print_json(json.dumps({"head": head, "projections": [r.__dict__ for r in rows]}))
            return
        table = Table("projection", "position", "lag", title=f"head {head}")
        for r in rows:
            table.add_row(r.name, str(r.position), str(r.lag))
        out.print(table)


@proj_app.command("rebuild")
def projections_rebuild(
    name: Annotated[str | None, typer.Argument(help="one projection (default: all)")] = None,
    database_url: DbOption = None,
) -> None:
    """Drop a read model and rebuild it from the event store, with a progress bar."""
    from projections.catchup import catch_up

    with opened(settings_from(database_url, run_projections=False)) as container:
        names = container.views.names()
        if name is not None and name not in names:
            raise fail(f"no projection named {name!r} (known: {', '.join(names)})")
        head = container.store.head()
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=err) as progress:
            for n in [name] if name else names:
                projection = container.views[n]
                task = progress.add_task(n, total=max(head, 1))
                projection.reset()

                def advance(position: int, _head: int, task: TaskID = task) -> None:
                    progress.update(task, completed=position)

                catch_up(container.store, projection, until=head, progress=advance)
                progress.update(task, completed=max(head, 1))
        out.print(f"rebuilt {name or 'all projections'} up to position {head}")


@app.command()
def worker(database_url: DbOption = None) -> None:
    """Run the projection workers (PostgreSQL deployments) until interrupted."""
    settings = settings_from(database_url)
    if settings.database().kind != "postgres":
        raise fail("smc worker is for PostgreSQL; with SQLite the server runs projections itself")
    try:
        container = build(settings, in_process_worker=True)
    except SettingsError as exc:
        raise fail(str(exc)) from None
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    container.start()
    err.print(f"smc worker: {len(container.views.names())} projections running")
    try:
        stop.wait()
    finally:
        container.close()


def main() -> None:
    from api.cli_intake import ingest_app

    app.add_typer(ingest_app, name="ingest")
    from api.cli_warnings import cap_app, drill_app

    app.add_typer(cap_app, name="cap")
    app.add_typer(drill_app, name="drill")
    from api.cli_triage import triage_app

    app.add_typer(triage_app, name="triage")
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
