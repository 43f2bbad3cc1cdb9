"""A throwaway PostgreSQL cluster on 127.0.0.1 for the test run (see docs/architecture.md)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_pg(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass
class Cluster:
    bindir: Path
    tmp: Path
    port: int

    def url(self, dbname: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}:x@127.0.0.1:{self.port}/{dbname}"

    def psql(self, sql: str, dbname: str = "postgres") -> None:
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                dbname,
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ],
            check=True,
            capture_output=True,
        )

    def create_database(self, name: str) -> str:
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            _as_pg(
                [
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.tmp / "data"),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ]
            ),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.tmp, ignore_errors=True)


def start_cluster() -> Cluster:
    bindir = pg_bin()
    if bindir is None:
        msg = "PostgreSQL server binaries not found (apt-get install postgresql)"
        raise FileNotFoundError(msg)
    tmp = Path(tempfile.mkdtemp(prefix="smc-pg-", dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres", "postgres")
    port = free_port()
    subprocess.run(
        _as_pg(
            [
                str(bindir / "initdb"),
                "-D",
                str(tmp / "data"),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        ),
        check=True,
        capture_output=True,
    )
    opts = f"-h 127.0.0.1 -p {port} -k {tmp} -F -c max_connections=400 -c fsync=off"
    subprocess.run(
        _as_pg(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(tmp / "data"),
                "-l",
                str(tmp / "server.log"),
                "-w",
                "-t",
                "30",
                "-o",
                opts,
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    return Cluster(bindir, tmp, port)
