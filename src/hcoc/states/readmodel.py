from hcoc.lib.timeutil import rfc3339

from .models import State


def state_read_model(state: State) -> dict:
    return {
        "iso3": state.iso3,
        "name": state.name,
        "status": state.status,
        "subscribed_on": state.subscribed_on_text,
        "founding": state.founding,
        "source": state.source,
    }


def contact_read_model(contact) -> dict:
    """A point of contact as subscribers see it (GET /states/{iso3}) and its change records keep it."""
    return {
        "name": contact.name,
        "organisation": contact.organisation,
        "email": contact.email,
        "phone": contact.phone,
    }


def circular_read_model(circular) -> dict:

    return {
        "reference": circular.reference,
        "title": circular.title,
        "text": circular.text,
        "published_at": rfc3339(circular.published_at),
        "author": "ICC",
        "seq": circular.seq,
    }
