"""Rate limits per API token, per client address and per login (issue 10).

Counters live in Django's cache (`CACHES["default"]`: the database by default, Redis with
`REDIS_URL`), so every gunicorn worker and every server counts in the same place.
"""
