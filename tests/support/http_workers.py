"""Client processes for concurrency tests. Django-free on purpose: each process is a plain HTTP
client of the server under test, like a state's own software."""

import time

import httpx


def submit_many(base_url: str, token: str, bodies: list[dict]) -> list[tuple[int, str]]:
    out = []
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for body in bodies:
            r = client.post(
                "/api/v1/notifications", json=body, headers={"Authorization": f"Bearer {token}"}
            )
            out.append((r.status_code, r.json().get("reference", r.text)))
    return out


def submit_and_acknowledge(base_url: str, token: str, body: dict, seconds: float) -> dict:
    """For `seconds`: submit the PLN `body`, then acknowledge everything up to its seq, over and
    over, as a state's system that both sends and receives. Counts answers; any non-2xx is an
    error."""
    out = {"submitted": 0, "acknowledged": 0, "errors": 0}
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=base_url, timeout=60, headers=headers) as client:
        while time.monotonic() < deadline:
            r = client.post("/api/v1/notifications", json=body)
            if r.status_code != 201:
                out["errors"] += 1
                continue
            out["submitted"] += 1
            r = client.post("/api/v1/acknowledgements", json={"up_to": r.json()["seq"]})
            out["acknowledged" if r.status_code == 201 else "errors"] += 1
    return out


RETRY_FOR_SECONDS = 60  # a key is retried until the exchange answers it, within this bound


def _post_until_answered(client, path: str, body: dict, key: str, tally: dict):
    """POST with an Idempotency-Key, retrying the same key while the worker is being killed
    (connection errors) or answers 5xx: the client a state would write. Returns the answer,
    or None if none came within RETRY_FOR_SECONDS."""
    give_up = time.monotonic() + RETRY_FOR_SECONDS
    while time.monotonic() < give_up:
        tally["requests"] += 1
        try:
            r = client.post(path, json=body, headers={"Idempotency-Key": key})
        except httpx.TransportError:
            tally["transport_errors"] += 1
            time.sleep(0.05)
            continue
        if r.status_code >= 500:
            tally["5xx"] += 1
            time.sleep(0.05)
            continue
        if r.status_code == 409 and "in progress" in r.text:
            tally["in_progress"] += 1
            time.sleep(0.05)
            continue
        return r
    tally["gave_up"] += 1
    return None


def crash_client(base_url: str, token: str, body: dict, seconds: float, seed: int) -> dict:
    """A state's system under faults: for `seconds`, submit, amend, cancel and acknowledge at
    random, every POST with its own Idempotency-Key, retried until answered. Returns what the
    exchange answered 2xx (to be checked against the exchange afterwards) and a tally."""
    import random
    import uuid

    rng = random.Random(seed)
    tally = dict.fromkeys(
        ("requests", "transport_errors", "5xx", "in_progress", "gave_up", "conflicts"), 0
    )
    answered: list[dict] = []
    open_refs: list[str] = []
    deadline = time.monotonic() + seconds
    with httpx.Client(
        base_url=base_url + "/api/v1", timeout=30, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        while time.monotonic() < deadline:
            roll = rng.random()
            if roll < 0.45 or not open_refs:
                op, path, payload = "submit", "/notifications", body
            elif roll < 0.65:
                ref = rng.choice(open_refs)
                remarks = f"amended {uuid.uuid4().hex[:8]}"
                op, path, payload = (
                    "amend",
                    f"/notifications/{ref}/amendments",
                    {
                        **body,
                        "remarks": remarks,
                    },
                )
            elif roll < 0.75:
                ref = open_refs.pop(rng.randrange(len(open_refs)))
                op, path, payload = (
                    "cancel",
                    f"/notifications/{ref}/cancellation",
                    {"reason": "crash test"},
                )
            else:
                last = answered[-1]["seq"] if answered else 1
                op, path, payload = "acknowledge", "/acknowledgements", {"up_to": last}
            r = _post_until_answered(client, path, payload, uuid.uuid4().hex, tally)
            if r is None:
                continue
            if r.status_code == 409:
                tally["conflicts"] += 1
                continue
            if not 200 <= r.status_code < 300:
                raise AssertionError(f"{op} {path}: {r.status_code} {r.text[:300]}")
            data = r.json()
            if op == "acknowledge":
                answered.append({"op": op, "seq": last, "acknowledged": data["acknowledged"]})
                continue
            answered.append(
                {
                    "op": op,
                    "reference": data["reference"],
                    "version": data["version"],
                    "status": data["status"],
                    "seq": data["seq"],
                }
            )
            if op == "submit":
                open_refs.append(data["reference"])
    return {"answered": answered, "tally": tally}
