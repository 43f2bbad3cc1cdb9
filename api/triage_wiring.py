"""Builds the triage service from the settings: city data files, trained models, and the
district hand-off adapters. Bad data files stop start-up with one line saying what to fix."""

from __future__ import annotations

from pathlib import Path

from api.settings import Settings, SettingsError
from channels.analysis import Analysis
from channels.handoff import build_handoffs
from channels.triage_config import TriageData, build_engine, data_files, load_data
from domain.store import Commands
from domain.triage_engine import Analyzer, TriageEngine
from domain.triage_service import TriageService


def model_dir(settings: Settings) -> Path:
    return settings.triage_model_dir or Path(settings.data_dir) / "models"


def analyzer(settings: Settings) -> Analyzer | None:
    """kiwipiepy for the keyword rules when configured (one instance per process, on first use)."""
    return Analysis() if settings.triage_analyzer == "kiwi" else None


def city_data(settings: Settings) -> TriageData:
    """The city's taxonomy and rules (``SMC_TRIAGE_DATA_DIR``, else the packaged files)."""
    return load_data(*data_files(settings.triage_data_dir))


def triage_service(settings: Settings, commands: Commands) -> TriageService:
    try:
        engine = build_engine(model_dir(settings), city_data(settings), analyzer(settings))
        handoffs = build_handoffs(settings.triage_handoff)
    except ValueError as exc:
        raise SettingsError(f"triage: {exc}") from None
    service = TriageService(commands, engine, handoffs)
    if settings.triage_handoff_auto:
        service.auto_threshold = settings.triage_threshold
    return service


def reloaded_engine(settings: Settings) -> tuple[TriageEngine, str]:
    """Re-read and validate the data files and models (for the admin reload action)."""
    data = city_data(settings)
    return build_engine(model_dir(settings), data, analyzer(settings)), data.digest
