"""The database every test starts from: the migrations' own rows (content types, permissions)
and the reference data (the registry of states, the launch sites), loaded once per session.

Plain `db` tests see it through their transaction's rollback. A transactional test (a live
server, other processes) ends with Django's flush of every table, which then re-runs the
`post_migrate` handlers (content types, permissions): about a third of a second a test here, more
than most tests take. `restore_after_flush` puts back instead, with one insert per table, the
rows that were there when the session began: the same starting point, for a fraction of it.
"""

from contextlib import contextmanager


def load_reference() -> None:
    from hcoc.sites.services import sites_load_catalogue
    from hcoc.states.services import registry_load_defaults

    registry_load_defaults()
    sites_load_catalogue()


def snapshot() -> list[tuple[str, list]]:
    """Every row of every model's table, as INSERT statements with their rows (the values as the
    database gave them, so they go back exactly)."""
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
            cursor.execute(f"SELECT {columns} FROM {quote(meta.db_table)}")  # noqa: S608
            rows = cursor.fetchall()
            if rows:
                marks = ", ".join(["%s"] * len(meta.concrete_fields))
                insert = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
                tables.append((insert, rows))
    return tables


@contextmanager
def restore_after_flush(tables: list[tuple[str, list]]):
    """While active, Django's flush command ends by inserting the snapshot's rows again instead
    of sending `post_migrate` (which would rebuild only part of them, slowly)."""
    from django.core.management.commands import flush
    from django.db import connections, transaction

    def restore(verbosity, interactive, db, **kwargs):
        with transaction.atomic(using=db), connections[db].cursor() as cursor:
            for insert, rows in tables:
                cursor.executemany(insert, rows)

    def delete_all(style, connection, reset_sequences=True, allow_cascade=False):
        """DELETE FROM each table instead of PostgreSQL's TRUNCATE of them all, which makes new
        files for every table (200 ms a test here, for tables of a few rows). The same empty
        tables: sequences are not reset either way, and the foreign keys are checked at the
        flush's commit, when every table is empty."""
        if reset_sequences or allow_cascade:
            return sql_flush(style, connection, reset_sequences, allow_cascade)
        quote = connection.ops.quote_name
        tables = connection.introspection.django_table_names(only_existing=True)
        return [f"DELETE FROM {quote(table)}" for table in tables]  # noqa: S608

    sent, sql_flush = flush.emit_post_migrate_signal, flush.sql_flush
    flush.emit_post_migrate_signal, flush.sql_flush = restore, delete_all
    try:
        yield
    finally:
        flush.emit_post_migrate_signal, flush.sql_flush = sent, sql_flush


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
