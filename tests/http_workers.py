"""Client processes for concurrency tests. Django-free on purpose: each process is a plain HTTP
client of the server under test, like a state's own software."""

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
