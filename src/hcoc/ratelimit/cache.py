"""Django's database cache with an atomic `incr`.

Django's `DatabaseCache.incr` is `get` then `set`: two workers counting at the same moment both
read n and both write n + 1, and a rate limit lets through more than it should. Here the read and
the write happen in one transaction holding the row: `SELECT ... FOR UPDATE` on PostgreSQL; on
SQLite the transaction itself takes the database's write lock (`transaction_mode` IMMEDIATE in
settings; SQLite's transactions are serializable anyway). Everything else is Django's.
"""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction
from django.utils.timezone import now


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table, cache_key, value, expires = (
            quote(n) for n in (self._table, "cache_key", "value", "expires")
        )
        lock, extra = "", ""
        if connection.vendor == "postgresql":
            # A count is not worth a disk flush per request (about 4 ms): without it, a crash
            # may lose the last few increments, never leave a wrong one. (SET LOCAL, in the same
            # round trip as the read.)
            lock, extra = " FOR UPDATE", ", set_config('synchronous_commit', 'off', true)"
        elif connection.features.has_select_for_update:
            lock = " FOR UPDATE"
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {value}{extra} FROM {table} WHERE {cache_key} = %s AND {expires} >= %s{lock}",  # noqa: S608  (quoted names, values as parameters)
                [key, connection.ops.adapt_datetimefield_value(now().replace(microsecond=0))],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found.")
            stored = connection.ops.process_clob(row[0])
            new = pickle.loads(base64.b64decode(stored.encode())) + delta  # noqa: S301  (our own rows)
            cursor.execute(
                f"UPDATE {table} SET {value} = %s WHERE {cache_key} = %s",  # noqa: S608
                [base64.b64encode(pickle.dumps(new, self.pickle_protocol)).decode("latin1"), key],
            )
        return new
