"""Several processes submitting at the same moment still get unique references and one gap-free
exchange sequence (the point of the sequence lock). Runs on SQLite and PostgreSQL."""

import multiprocessing
from collections import Counter

import pytest
from support import ON_POSTGRES
from support.bodies import pln
from support.http_workers import submit_many

PROCESSES = 4
EACH = 8


@pytest.mark.process
def test_concurrent_submissions_from_several_processes_get_unique_references_and_a_gap_free_sequence(
    api, personas, live_server
):
    who = [personas["fra_submitter"], personas["jpn_submitter"]] * (PROCESSES // 2)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(PROCESSES) as pool:
        results = pool.starmap(
            submit_many, [(live_server.url, p.token, [pln() for _ in range(EACH)]) for p in who]
        )
    statuses = Counter(code for batch in results for code, _ in batch)
    assert statuses == {201: PROCESSES * EACH}, (ON_POSTGRES, statuses)

    refs = [ref for batch in results for _, ref in batch]
    assert len(set(refs)) == len(refs)
    for state in ("FRA", "JPN"):
        numbers = sorted(int(r.rsplit("-", 1)[1]) for r in refs if r.startswith(state))
        assert numbers == list(range(1, len(numbers) + 1)), f"{state} references skip or repeat"

    feed = api.get("/feed", personas["jpn_reader"], params={"limit": 1000}).json()
    assert [i["seq"] for i in feed["items"]] == list(range(1, PROCESSES * EACH + 1))
    assert sorted(i["subject"] for i in feed["items"]) == sorted(refs)
