from django_tasks import task

from .alerts import digests_send
from .chases import chases_send_due
from .webhooks import deliver_due


@task()
def deliver() -> int:
    """One delivery pass (for a django-tasks worker instead of `hcoc deliver`)."""
    return deliver_due()


@task()
def send_digests() -> int:
    """The daily e-mail digests. With the default (immediate) backend it runs when enqueued."""
    return digests_send()


@task()
def send_chases() -> int:
    """The ICC's daily chase of unacknowledged items."""
    return len(chases_send_due())
