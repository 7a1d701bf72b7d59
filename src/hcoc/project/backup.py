"""`hcoc backup` and `hcoc restore`: a consistent copy of the database while the exchange runs,
and bringing it back (issue 10).

A backup file is what each engine's own tools make, so it can be read without this code: a
SQLite database file (SQLite's online backup API) or a pg_dump archive in the custom format.
Each starts with its engine's magic bytes, which is how restore tells them apart and refuses one
of the other engine. Neither contains the exchange's secret (the log's signing key lives in a file under
settings.LEDGER_KEY_DIR, never in the database): it must be kept separately.
"""

import os
import re
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.request import pathname2url

import psycopg
from psycopg import sql

from hcoc.exchange.models import Event
from hcoc.ledger.models import LogHead

SQLITE = "SQLite"
POSTGRES = "PostgreSQL"
MAGIC = {SQLITE: b"SQLite format 3\x00", POSTGRES: b"PGDMP"}
ENGINES = {"django.db.backends.sqlite3": SQLITE, "django.db.backends.postgresql": POSTGRES}
# Connection options of a DATABASE_URL (dj-database-url puts them in OPTIONS) that libpq also
# reads from the environment, so pg_dump and pg_restore connect exactly as Django does.
PG_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


# Tables every exchange's database has: a backup without them is of something else.
EXCHANGE_TABLES = {LogHead._meta.db_table, Event._meta.db_table}


class BackupError(Exception):
    """A refusal or a failure, with a message for the operator."""


@dataclass
class Snapshot:
    """What a database held at one moment: the log's size and the last exchange sequence."""

    log_size: int
    last_seq: int

    def __str__(self) -> str:
        return f"transparency log size {self.log_size}, exchange sequence up to {self.last_seq}"


def engine_of(db: dict) -> str:
    try:
        return ENGINES[db["ENGINE"]]
    except KeyError:
        raise BackupError(f"cannot back up or restore a {db['ENGINE']} database") from None


def kind_of(path: Path) -> str:
    """The engine a backup file belongs to, from its first bytes."""
    with path.open("rb") as f:
        head = f.read(16)
    for kind, magic in MAGIC.items():
        if head.startswith(magic):
            return kind
    raise BackupError(
        f"{path} is not a backup made by `hcoc backup`: it is neither a SQLite database "
        "nor a pg_dump archive"
    )


def describe(db: dict) -> str:
    """The database for messages, without its password."""
    if engine_of(db) == SQLITE:
        return f"sqlite:///{db['NAME']}"
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    user = f"{db['USER']}@" if db.get("USER") else ""
    return f"postgres://{user}{host}{port}/{db['NAME']}"


def _snapshot_query() -> tuple[str, str]:
    return (
        f"SELECT size FROM {LogHead._meta.db_table} WHERE id = 1",  # noqa: S608 (model's own table)
        f"SELECT max(seq) FROM {Event._meta.db_table}",  # noqa: S608
    )


def _snapshot(execute) -> Snapshot:
    head_sql, seq_sql = _snapshot_query()
    try:
        head = execute(head_sql).fetchone()
        seq = execute(seq_sql).fetchone()
    except (sqlite3.OperationalError, psycopg.errors.UndefinedTable):
        raise BackupError(
            "the database holds no exchange (no transparency log): is it migrated?"
        ) from None
    return Snapshot(log_size=head[0] if head else 0, last_seq=(seq[0] if seq else None) or 0)


def _write_new(path: Path) -> Path:
    """An empty temporary file next to `path`, readable by its owner only (a backup holds
    password hashes, token hashes and sealed keys); renamed over `path` once complete."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    return tmp


def _finish(tmp: Path, path: Path) -> None:
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


# ---- SQLite ----------------------------------------------------------------------------------


def _sqlite_open(path: Path, *, mode: str) -> sqlite3.Connection:
    """Open an existing database file (never create one by mistake); `mode` is rw or ro."""
    return sqlite3.connect(f"file:{pathname2url(str(path))}?mode={mode}", uri=True, timeout=30)


def _sqlite_has_tables(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0


def sqlite_backup(db: dict, path: Path) -> Snapshot:
    source = Path(db["NAME"])
    if not source.exists():
        raise BackupError(f"there is no database at {source}")
    tmp = _write_new(path)
    try:
        src = _sqlite_open(source, mode="rw")
        dst = sqlite3.connect(tmp)
        try:
            # One step (pages=-1) copies every page inside one read transaction: under WAL the
            # writers go on, and the copy is the database as of that transaction's start.
            src.backup(dst, pages=-1)
            # A single self-contained file: no -wal beside it, whatever mode the source was in.
            dst.execute("PRAGMA journal_mode=DELETE")
            if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError("the copy does not pass SQLite's quick_check")
            snapshot = _snapshot(dst.execute)
        finally:
            dst.close()
            src.close()
        _finish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return snapshot


def sqlite_restore(path: Path, db: dict, *, force: bool) -> Snapshot:
    target = Path(db["NAME"])
    if target.exists() and target.resolve() == path.resolve():
        raise BackupError(f"{path} is the database itself")
    src = _sqlite_open(path, mode="ro")
    try:
        if src.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"{path} is damaged: it does not pass SQLite's quick_check")
        tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if EXCHANGE_TABLES - tables:
            raise BackupError(f"{path} is a SQLite database, but not one of an HCoC exchange")
        if target.exists() and target.stat().st_size > 0:
            existing = _sqlite_open(target, mode="rw")
            try:
                if _sqlite_has_tables(existing) and not force:
                    raise BackupError(
                        f"{target} already holds a database: give --force to overwrite it, "
                        "or --into sqlite:///NEW_PATH to restore beside it"
                    )
            finally:
                existing.close()
        target.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(target, timeout=30)
        try:
            # The backup API into the target replaces every page in one write transaction, under
            # SQLite's own locks: never a half-restored file, never a stale -wal beside a new file.
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode=WAL")  # the exchange's mode (settings.py)
            return _snapshot(dst.execute)
        finally:
            dst.close()
    finally:
        src.close()


# ---- PostgreSQL ------------------------------------------------------------------------------


def _pg_env(db: dict) -> dict[str, str]:
    """libpq's environment for pg_dump and pg_restore: the password never on a command line."""
    env = dict(os.environ)
    for key, name in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if db.get(key):
            env[name] = str(db[key])
    for option, name in PG_OPTION_ENV.items():
        if db.get("OPTIONS", {}).get(option):
            env[name] = str(db["OPTIONS"][option])
    return env


def _pg_connect(db: dict, dbname: str | None = None, **kw) -> psycopg.Connection:
    params = {
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "dbname": dbname or db["NAME"],
    }
    options = {k: v for k, v in db.get("OPTIONS", {}).items() if k in PG_OPTION_ENV}
    return psycopg.connect(**{k: v for k, v in params.items() if v is not None}, **options, **kw)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} is not installed: install PostgreSQL's client programs "
            "(the server's major version or newer)"
        )
    return found


def _run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed:\n{done.stderr.strip()}")


def postgres_backup(db: dict, path: Path) -> Snapshot:
    pg_dump = _pg_tool("pg_dump")
    try:
        conn = _pg_connect(db)
    except psycopg.OperationalError as e:
        raise BackupError(f"cannot connect to {describe(db)}: {e}") from None
    tmp = _write_new(path)
    try:
        with conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            # pg_dump is a consistent snapshot by itself; exporting ours and handing it over
            # (--snapshot) makes the figures printed here those of the very snapshot dumped.
            snapshot_id = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
            snapshot = _snapshot(conn.execute)
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot_id}",
                    f"--file={tmp}",
                    "--no-password",
                ],
                _pg_env(db),
            )
            conn.rollback()
        _finish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return snapshot


def _pg_target(db: dict) -> tuple[psycopg.Connection, bool]:
    """A connection to the target database, creating the database when it does not exist."""
    try:
        return _pg_connect(db, autocommit=True), False
    except psycopg.OperationalError as first:
        try:
            with _pg_connect(db, dbname="postgres", autocommit=True) as admin:
                exists = admin.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
                ).fetchone()
                if exists:
                    raise BackupError(f"cannot connect to {describe(db)}: {first}") from None
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
        except psycopg.Error:
            raise BackupError(f"cannot connect to {describe(db)}: {first}") from None
        return _pg_connect(db, autocommit=True), True


def postgres_restore(path: Path, db: dict, *, force: bool) -> tuple[Snapshot, bool]:
    pg_restore = _pg_tool("pg_restore")
    listing = subprocess.run(  # noqa: S603 (a fixed program and a path)
        [pg_restore, "--list", str(path)], capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        raise BackupError(f"{path} cannot be read by pg_restore:\n{listing.stderr.strip()}")
    listed = set(re.findall(r" TABLE DATA \S+ (\S+)", listing.stdout))
    if EXCHANGE_TABLES - listed:
        raise BackupError(f"{path} is a pg_dump archive, but not one of an HCoC exchange")
    conn, created = _pg_target(db)
    with conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()[0]
        if tables and not force:
            raise BackupError(
                f"{describe(db)} already holds {tables} tables: give --force to overwrite it, "
                "or --into postgres://.../NEW_DATABASE to restore into a new database"
            )
        others = conn.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]
        if others:
            raise BackupError(
                f"{others} other session(s) are connected to {describe(db)}: stop the exchange "
                "(and anything else using that database) before restoring into it"
            )
    # One transaction: if anything fails, the target is left as it was.
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--no-password",
            f"--dbname={db['NAME']}",
            str(path),
        ],
        _pg_env(db),
    )
    with _pg_connect(db) as conn:
        return _snapshot(conn.execute), created


# ---- the two doors ---------------------------------------------------------------------------


@dataclass
class Done:
    engine: str
    path: Path
    bytes: int
    seconds: float
    snapshot: Snapshot
    created: bool = False


def backup(db: dict, path: Path, *, force: bool) -> Done:
    engine = engine_of(db)
    if path.exists() and not force:
        raise BackupError(f"{path} exists: give --force to replace it")
    if path.is_dir():
        raise BackupError(f"{path} is a directory: give a file name")
    started = time.perf_counter()
    snapshot = sqlite_backup(db, path) if engine == SQLITE else postgres_backup(db, path)
    return Done(engine, path, path.stat().st_size, time.perf_counter() - started, snapshot)


def restore(path: Path, db: dict, *, force: bool) -> Done:
    engine = engine_of(db)
    if not path.is_file():
        raise BackupError(f"there is no backup file at {path}")
    kind = kind_of(path)
    if kind != engine:
        into = "sqlite:///PATH" if kind == SQLITE else "postgres://USER@HOST:PORT/DATABASE"
        raise BackupError(
            f"{path} is a {kind} backup, but {describe(db)} is a {engine} database: "
            f"restore it into a {kind} database (--into {into})"
        )
    started = time.perf_counter()
    created = False
    if engine == SQLITE:
        snapshot = sqlite_restore(path, db, force=force)
    else:
        snapshot, created = postgres_restore(path, db, force=force)
    return Done(engine, path, path.stat().st_size, time.perf_counter() - started, snapshot, created)
