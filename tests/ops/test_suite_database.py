"""The suite's own promise (tests/README.md, *Rules the suite keeps*): after a transactional
test's flush the database is the one every test starts from, whatever the test changed. The
flush keeps the reference tables a test left alone and puts back those it changed
(support.database.restore_after_flush); these check both, on each database the suite runs on.
On PostgreSQL, commits to the test database do not wait for the disk
(support.database.postgres_commits_unwaited)."""

import psycopg
import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from support.database import flush, snapshot
from support.people import make_personas
from support.serve import database_url

from hcoc.accounts.models import User
from hcoc.states.models import HcocStatus, State


def rows_of_every_table() -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for name in connection.introspection.django_table_names(only_existing=True):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(name)}")  # noqa: S608
            counts[name] = cursor.fetchone()[0]
    return counts


def as_at_start(start) -> bool:
    return [(t.name, t.rows) for t in snapshot()] == [(t.name, t.rows) for t in start]


def test_a_flush_after_a_test_that_changed_nothing_of_the_reference_leaves_the_start(
    transactional_db,
):
    start = snapshot()
    make_personas()  # committed: a transactional test
    assert rows_of_every_table()[User._meta.db_table] > 0
    flush()
    assert as_at_start(start)
    after = rows_of_every_table()
    assert after[User._meta.db_table] == 0
    assert {name for name, n in after.items() if n} == {t.name for t in start}


def test_a_flush_puts_back_a_changed_state_and_content_types_with_what_refers_to_them(
    transactional_db,
):
    start = snapshot()
    make_personas()
    State.objects.filter(iso3="FRA").update(status=HcocStatus.NOT_SUBSCRIBING)
    State.objects.create(iso3="ZZZ", name="Nowhere")
    # Permissions refer to content types: changing a content type empties both, and the flush
    # still commits (no kept permission points to a deleted content type).
    kind = ContentType.objects.get_for_model(State)
    ContentType.objects.filter(pk=kind.pk).update(model="renamed")
    Permission.objects.filter(content_type=kind).first().delete()
    assert not as_at_start(start)
    flush()
    assert as_at_start(start)
    assert State.objects.get(iso3="FRA").status == HcocStatus.SUBSCRIBING
    assert not State.objects.filter(iso3="ZZZ").exists()


def test_on_postgresql_every_new_connection_to_the_test_database_commits_without_waiting(db):
    """support.database.postgres_commits_unwaited: set for the database, so the servers and
    commands the tests start (new connections) get it too, not only this process."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting; the SQLite leg has no such wait to drop")
    with psycopg.connect(database_url()) as other:
        assert other.execute("SHOW synchronous_commit").fetchone() == ("off",)


def test_the_personas_are_the_rows_the_services_make(db):
    """support.people writes the personas in bulk, for speed: the same rows, field for field,
    as `user_create(password=None)` and `token_create` make (the ids, the names, the random
    parts and the times aside), and each persona's token is the one its row's hash is of."""
    from support.people import PERSONAS

    from hcoc.accounts.models import ApiToken, hash_token
    from hcoc.accounts.services import token_create, user_create

    personas = make_personas()
    apart = {"id", "username", "password", "date_joined", "user_id", "token_hash", "created_at"}
    prefix_apart = apart | {"prefix"}

    def fields(row, leave) -> dict:
        return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields} | {
            name: None for name in leave
        }

    for name, (role, state) in PERSONAS.items():
        user = user_create(username=f"{name}-service", password=None, role=role, state_iso3=state)
        token, raw = token_create(user=user, name="test")
        ours = User.objects.get(username=name)
        our_token = ApiToken.objects.get(user=ours)
        assert fields(ours, apart) == fields(User.objects.get(pk=user.pk), apart), name
        assert not ours.has_usable_password() and ours.password.startswith("!")
        assert fields(our_token, prefix_apart) == fields(token, prefix_apart), name
        persona = personas[name]
        assert (persona.role, persona.state) == (role, state)
        assert our_token.token_hash == hash_token(persona.token)
        assert our_token.prefix == persona.token[:12] and len(raw) == len(persona.token)
