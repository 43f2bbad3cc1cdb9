"""FastAPI app factory. Nothing is built at import time: the lifespan builds the container."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import errors, pages, pages_inbox, pages_intake, pages_lead, pages_lifeline, ws_lifeline
from api import pages_drills as drill_pages
from api import pages_follow as follow_pages
from api import pages_incident as incident_page
from api import pages_incidents as incident_pages
from api import pages_persons as person_pages
from api import pages_persons_desk as person_desk_pages
from api import pages_report as report_pages
from api import pages_triage as triage_pages
from api import pages_warnings as warning_pages
from api.bootstrap import Container, build
from api.routes import auth, cap, cases, directory, intake, lifeline, public, system, warnings
from api.routes import auto_answer as auto_answer_api
from api.routes import lead as lead_api
from api.routes import lifeline_shelters as shelters_api
from api.routes import lifeline_suggestions as suggestions_api
from api.routes import missing_persons as persons_api
from api.routes import open311 as open311_api
from api.routes import triage as triage_api
from api.routes import webform as webform_api
from api.routes import webhook as webhook_api
from api.settings import Settings, load_settings
from web import STATIC_DIR

ContainerFactory = Callable[[], Container]


def create_app(
    settings: Settings | None = None, *, container_factory: ContainerFactory | None = None
) -> FastAPI:
    def make() -> Container:
        if container_factory is not None:
            return container_factory()
        return build(settings or load_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = make()
        app.state.container = container
        if not container.started:
            container.start()
        try:
            yield
        finally:
            container.close()

    app = FastAPI(
        title="SMC — Social Media Center",
        version="0.1.0",
        description="Citizens' postings in, answers and staged warnings out. Korean and English.",
        lifespan=lifespan,
    )
    errors.install(app)
    _html_errors(app)
    app.include_router(system.router)
    app.include_router(auth.router)
    app.include_router(directory.router)
    app.include_router(intake.router)
    app.include_router(cases.router)
    app.include_router(auto_answer_api.router)
    app.include_router(lead_api.router)
    app.include_router(pages_lead.router)
    app.include_router(public.router)
    app.include_router(warnings.router)
    app.include_router(cap.router)
    app.include_router(pages.router)
    app.include_router(pages_intake.router)
    app.include_router(triage_api.router)
    app.include_router(triage_pages.router)
    app.include_router(pages_inbox.router)
    app.include_router(warning_pages.router)
    app.include_router(drill_pages.router)
    app.include_router(open311_api.router)
    app.include_router(webform_api.router)
    app.include_router(webhook_api.router)
    app.include_router(report_pages.router)
    app.include_router(follow_pages.router)
    app.include_router(lifeline.router)
    app.include_router(persons_api.router)
    app.include_router(suggestions_api.router)
    app.include_router(shelters_api.router)
    app.include_router(ws_lifeline.router)
    app.include_router(pages_lifeline.router)
    app.include_router(person_pages.router)
    app.include_router(person_desk_pages.router)
    app.include_router(incident_pages.router)
    app.include_router(incident_page.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def _html_errors(app: FastAPI) -> None:
    """Browsers get an HTML error page; API clients keep problem+json."""
    json_handler = app.exception_handlers[StarletteHTTPException]

    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        wants_html = "text/html" in request.headers.get("accept", "")
        if wants_html and not request.url.path.startswith("/api"):
            if exc.status_code == 401:
                from fastapi.responses import RedirectResponse

                return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
            from api.rendering import render

            page: HTMLResponse = render(
                request,
                "error.html",
                status_code=exc.status_code,
                status=exc.status_code,
                detail=str(exc.detail),
            )
            return page
        result = json_handler(request, exc)
        assert isinstance(result, JSONResponse)
        return result

    app.add_exception_handler(StarletteHTTPException, handler)
