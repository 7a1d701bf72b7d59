from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def cache_table_create(sender, *, using: str, **kwargs) -> None:
    """The database cache's table is not a model, so no migration makes it: create it wherever
    the database is set up (`hcoc migrate`, the demo, the benchmarks' set-up, the tests).
    `createcachetable` makes only tables that are missing, and nothing for the Redis cache."""
    call_command("createcachetable", database=using, verbosity=0)


class RatelimitConfig(AppConfig):
    name = "hcoc.ratelimit"
    label = "ratelimit"

    def ready(self) -> None:
        post_migrate.connect(cache_table_create, sender=self, dispatch_uid="hcoc-cache-table")
