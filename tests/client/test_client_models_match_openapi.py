"""hcoc-client's hand-written models and operations against the OpenAPI document the exchange
serves: a change to one without the other fails here (issue 26). Checked, for every model of
`hcoc_client.MODELS` and the schema its `__schema__` names:

- every field of the model is a property of the schema, with a compatible JSON type (a nested
  model's schema is the one the property refers to);
- request models: every property the schema requires is a field the model requires (no
  default), and no required field of the model is optional in the schema;
- answer models: a field the model requires (no default) is one the schema requires, and a
  field the schema allows to be null is Optional in the model;
- the `receipts` of a write's answer are in the 201 answer of each operation that writes it;
- every operation the client calls exists at its path with its method and operation id, which
  the client's README names."""

import dataclasses
import types
import typing
from pathlib import Path

import hcoc_client
import pytest
from hcoc_client.models import Model

JSON_TYPES = {int: {"integer"}, float: {"number", "integer"}, str: {"string"}, bool: {"boolean"}}


@pytest.fixture(scope="module")
def document():
    # The document as the exchange builds it for /api/v1/openapi.json (the same call serves it).
    from hcoc.api import api

    return api.get_openapi_schema(path_prefix="/api/v1")


def _resolve(document, schema: dict) -> tuple[dict, str | None]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return document["components"]["schemas"][name], name
    return schema, None


def _properties(document, schema: dict) -> tuple[dict, set]:
    """Properties and required names, with allOf merged (an answer plus its `receipts`)."""
    schema, _ = _resolve(document, schema)
    props, required = dict(schema.get("properties", {})), set(schema.get("required", []))
    for part in schema.get("allOf", []):
        p, r = _properties(document, part)
        props.update(p)
        required |= r
    return props, required


def _variants(document, schema: dict) -> list[tuple[str, str | None, dict]]:
    """(JSON type, referenced schema name, schema) for each alternative of a property."""
    out = []
    for alt in schema.get("anyOf", [schema]):
        resolved, name = _resolve(document, alt)
        if "enum" in resolved and "type" not in resolved:
            out.append(("string", None, resolved))
        else:
            out.append((resolved.get("type", "object"), name, resolved))
    return out


def _problems_of_type(document, where: str, annotation, schema: dict) -> list[str]:
    problems = []
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    optional = origin in (typing.Union, types.UnionType) and type(None) in args
    if optional:
        [annotation] = [a for a in args if a is not type(None)]
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    variants = [v for v in _variants(document, schema) if v[0] != "null"]
    if not variants:
        return problems
    kind, ref, resolved = variants[0]
    if origin is list:
        if kind != "array":
            return [f"{where}: a list in the client, {kind} in the document"]
        return _problems_of_type(document, where + "[]", args[0], resolved.get("items", {}))
    if origin is typing.Literal:
        allowed = set(resolved.get("enum", []))
        if allowed and not set(args) <= allowed:
            problems.append(f"{where}: {sorted(set(args) - allowed)} not in the document's enum")
        return problems
    if origin is dict or annotation is dict:
        if kind != "object":
            problems.append(f"{where}: an object in the client, {kind} in the document")
        return problems
    if isinstance(annotation, type) and issubclass(annotation, Model):
        if kind != "object":
            problems.append(f"{where}: a model in the client, {kind} in the document")
        elif ref is not None and ref != annotation.__schema__:
            problems.append(
                f"{where}: {annotation.__schema__} in the client, {ref} in the document"
            )
        return problems
    if kind not in JSON_TYPES.get(annotation, set()):
        problems.append(f"{where}: {annotation.__name__} in the client, {kind} in the document")
    return problems


def drift(document, model: type[Model]) -> list[str]:
    schemas = document["components"]["schemas"]
    if model.__schema__ not in schemas:
        return [f"{model.__name__}: no schema {model.__schema__} in the document"]
    props, required = _properties(document, schemas[model.__schema__])
    for operation_id in model.__written_by__:
        [answer] = [
            op["responses"]["201"]["content"]["application/json"]["schema"]
            for path in document["paths"].values()
            for op in path.values()
            if isinstance(op, dict) and op.get("operationId") == operation_id
        ]
        props = {**_properties(document, answer)[0], **props}
    hints = typing.get_type_hints(model)
    fields = {f.name: f for f in dataclasses.fields(model) if f.name != "extra"}
    problems = []
    for name, f in fields.items():
        where = f"{model.__name__}.{name}"
        has_default = f.default is not dataclasses.MISSING or (
            f.default_factory is not dataclasses.MISSING
        )
        if name not in props:
            problems.append(f"{where}: not in the document's {model.__schema__}")
            continue
        problems += _problems_of_type(document, where, hints[name], props[name])
        nullable = any(v[0] == "null" for v in _variants(document, props[name]))
        optional_in_client = type(None) in typing.get_args(hints[name])
        if model.__request__:
            if not has_default and name not in required:
                problems.append(f"{where}: required by the client, optional in the document")
            if optional_in_client and not nullable and name in required:
                problems.append(f"{where}: may be left out by the client, required in the document")
        else:
            if not has_default and name not in required:
                problems.append(f"{where}: required by the client, optional in the document")
            if nullable and not optional_in_client:
                problems.append(f"{where}: the document allows null, the client does not")
    if model.__request__:
        for name in sorted(required - set(fields)):
            problems.append(f"{model.__name__}: lacks {name}, which {model.__schema__} requires")
        for name in sorted(required & set(fields)):
            f = fields[name]
            if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING:
                problems.append(
                    f"{model.__name__}.{name}: the document requires it, the client defaults it"
                )
    return problems


def test_every_model_of_the_client_matches_its_schema_in_the_openapi_document(document):
    problems = [p for model in hcoc_client.MODELS for p in drift(document, model)]
    assert problems == []


def test_every_operation_the_client_calls_is_in_the_document_with_its_id(document):
    missing = []
    for name, (method, path, operation_id) in hcoc_client.OPERATIONS.items():
        op = document["paths"].get("/api/v1" + path, {}).get(method.lower())
        if op is None or op.get("operationId") != operation_id:
            missing.append(f"{name}: {method} {path} as {operation_id}")
    assert missing == []


def test_the_clients_readme_names_the_operation_id_of_each_method():
    """The table of clients/python/README.md, *What each method calls*, shows each id the client
    calls, so a developer can find the operation in the OpenAPI document."""
    readme = (Path(hcoc_client.__file__).parents[2] / "README.md").read_text()
    table = readme.split("\n## What each method calls\n", 1)[1].split("\n## ", 1)[0]
    unnamed = [
        f"{name}: {operation_id}"
        for name, (_, _, operation_id) in hcoc_client.OPERATIONS.items()
        if f"`{operation_id}`" not in table
    ]
    assert unnamed == []


def test_the_check_finds_drift_when_a_model_and_the_document_differ(document):
    """The check above can fail: a renamed field, a wrong type, a lost required field."""

    @dataclasses.dataclass
    class Renamed(Model):
        __schema__ = "Receipt"
        index: int
        sequence: int | None  # the document calls it seq
        leaf_hash: str
        checkpoint: str
        inclusion_proof: list[str]

    @dataclasses.dataclass
    class WrongType(Model):
        __schema__ = "FeedPage"
        items: list[hcoc_client.FeedItem]
        last_seq: str
        more: bool

    @dataclasses.dataclass
    class LacksRequired(Model):
        __request__ = True
        __schema__ = "LaunchReportIn"
        launched_at: str

    assert drift(document, Renamed) == [
        "Renamed.sequence: not in the document's Receipt",
    ]
    assert drift(document, WrongType) == [
        "WrongType.last_seq: str in the client, integer in the document"
    ]
    assert drift(document, LacksRequired) == [
        "LacksRequired: lacks outcome, which LaunchReportIn requires"
    ]
