from django_tasks import task

from .services import reminders_send


@task()
def send_reminders() -> int:
    """The daily reminders run. With the default (immediate) backend it runs when enqueued."""
    return len(reminders_send())
