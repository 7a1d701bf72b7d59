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


def snapshot() -> list[tuple[type, list]]:
    """Every row of every model's table, model by model."""
    from django.apps import apps

    rows = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        objects = list(model._base_manager.order_by("pk"))
        if objects:
            rows.append((model, objects))
    return rows


@contextmanager
def restore_after_flush(rows: list[tuple[type, list]]):
    """While active, Django's flush command ends by inserting `rows` again instead of sending
    `post_migrate` (which would rebuild only part of them, slowly)."""
    from django.core.management.commands import flush
    from django.db import transaction

    def restore(verbosity, interactive, db, **kwargs):
        with transaction.atomic(using=db):
            for model, objects in rows:
                model._base_manager.using(db).bulk_create(objects)

    sent = flush.emit_post_migrate_signal
    flush.emit_post_migrate_signal = restore
    try:
        yield
    finally:
        flush.emit_post_migrate_signal = sent


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
