"""The one settings object. Every configuration value of SMC is read here and nowhere else."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LEAD_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "dev-secret-change-me"}


class SettingsError(ValueError):
    """A configuration value is wrong; the message says what to fix."""


@dataclass(frozen=True)
class DatabaseTarget:
    kind: Literal["sqlite", "postgres"]
    sqlite_path: Path | None = None
    host: str = ""
    port: int = 5432
    user: str = ""
    password: str = ""
    dbname: str = ""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SMC_", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    data_dir: Path = Path("var")
    database_url: str = ""
    secret_key: str = "dev-secret-change-me"  # noqa: S105 - refused outside development
    host: str = "127.0.0.1"
    port: int = 8000
    run_projections: bool | None = Field(
        default=None,
        description="Run projections inside the API process (default: yes on SQLite, no on"
        " PostgreSQL, where `smc worker` runs them).",
    )
    poll_interval: float = 0.5
    read_wait_timeout: float = Field(
        default=2.0, description="how long a read with ?after= waits for the views (seconds)"
    )
    sqlite_cache_mb: int = Field(
        default=64, ge=0, description="page cache of each SQLite store connection (MiB; 0: 2 MB)"
    )
    sqlite_wal_autocheckpoint: int = Field(
        default=10_000, ge=0, description="WAL pages between checkpoints (0: SQLite's 1,000)"
    )
    postgres_pool_size: int = 2
    postgres_max_overflow: int = 4
    session_max_age: int = 12 * 3600
    default_lang: Literal["ko", "en"] = "ko"
    author_key_secret: str = Field(
        default="", description="key for pseudonymous author ids (default: derived from secret)"
    )
    x_bearer_token: str = ""
    x_api_base_url: str | None = Field(
        default=None, description="send X API calls here instead (tests: a local fake X API)"
    )
    webhook_secrets: dict[str, str] = Field(
        default_factory=dict, description='HMAC keys per webhook source, JSON: {"sms": "..."}'
    )
    open311_api_keys: list[str] = Field(
        default_factory=list, description="if set, POST /open311 requires one of these api_keys"
    )
    deadline_check_interval: float = Field(
        default=30.0, description="seconds between deadline checks (0 turns the watcher off)"
    )
    rss_feeds: list[str] = Field(
        default_factory=list,
        description="RSS/Atom feed URLs polled by the server (JSON list in SMC_RSS_FEEDS)",
    )
    rss_poll_interval: float = Field(
        default=300.0, ge=0, description="seconds between RSS/Atom polls (0 turns polling off)"
    )
    open311_rate_limit: int = Field(default=30, description="anonymous reports per client/hour")
    public_base_url: str = Field(
        default="http://127.0.0.1:8000", description="where CAP messages and feeds are served"
    )
    cap_sender: str = Field(default="smc@seoul.go.kr", description="CAP <sender> of warnings")
    warning_accounts_file: Path | None = Field(
        default=None,
        description='JSON credentials per warning account: {"x:<handle>": {"access_token":'
        ' ..., "access_token_secret": ..., "consumer_key": ..., "consumer_secret": ...,'
        ' "drills": true}} (or "bearer_token")',
    )
    warning_webhooks: dict[str, str] = Field(
        default_factory=dict, description='outbound warning webhooks, JSON: {"sms": "https://…"}'
    )
    warning_webhook_secret: str = Field(default="", description="HMAC key of outbound webhooks")
    outbound_channels_file: Path | None = Field(
        default=None,
        description="JSON channel kinds (adapter, format, max_chars, rate_limit) replacing or"
        " adding to channels/outbound_channels.json",
    )
    dispatch: bool = Field(default=True, description="run the warning fan-out dispatcher")
    dispatch_interval: float = 1.0
    delivery_lease_seconds: float = Field(
        default=30.0, description="an attempt without outcome older than this is uncertain"
    )
    lifeline_tile_url: str = Field(
        default="",
        description="map tile URL template for /lifeline, e.g. https://tile.example/{z}/{x}/{y}.png"
        " (empty: district boundaries only, no outside requests)",
    )
    lifeline_tile_attribution: str = ""
    lifeline_poll_interval: float = Field(
        default=0.05, description="seconds between the LIFELINE hub's checks of its view"
    )
    ws_allowed_origins: list[str] = Field(
        default_factory=list,
        description="browser origins besides the server's own (its Host and SMC_PUBLIC_BASE_URL)"
        ' that may open WebSockets, JSON: ["https://lifeline.seoul.go.kr"]',
    )
    lifeline_note_rate_limit: int = Field(
        default=10, ge=1, description="anonymous missing-person notes per client/hour"
    )
    missing_person_expiry_days: int = Field(
        default=60, ge=1, description="days from registration until a person record's expiry"
    )
    missing_person_retention_days: int = Field(
        default=30, ge=0, description="days a person record stays public after its incident closed"
    )

    triage_threshold: float = Field(
        default=0.6, ge=0, le=1, description="triage decisions less sure than this need a person"
    )
    near_duplicate_threshold: float = Field(
        default=0.7,
        gt=0,
        le=1,
        description="texts at least this similar (Jaccard of 4-grams) join an earlier case",
    )
    triage_model_dir: Path | None = Field(
        default=None, description="trained triage models (default: <data dir>/models)"
    )
    triage_handoff: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="district grievance adapters per SIG_CD, JSON"
    )
    triage_handoff_auto: bool = Field(
        default=True,
        description="hand district matters at least triage_threshold sure (and those a person"
        " confirmed) to the district's adapter without a person",
    )
    triage_data_dir: Path | None = Field(
        default=None,
        description="the city's taxonomy.json and triage_rules.json (default: the packaged"
        " files); validated at start-up and re-read by the admin reload",
    )
    triage_analyzer: Literal["fast", "kiwi"] = Field(
        default="fast", description="keyword rules on word pieces (fast) or kiwipiepy nouns/stems"
    )
    smtp_host: str = Field(
        default="",
        description="SMTP server for citizens' mail: follow notices and answers to the report"
        " form (empty: no e-mail is offered or sent)",
    )
    smtp_port: int = 25
    smtp_from: str = Field(default="smc@seoul.go.kr", description="From: of SMC's e-mail")
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    lead_emails: dict[str, str] = Field(
        default_factory=dict,
        description="who is mailed when a deadline is missed: unit (department:BUS,"
        " district:11680, or * for every unit) -> the lead's address; empty: nobody",
    )
    follow_rate_limit: int = Field(default=10, description="follow requests per client/hour")
    auto_answer: bool = Field(default=True, description="draft answers from the knowledge base")
    auto_answer_threshold: float = Field(
        default=0.8, ge=0, le=1, description="how sure a knowledge-base match must be to draft"
    )
    auto_answer_file: Path | None = Field(
        default=None, description="the auto-answer knowledge base (default: the bundled one)"
    )

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.env != "development" and self.secret_key in PLACEHOLDER_SECRETS:
            msg = "SMC_SECRET_KEY is a placeholder; set a long random value outside development"
            raise ValueError(msg)
        self.database()
        self._check_lead_emails()
        return self

    def _check_lead_emails(self) -> None:
        for unit, address in self.lead_emails.items():
            kind, _, code = unit.partition(":")
            if unit != "*" and (kind not in ("department", "district") or not code):
                msg = f"SMC_LEAD_EMAILS: {unit!r} is not a unit (department:BUS, district:11680, *)"
                raise ValueError(msg)
            if not LEAD_EMAIL.fullmatch(address.strip()):
                msg = f"SMC_LEAD_EMAILS: {address!r} (for {unit}) is not an e-mail address"
                raise ValueError(msg)

    @property
    def author_key(self) -> bytes:
        import hashlib

        base = self.author_key_secret or f"author:{self.secret_key}"
        return hashlib.sha256(base.encode()).digest()

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'smc.sqlite'}"

    def database(self) -> DatabaseTarget:
        return parse_database_url(self.effective_database_url)

    @property
    def projections_in_process(self) -> bool:
        if self.run_projections is not None:
            return self.run_projections
        return self.database().kind == "sqlite"


def parse_database_url(url: str) -> DatabaseTarget:
    """Accepts ``sqlite:///path`` and ``postgresql://user:pass@host:port/db``."""
    hint = "use sqlite:///path/to/smc.sqlite or postgresql://user:password@host:5432/dbname"
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if not path or path.endswith("/"):
            raise SettingsError(f"SMC_DATABASE_URL {url!r} names no file; {hint}")
        return DatabaseTarget("sqlite", sqlite_path=Path(path))
    parts = urlsplit(url)
    if parts.scheme not in {"postgresql", "postgres"}:
        raise SettingsError(f"SMC_DATABASE_URL {url!r} has an unknown scheme; {hint}")
    try:
        port = parts.port or 5432
    except ValueError:
        raise SettingsError(f"SMC_DATABASE_URL {url!r} has a bad port; {hint}") from None
    dbname = parts.path.lstrip("/")
    if not parts.hostname or not dbname or not parts.username:
        raise SettingsError(f"SMC_DATABASE_URL {url!r} needs a user, host and database; {hint}")
    return DatabaseTarget(
        "postgres",
        host=parts.hostname,
        port=port,
        user=unquote(parts.username),
        password=unquote(parts.password or ""),
        dbname=dbname,
    )


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, turning validation errors into one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except SettingsError:
        raise
    except ValueError as exc:
        errors = getattr(exc, "errors", None)
        if callable(errors):
            first = errors()[0]
            where = ".".join(str(x) for x in first.get("loc", ()))
            msg = first.get("msg", str(exc)).removeprefix("Value error, ")
            raise SettingsError(f"SMC_{where.upper()}: {msg}" if where else msg) from None
        raise SettingsError(str(exc)) from None
