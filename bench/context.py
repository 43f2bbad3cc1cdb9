"""What every suite gets: N, a scratch folder, and a lazily started PostgreSQL cluster."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path

from bench.report import Machine
from tests import pg


class BenchContext:
    def __init__(self, n: int, machine: Machine) -> None:
        self.n = n
        self.machine = machine
        self.tmp = Path(tempfile.mkdtemp(prefix="smc-bench-"))
        self._cluster: pg.Cluster | None = None
        self._pg_tried = False
        self._pg_skip = ""
        self._db_counter = itertools.count(1)

    def scratch(self, name: str) -> Path:
        path = self.tmp / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def postgres_skip_reason(self) -> str:
        """Start the cluster on first use; an empty string means PostgreSQL is available."""
        if not self._pg_tried:
            self._pg_tried = True
            if pg.pg_bin() is None:
                self._pg_skip = "PostgreSQL server binaries not found: PostgreSQL part skipped"
            else:
                try:
                    self._cluster = pg.start_cluster()
                    self.machine.postgres = self._server_version()
                except Exception as exc:  # any failure to start is a reason to skip
                    self._pg_skip = f"PostgreSQL cluster did not start ({exc}): part skipped"
            if self._pg_skip:
                print(self._pg_skip)
                self.machine.notes.append(self._pg_skip)
        return self._pg_skip

    def _server_version(self) -> str:
        import psycopg

        assert self._cluster is not None
        with psycopg.connect(self._cluster.url(), autocommit=True) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return f"{row[0] if row else '?'} (throwaway cluster, fsync=off)"

    def postgres_database(self, label: str) -> tuple[str, dict[str, str]]:
        """A fresh database: its URL and the eventsourcing environment for it."""
        assert self._cluster is not None, "call postgres_skip_reason() first"
        name = f"bench_{label}_{next(self._db_counter)}"
        url = self._cluster.create_database(name)
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": name,
            "POSTGRES_HOST": "127.0.0.1",
            "POSTGRES_PORT": str(self._cluster.port),
            "POSTGRES_USER": "postgres",
            "POSTGRES_PASSWORD": "x",
            "POSTGRES_CONNECT_TIMEOUT": "5",
        }
        return url, env

    def close(self) -> None:
        if self._cluster is not None:
            self._cluster.stop()
            self._cluster = None
        shutil.rmtree(self.tmp, ignore_errors=True)
