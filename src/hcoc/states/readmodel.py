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
