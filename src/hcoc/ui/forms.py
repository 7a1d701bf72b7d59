"""Errors are mapped once: a schema's ValidationError or a service's DomainError becomes a page's
problems here, by the same field paths as the API's problem details, so people see the API's
messages on the right field.

model, problems = validate(PLNIn, body)   # (model, {}) when valid, (None, problems) when not
problems = form_problems(exc)             # {"window.closes": ["must be after window.opens"]}
form.add_problems(problems)               # a ProblemsForm puts them on its fields
"""

from collections import defaultdict

from django import forms
from pydantic import ValidationError

from hcoc.lib.errors import DomainError
from hcoc.lib.problems import field_path, validation_message

NOT_A_FIELD = ("", "body", "__all__")


def form_problems(exc: ValidationError | DomainError) -> dict[str, list[str]]:
    """Field path (as in the API's problem details) -> messages; a domain error that names no
    field is a problem of the whole form ("__all__")."""
    out: dict[str, list[str]] = defaultdict(list)
    if isinstance(exc, ValidationError):
        for e in exc.errors():
            out[field_path(("body", "payload", *e["loc"]))].append(validation_message(e))
    else:
        for p in exc.errors:
            out[p.field].append(p.message)
        if not exc.errors:
            out["__all__"].append(exc.detail)
    return dict(out)


def validate(schema, body: dict):
    """(model, {}) when valid; (None, problems) when not."""
    try:
        return schema.model_validate(body), {}
    except ValidationError as e:
        return None, form_problems(e)


class ProblemsForm(forms.Form):
    """A form whose fields are judged by the API's schemas and services: their problems go on
    the field they came from (`field_for`), the rest above the form, named by their path."""

    def field_for(self, path: str) -> str:
        """The form field of an API field path ("" when none): by default its first part."""
        name = path.split("[")[0].split(".")[0]
        return name if name in self.fields else ""

    def add_problems(self, problems: dict[str, list[str]]) -> None:
        for path, messages in problems.items():
            field = self.field_for(path)
            for message in messages:
                if field:
                    self.add_error(field, message)
                else:
                    self.add_problem_elsewhere(path, message)

    def add_problem_elsewhere(self, path: str, message: str) -> None:
        """A problem of no field: above the form, named by its path."""
        self.add_error(None, message if path in NOT_A_FIELD else f"{path}: {message}")
