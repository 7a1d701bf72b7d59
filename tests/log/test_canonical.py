"""Embedding stored canonical JSON gives exactly the bytes of canonicalising the whole value."""

import json

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from hcoc.lib.canonical import Canonical, canonical_dumps, canonical_dumps_embedding

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(outer=st.dictionaries(st.text(max_size=8), json_values, max_size=5), inner=json_values)
def test_an_embedded_canonical_value_serialises_as_if_it_were_parsed(outer, inner):
    whole = {**outer, "payload": inner}
    embedded = {**outer, "payload": Canonical(canonical_dumps(inner))}
    assert canonical_dumps_embedding(embedded) == canonical_dumps(whole)
    assert json.loads(canonical_dumps_embedding(embedded)) == json.loads(canonical_dumps(whole))


def test_a_string_that_looks_like_the_marker_is_left_alone():
    value = {"a": "hcoc-embedded-", "b": Canonical('{"x":1}')}
    assert canonical_dumps_embedding(value) == '{"a":"hcoc-embedded-","b":{"x":1}}'


# What the fast path must agree with: the reference encoder, on any JSON value, with floats of
# every magnitude (exponents both ways, whole, negative zero) and text of any code point.
any_floats = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(
    [0.0, -0.0, 1e-4, 9.99e-5, 1e-7, 1e16, 1e21, 2.0**53, 2.0**53 + 2, -(2.0**53), 90.0, 0.1]
)
wide_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | any_floats
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=500)
@given(value=wide_values)
def test_canonical_dumps_writes_the_reference_encoders_bytes(value):
    assert canonical_dumps(value) == rfc8785.dumps(value).decode("utf-8")


def test_canonical_dumps_refuses_what_the_reference_refuses():
    for bad in [2**53, float("nan"), float("inf"), {1: "a"}, "\ud800", {"a": object()}]:
        with pytest.raises((rfc8785.CanonicalizationError, TypeError, ValueError)):
            rfc8785.dumps(bad)
        with pytest.raises((rfc8785.CanonicalizationError, TypeError, ValueError)):
            canonical_dumps(bad)


def test_keys_beyond_the_basic_plane_sort_by_utf16_as_the_reference_does():
    # U+FF61 sorts after U+1F600 by code point, before it by UTF-16 code units (RFC 8785 3.2.3).
    value = {"\uff61": 1, "\U0001f600": 2, "a": 2.5e-7, "b": [1.0, -0.0, 1e300]}
    assert canonical_dumps(value) == rfc8785.dumps(value).decode("utf-8")
    assert canonical_dumps(value).index("\U0001f600") < canonical_dumps(value).index("\uff61")


def test_choices_and_enums_are_written_as_their_values_as_the_reference_does():
    import enum

    class Colour(enum.StrEnum):
        RED = "red"

    class Size(enum.IntEnum):
        BIG = 7

    class Kind(str, enum.Enum):  # noqa: UP042 (its __str__ is its name: the case to test)
        A = "a\n"

    value = {"c": Colour.RED, "s": Size.BIG, "k": [Kind.A], "f": True}
    assert canonical_dumps(value) == rfc8785.dumps(value).decode("utf-8")
    assert canonical_dumps(value) == '{"c":"red","f":true,"k":["a\\n"],"s":7}'
