"""The access rules' one vocabulary: each app's `access.py` writes a rule once, as `require_x`,
which returns the actor (or what the rule decides) or raises NotAuthenticated or
PermissionDenied; `may_x = may(require_x)` asks the same rule without raising, for what a page
offers. A rule is never written twice, once raising and once answering yes or no."""

from collections.abc import Callable

from .errors import NotAuthenticated, PermissionDenied


def may(rule: Callable[..., object]) -> Callable[..., bool]:
    """`rule` asked without raising: True when it lets the actor through."""

    def asked(*args, **kwargs) -> bool:
        try:
            rule(*args, **kwargs)
        except (NotAuthenticated, PermissionDenied):
            return False
        return True

    asked.__name__ = asked.__qualname__ = "may_" + rule.__name__.removeprefix("require_")
    asked.__doc__ = f"Whether `{rule.__name__}` lets the actor through, asked without raising."
    return asked
