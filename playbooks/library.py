"""Load the disaster playbooks (one TOML file per type) and give each one a content version."""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from playbooks.schema import Playbook

LIBRARY_DIR = Path(__file__).parent / "library"


class PlaybookError(Exception):
    """A playbook file is unreadable or invalid; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class _Entry:
    playbook: Playbook
    path: Path
    version: str


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _field_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def _error_text(path: Path, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors(include_url=False):
        msg = str(err["msg"]).removeprefix("Value error, ")
        lines.append(f"{_display(path)}: {_field_path(tuple(err['loc']))}: {msg}")
    return "\n".join(lines)


def parse_playbook(path: Path, data: bytes) -> Playbook:
    """Validate one playbook file's bytes; raise PlaybookError naming the file and field."""
    try:
        raw: dict[str, Any] = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PlaybookError(f"{_display(path)}: (file): not valid TOML: {exc}") from exc
    try:
        playbook = Playbook.model_validate(raw)
    except ValidationError as exc:
        raise PlaybookError(_error_text(path, exc)) from exc
    if playbook.id != path.stem:
        raise PlaybookError(
            f"{_display(path)}: id: {playbook.id!r} does not match the file name {path.name!r}"
        )
    return playbook


def _load_entry(path: Path) -> _Entry:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PlaybookError(f"{_display(path)}: (file): cannot read: {exc}") from exc
    version = "sha256:" + hashlib.sha256(data).hexdigest()
    return _Entry(parse_playbook(path, data), path, version)


class PlaybookLibrary:
    """All playbooks of one directory, by id, in id order."""

    def __init__(self, entries: Mapping[str, _Entry], directory: Path) -> None:
        self._entries = dict(sorted(entries.items()))
        self.directory = directory

    @classmethod
    def load(cls, directory: Path | None = None) -> PlaybookLibrary:
        """Read and validate every ``*.toml`` in ``directory`` (default: the packaged library)."""
        root = LIBRARY_DIR if directory is None else Path(directory)
        if not root.is_dir():
            raise PlaybookError(f"{_display(root)}: (file): not a directory")
        entries: dict[str, _Entry] = {}
        for path in sorted(root.glob("*.toml")):
            entry = _load_entry(path)
            entries[entry.playbook.id] = entry
        if not entries:
            raise PlaybookError(f"{_display(root)}: (file): no playbooks (*.toml) found")
        return cls(entries, root)

    def get(self, playbook_id: str) -> Playbook:
        return self._entry(playbook_id).playbook

    def all(self) -> tuple[Playbook, ...]:
        return tuple(e.playbook for e in self._entries.values())

    def ids(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def version(self, playbook_id: str) -> str:
        """``sha256:<hex>`` of the playbook file's bytes: what a warning records as its version."""
        return self._entry(playbook_id).version

    def path(self, playbook_id: str) -> Path:
        return self._entry(playbook_id).path

    def __contains__(self, playbook_id: object) -> bool:
        return playbook_id in self._entries

    def __iter__(self) -> Iterator[Playbook]:
        return iter(self.all())

    def __len__(self) -> int:
        return len(self._entries)

    def _entry(self, playbook_id: str) -> _Entry:
        try:
            return self._entries[playbook_id]
        except KeyError:
            raise KeyError(f"unknown playbook {playbook_id!r}") from None
