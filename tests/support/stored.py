"""What a refused request must leave alone: one snapshot of everything the exchange stores, as
comparable values (every row of every table a request could write, in primary-key order).

    before = stored()
    ...a request that must be refused...
    assert stored() == before

or `with nothing_stored(): ...`. Left out, because using the exchange changes them without
storing anything of it: a token's `last_used_at`, a user's login bookkeeping, the log's
checkpoints (signed on reading), idempotency records (a refused request's answer is kept for
its replay) and sessions.
"""

from contextlib import contextmanager
from functools import cache


def _tables():
    from hcoc.accounts.models import ApiToken, EnrolmentLink, LoginDevice, User
    from hcoc.declarations.models import (
        DeadlineExtension,
        Declaration,
        DeclarationDeadline,
        DeclarationVersion,
        Reminder,
    )
    from hcoc.delivery.models import Alert, AlertPreference, Attempt, Chase, Endpoint, MailCursor
    from hcoc.exchange.models import Acknowledgement, Event
    from hcoc.ledger.models import Cosignature, LogEntry, StateKey
    from hcoc.meetings.models import (
        AgendaItem,
        Attendance,
        Decision,
        Document,
        Meeting,
        Position,
        Proposal,
    )
    from hcoc.notifications.models import Notification, NotificationDraft, NotificationVersion
    from hcoc.observers.models import Addressee, Confirmation, Invitation, Reply
    from hcoc.states.models import (
        Circular,
        PointOfContact,
        PointOfContactChange,
        State,
        Subscription,
    )

    every_field = None
    return [
        (Event, every_field),
        (Acknowledgement, every_field),
        (Notification, every_field),
        (NotificationVersion, every_field),
        (NotificationDraft, every_field),
        (Declaration, every_field),
        (DeclarationVersion, every_field),
        (DeclarationDeadline, every_field),
        (DeadlineExtension, every_field),
        (Reminder, every_field),
        (State, every_field),
        (Subscription, every_field),
        (PointOfContact, every_field),
        (PointOfContactChange, every_field),
        (Circular, every_field),
        (Invitation, every_field),
        (Addressee, every_field),
        (Reply, every_field),
        (Confirmation, every_field),
        (Meeting, every_field),
        (AgendaItem, every_field),
        (Document, every_field),
        (Attendance, every_field),
        (Proposal, every_field),
        (Position, every_field),
        (Decision, every_field),
        (LogEntry, every_field),
        (StateKey, every_field),
        (Cosignature, every_field),
        (User, ("id", "username", "role", "state_id", "is_active", "password")),
        (ApiToken, ("id", "user_id", "name", "token_hash", "revoked_at")),
        (EnrolmentLink, every_field),
        # Which browsers an account trusts; not their failure counts (a refused login counts).
        (LoginDevice, ("id", "user_id")),
        (Endpoint, every_field),
        (Attempt, every_field),
        (AlertPreference, every_field),
        (Alert, every_field),
        (MailCursor, every_field),
        (Chase, every_field),
    ]


@cache
def _queries() -> list[tuple[str, str]]:
    """One plain SELECT a table (the matrices take thousands of snapshots: the ORM's own
    compiling was most of their time)."""
    from django.db import connection

    quote = connection.ops.quote_name
    queries = []
    for model, fields in _tables():
        meta = model._meta
        columns = (
            [meta.get_field(name).column for name in fields]
            if fields
            else [f.column for f in meta.concrete_fields]
        )
        select = ", ".join(quote(c) for c in columns)
        table, order = quote(meta.db_table), quote(meta.pk.column)
        sql = f"SELECT {select} FROM {table} ORDER BY {order}"  # noqa: S608 (the models' names)
        queries.append((model.__name__, sql))
    return queries


def stored() -> dict[str, list]:
    """Every stored row a request could write, by table."""
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for name, sql in _queries():
            cursor.execute(sql)
            out[name] = cursor.fetchall()
    return out


@contextmanager
def nothing_stored():
    before = stored()
    yield
    after = stored()
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"a refused request stored or changed something in {changed}"


def writes() -> int:
    """How many rows this test's database connection has inserted, updated or deleted so far,
    as the database itself counts them (SQLite: `total_changes` of the connection; PostgreSQL:
    the current transaction's n_tup_ins + n_tup_upd + n_tup_del of every table, in
    pg_stat_xact_user_tables), rolled-back writes included. For requests made in-process, on
    the test's own connection and inside its transaction (tests/api/test_access.py's matrix):

        before = writes()
        ...a request that must be refused...
        assert writes() == before

    Stricter than `stored()`: every write counts, also those `stored()` leaves out (a token's
    last use, checkpoints, idempotency records, ...) and those undone before the request ended;
    and one attribute (SQLite) or one query (PostgreSQL) instead of a SELECT a table. A request
    served by another connection (a live server, a process) is not counted: use `stored()`."""
    from django.db import connection

    assert connection.in_atomic_block, "writes() counts within the test's transaction"
    if connection.vendor == "sqlite":
        return connection.connection.total_changes
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0)"
            " FROM pg_stat_xact_user_tables"
        )
        return cursor.fetchone()[0]
