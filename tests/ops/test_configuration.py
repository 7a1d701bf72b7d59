from pathlib import Path

import pytest
from django.conf import settings

from hcoc import settings as hcoc_settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_every_environment_variable_read_by_settings_is_documented():
    documented = DOCS.read_text()
    assert hcoc_settings.ENV_VARS, "settings registered no variables: the check would be empty"
    missing = [name for name in hcoc_settings.ENV_VARS if f"`{name}`" not in documented]
    assert missing == []


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(db):
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite only")
    from django.db import connection

    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0].lower() == "wal"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
