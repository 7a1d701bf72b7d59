"""Embedding stored canonical JSON gives exactly the bytes of canonicalising the whole value."""

import json

from hypothesis import given
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
