"""The database every test starts from: the migrations' own rows (content types, permissions)
and the reference data (the registry of states, the launch sites), loaded once per session.

Plain `db` tests see it through their transaction's rollback. A transactional test (a live
server, other processes) ends with Django's flush of every table, which then re-runs the
`post_migrate` handlers (content types, permissions): about a third of a second a test here, more
than most tests take. `restore_after_flush` instead empties what the test changed and puts back,
with one insert per table, the rows that were there when the session began: the same starting
point, for a fraction of it.
"""

from contextlib import contextmanager
from dataclasses import dataclass


def load_reference() -> None:
    from hcoc.sites.services import sites_load_catalogue
    from hcoc.states.services import registry_load_defaults

    registry_load_defaults()
    sites_load_catalogue()


@dataclass
class Table:
    """One table's rows as the session began: the query that reads them (in primary-key order)
    and the INSERT that puts them back."""

    name: str
    select: str
    insert: str
    rows: list
    refers_to: set[str]  # the tables its foreign keys point to


def snapshot() -> list[Table]:
    """Every row of every model's table that has rows (the values as the database gave them, so
    they go back exactly)."""
    from django.apps import apps
    from django.db import connection

    quote = connection.ops.quote_name
    tables = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            meta = model._meta
            if meta.proxy or not meta.managed:
                continue
            columns = ", ".join(quote(f.column) for f in meta.concrete_fields)
            name = quote(meta.db_table)
            select = f"SELECT {columns} FROM {name} ORDER BY {quote(meta.pk.column)}"  # noqa: S608
            cursor.execute(select)
            rows = cursor.fetchall()
            if rows:
                marks = ", ".join(["%s"] * len(meta.concrete_fields))
                insert = f"INSERT INTO {name} ({columns}) VALUES ({marks})"  # noqa: S608
                refers_to = {
                    f.related_model._meta.db_table
                    for f in meta.concrete_fields
                    if f.is_relation and f.db_constraint
                }
                tables.append(Table(meta.db_table, select, insert, rows, refers_to))
    return tables


@contextmanager
def restore_after_flush(tables: list[Table]):
    """While active, Django's flush command empties only what a test changed: every table the
    session began without rows, and a table of the snapshot only if its rows are no longer the
    snapshot's, whose rows it then inserts again (instead of sending `post_migrate`, which would
    rebuild only part of them, slowly). Emptying the registry's tables each time was the flush's
    dearest part on PostgreSQL: each deleted state is checked against every table that refers to
    it, at the commit (60 ms a test here, for rows that had not changed)."""
    from django.core.management.commands import flush
    from django.db import connections, transaction

    emptied: list[Table] = []
    snapshotted = {t.name for t in tables}

    def delete_changed(style, connection, reset_sequences=True, allow_cascade=False):
        """DELETE FROM each table to empty (not PostgreSQL's TRUNCATE of them all, which makes
        new files for every table: 200 ms a test here, for tables of a few rows). Sequences are
        not reset either way; the foreign keys are checked at the flush's commit, when no kept
        row refers to an emptied table."""
        if reset_sequences or allow_cascade:
            return sql_flush(style, connection, reset_sequences, allow_cascade)
        kept = set()
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(table.select)
                if cursor.fetchall() == table.rows:
                    kept.add(table.name)
        # A kept table must not point to an emptied one of the snapshot when the flush commits:
        # it is emptied and put back too (content types changed: their permissions go with
        # them). Its rows point to no other table's: they are the snapshot's.
        while dropped := {
            t.name for t in tables if t.name in kept and t.refers_to & (snapshotted - kept)
        }:
            kept -= dropped
        emptied[:] = [t for t in tables if t.name not in kept]
        quote = connection.ops.quote_name
        names = connection.introspection.django_table_names(only_existing=True)
        return [f"DELETE FROM {quote(name)}" for name in names if name not in kept]  # noqa: S608

    def restore(verbosity, interactive, db, **kwargs):
        with transaction.atomic(using=db), connections[db].cursor() as cursor:
            for table in emptied:
                cursor.executemany(table.insert, table.rows)

    sent, sql_flush = flush.emit_post_migrate_signal, flush.sql_flush
    flush.emit_post_migrate_signal, flush.sql_flush = restore, delete_changed
    try:
        yield
    finally:
        flush.emit_post_migrate_signal, flush.sql_flush = sent, sql_flush


def flush() -> None:
    """What pytest-django runs after a transactional test (Django's TransactionTestCase): for a
    fixture that wrote through the live server outside any test, to leave the database as a
    test's teardown would (with `restore_after_flush` active, the reference data stays)."""
    from django.core.management import call_command

    call_command(
        "flush",
        verbosity=0,
        interactive=False,
        reset_sequences=False,
        allow_cascade=False,
        inhibit_post_migrate=False,
    )


@contextmanager
def built_once(django_db_blocker):
    """For a class-scoped fixture whose data every test of the class starts from: build it in
    here, once. It lives in a transaction rolled back after the class; each test (`db`) runs in
    a savepoint inside it, rolled back after the test, so every test starts from the same data
    as if it had been built for it alone."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@contextmanager
def sqlite_kept_open():
    """SQLite: one idle connection to the test database for the whole session. Each
    transactional test ends by closing Django's connection; when the last one to a WAL database
    closes, SQLite checkpoints the log into the file and syncs it (17 ms a test here). With this
    one open that happens once, at the end; while idle it holds no lock."""
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    keeper = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        yield
    finally:
        keeper.close()


def postgres_commits_unwaited() -> None:
    """PostgreSQL: the test database's commits do not wait for the write-ahead log to reach the
    disk (`synchronous_commit = off`, for every connection to it: this process's, and the servers
    and commands the tests start). A commit is seen by every other connection at once all the
    same; only a crash of PostgreSQL itself could lose the last ones, and the test database is
    dropped after the run anyway. Here a commit took 3.4 ms with the wait and 0.15 ms without,
    and the suite commits after every write of every transactional test and live server."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        cursor.execute(f"ALTER DATABASE {name} SET synchronous_commit TO off")
        cursor.execute("SET synchronous_commit TO off")  # this connection, opened before
