"""The composition root: settings in, a running container of store, services and views out."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from api.auto_answer_wiring import auto_answerer, knowledge_base
from api.dispatcher import Dispatcher
from api.follow_mail import attach_mail
from api.handoff_wiring import attach_handoffs
from api.rss_poller import FeedPoller
from api.security import Passwords, Tokens
from api.settings import Settings, SettingsError
from api.sqlite_recorder import TOPIC as GROUP_INSERT
from api.sqlite_store import CACHE_MB, WAL_AUTOCHECKPOINT
from api.sqlite_store import TOPIC as TUNED_SQLITE
from api.triage_wiring import triage_service
from api.warning_ports import make_dispatcher, warning_services
from api.watcher import DeadlineWatcher
from api.ws_lifeline import LifelineHub
from channels.reference_data import load_district_locator
from domain.auto_answer import AutoAnswerSettings
from domain.calendar import BusinessCalendar
from domain.clock import Clock, SystemClock
from domain.deliveries import DeliveryService
from domain.directory_service import DirectoryService
from domain.escalation import escalates_to
from domain.follow import FollowService
from domain.incident_service import IncidentService
from domain.intake_premap import TriageAhead
from domain.intake_prepare import Preparer
from domain.intake_service import IntakeService
from domain.knowledge_base import KnowledgeBase
from domain.ledger_service import LedgerService
from domain.neardup import NearDuplicateIndex
from domain.routing import RoutingTriager
from domain.shelters import ShelterService
from domain.store import Commands, SmcStore
from domain.templates import TemplateService
from domain.triage_service import TriageService
from domain.warning_service import WarningService
from projections.catchup import CatchUpLoop
from projections.intake import IntakeProjection
from projections.ledger import LedgerProjection
from projections.lifeline import LifelineProjection
from projections.registry import PROJECTIONS
from projections.viewset import ViewsConfig, ViewSet
from projections.worker import Worker

log = logging.getLogger("smc")


def store_env(settings: Settings) -> dict[str, str]:
    """The eventsourcing environment for the configured database (explicit, never os.environ)."""
    db = settings.database()
    if db.kind == "sqlite":
        assert db.sqlite_path is not None
        return {
            "PERSISTENCE_MODULE": TUNED_SQLITE,
            "SQLITE_DBNAME": str(db.sqlite_path),
            "APPLICATION_RECORDER_TOPIC": GROUP_INSERT,
            CACHE_MB: str(settings.sqlite_cache_mb),
            WAL_AUTOCHECKPOINT: str(settings.sqlite_wal_autocheckpoint),
        }
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": db.dbname,
        "POSTGRES_HOST": db.host,
        "POSTGRES_PORT": str(db.port),
        "POSTGRES_USER": db.user,
        "POSTGRES_PASSWORD": db.password,
        "POSTGRES_POOL_SIZE": str(settings.postgres_pool_size),
        "POSTGRES_MAX_OVERFLOW": str(settings.postgres_max_overflow),
        "POSTGRES_CONNECT_TIMEOUT": "5",
    }


def views_config(settings: Settings) -> ViewsConfig:
    db = settings.database()
    if db.kind == "sqlite":
        assert db.sqlite_path is not None
        return ViewsConfig("sqlite", sqlite_dir=db.sqlite_path.parent / "views")
    return ViewsConfig("postgres", postgres_env=store_env(settings))


def check_database(settings: Settings) -> None:
    """Fail early with one line that says what to fix when the database cannot be used."""
    db = settings.database()
    if db.kind == "sqlite":
        assert db.sqlite_path is not None
        try:
            db.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            msg = f"cannot create {db.sqlite_path.parent} for the SQLite store: {exc.strerror}"
            raise SettingsError(msg) from None
        return
    import psycopg

    try:
        psycopg.connect(
            host=db.host,
            port=db.port,
            user=db.user,
            password=db.password,
            dbname=db.dbname,
            connect_timeout=5,
        ).close()
    except psycopg.Error as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        reason = lines[0].rstrip(".") if lines else type(exc).__name__
        msg = (
            f"cannot reach PostgreSQL at {db.host}:{db.port}/{db.dbname} as {db.user}: {reason}."
            " Check SMC_DATABASE_URL and that the server is running."
        )
        raise SettingsError(msg) from None


@dataclass
class Container:
    settings: Settings
    clock: Clock
    store: SmcStore
    commands: Commands
    directory: DirectoryService
    intake: IntakeService
    views: ViewSet
    passwords: Passwords
    tokens: Tokens
    warnings: WarningService
    deliveries: DeliveryService
    ledger: LedgerService
    templates: TemplateService
    lifeline: IncidentService
    follow: FollowService
    shelters: ShelterService
    lifeline_hub: LifelineHub | None = None
    triage: TriageService | None = None
    catchup: CatchUpLoop | None = None
    worker: Worker | None = None
    dispatcher: Dispatcher | None = None
    watcher: DeadlineWatcher | None = None
    feeds: FeedPoller | None = None
    knowledge_base: KnowledgeBase | None = None
    auto_answer: AutoAnswerSettings | None = None
    started: bool = field(default=False)
    closed: bool = field(default=False)

    def start(self) -> None:
        self.intake.warm(self.views.get(IntakeProjection).recent_texts())
        if self.catchup is not None:
            self.catchup.start()
        if self.worker is not None:
            self.worker.start()
        if self.dispatcher is not None:
            self.dispatcher.start()
        if self.watcher is not None:
            self.watcher.start()
        if self.feeds is not None:
            self.feeds.start()
        self.started = True

    def intake_preparer(self) -> Preparer:
        """What a replay's second process needs: the near-duplicate fingerprint's settings
        and, when intake triages, the triage engine as it is now and what makes each posting's
        triage event ahead."""
        triage = self.triage if self.intake.triager is not None else None
        engine, ahead = (triage.engine, TriageAhead()) if triage else (None, None)
        return Preparer(self.intake.index.min_chars, engine, ahead)

    def projection_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if self.catchup is not None:
            errors.update(self.catchup.errors)
        if self.worker is not None:
            errors.update(self.worker.errors())
        return errors

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.dispatcher is not None:
            self.dispatcher.stop()
        if self.watcher is not None:
            self.watcher.stop()
        if self.feeds is not None:
            self.feeds.stop()
        if self.lifeline_hub is not None:
            self.lifeline_hub.stop()
        if self.catchup is not None:
            self.catchup.stop()
        if self.worker is not None:
            self.worker.stop()
        self.views.close()
        self.store.close()


def _known_district(code: str) -> bool:
    return load_district_locator().district(code) is not None


def build(
    settings: Settings, clock: Clock | None = None, *, in_process_worker: bool = False
) -> Container:
    """Wire everything. ``in_process_worker`` runs PostgreSQL projections in this process."""
    check_database(settings)
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    clock = clock or SystemClock()
    store = SmcStore(env=store_env(settings))
    commands = Commands(store, clock)
    views = ViewSet.open(PROJECTIONS, views_config(settings), settings.read_wait_timeout)
    warnings, deliveries = warning_services(settings, commands, views)
    triage = triage_service(settings, commands)
    ledger = LedgerService(
        commands,
        BusinessCalendar.korean(range(2020, 2036)),
        escalates=escalates_to(settings.lead_emails),
    )
    kb = knowledge_base(settings)
    answerer = auto_answerer(settings, kb, ledger)
    routing = RoutingTriager(triage, ledger, settings.triage_threshold, answerer)
    triage.follow_ups.append(routing.rerouted)  # a corrected triage moves the case too
    container = Container(
        settings=settings,
        clock=clock,
        store=store,
        commands=commands,
        directory=DirectoryService(commands),
        intake=IntakeService(
            commands, triager=routing, index=NearDuplicateIndex(settings.near_duplicate_threshold)
        ),
        triage=triage,
        views=views,
        passwords=Passwords(),
        tokens=Tokens(settings.secret_key, settings.session_max_age),
        warnings=warnings,
        deliveries=deliveries,
        ledger=ledger,
        templates=TemplateService(commands),
        lifeline=IncidentService(commands, _known_district),
        shelters=ShelterService(commands, _known_district),
        follow=FollowService(commands),
        knowledge_base=kb,
        auto_answer=AutoAnswerSettings(commands),
    )
    container.lifeline_hub = LifelineHub(
        views.get(LifelineProjection), clock, settings.lifeline_poll_interval
    )
    if settings.deadline_check_interval > 0:
        container.watcher = DeadlineWatcher(
            container.ledger, views.get(LedgerProjection), clock, settings.deadline_check_interval
        )
    if settings.rss_feeds and settings.rss_poll_interval > 0:
        container.feeds = FeedPoller(
            container.intake, clock, settings.rss_feeds, settings.rss_poll_interval
        )
    if settings.dispatch:
        container.dispatcher = make_dispatcher(settings, clock, (warnings, deliveries), views)
        attach_mail(container.dispatcher, settings, container.follow, views)
        attach_handoffs(container.dispatcher, triage)
    if settings.database().kind == "sqlite":
        if settings.projections_in_process:
            container.catchup = CatchUpLoop(
                store, views.all(), poll_interval=settings.poll_interval
            )
            # the hub is told at once when the LIFELINE view moved (its poll stays as fallback)
            container.catchup.on_advance(
                views.get(LifelineProjection), container.lifeline_hub.notify
            )
    elif settings.projections_in_process or in_process_worker:
        container.worker = Worker(PROJECTIONS, store_env(settings))
    return container
