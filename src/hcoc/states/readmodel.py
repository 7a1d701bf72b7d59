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


def circular_read_model(circular) -> dict:

    return {
        "reference": circular.reference,
        "title": circular.title,
        "text": circular.text,
        "published_at": rfc3339(circular.published_at),
        "author": "ICC",
        "seq": circular.seq,
    }
