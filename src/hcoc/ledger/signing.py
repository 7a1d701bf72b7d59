"""A template context processor (registered in settings, the composition root): the signing
configuration static/hcoc/sign.js reads on every page of a state's user."""

from .selectors import signing_config


def signing(request) -> dict:
    user = getattr(request, "user", None)
    config = signing_config(user) if user is not None else None
    return {"signing": config} if config is not None else {}
