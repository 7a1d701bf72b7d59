"""Request size limit and Idempotency-Key for the API.

Idempotency: the first answer to a POST with `Idempotency-Key` is stored for (user, key); a retry
with the same body gets that answer again and creates nothing; the same key with another body
is 422.

The key's record, the write and the answer commit in ONE transaction: either all of them exist or
none does. A worker killed mid-request therefore leaves no claim behind (a retry runs afresh),
and never a committed write without its answer (which would leave the client unable to learn
what it created, and a retry under a new key would duplicate it). A concurrent retry waits for
the first attempt's transaction: on PostgreSQL at the key's unique index, on SQLite at the
database's one write lock; then it replays the committed answer. A claim found without an
answer (left by an older version that committed claims separately) lapses after
HCOC_IDEMPOTENCY_CLAIM_LAPSE_SECONDS.
"""

import hashlib
import io
import re
from datetime import timedelta

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.core.handlers.wsgi import LimitedStream
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone

from hcoc.accounts.services import request_token_user
from hcoc.lib.errors import FieldProblem
from hcoc.lib.jsonbody import text_problem
from hcoc.ui.http import problem_response

from .models import IdempotencyRecord

API_PREFIX = "/api/"
# Answers that say nothing about the request's content are not kept, so a retry can succeed (415:
# the fingerprint leaves out the Content-Type, so a retry with it corrected must run).
NOT_STORED = {401, 409, 413, 415, 429}
# Meeting document uploads (API and page) carry files up to HCOC_MEETING_DOCUMENT_MAX_BYTES.
UPLOAD_PATH = re.compile(r"^(/api/v1)?/meetings/\d+/documents$")


def _too_large(length: int, limit: int):
    return problem_response(
        413,
        "Payload too large",
        f"The request body is {length} bytes; the limit is {limit}.",
        "payload-too-large",
    )


class RequestSizeLimitMiddleware:
    """Refuse bodies over the limit, before anything reads them. A body sent chunked (no
    Content-Length) is read here, up to the limit, so the views see it whole: Django's WSGI
    request would otherwise read it as empty."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_REQUEST_BYTES
        if request.method == "POST" and UPLOAD_PATH.match(request.path):
            limit = max(limit, settings.UPLOAD_MAX_REQUEST_BYTES)
        if length > limit:
            return _too_large(length, limit)
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not request.META.get("CONTENT_LENGTH"):
            problem = self._read_chunked(request, limit)
            if problem is not None:
                return problem
        return self.get_response(request)

    @staticmethod
    def _read_chunked(request, limit: int):
        """Read a chunked body (the server has decoded the chunks) and hand it to Django as if
        it had come with its length; None when done, else the problem to answer."""
        if isinstance(request, ASGIRequest):
            # The ASGI handler has read the whole body already, at most ASGI_BODY_CAP bytes of
            # it (asgi_body_limit): measure it.
            stream = request._stream
            size = stream.seek(0, io.SEEK_END)
            stream.seek(0)
            if size > limit or request.scope.get(OVER_CAP):
                return _too_large(size, limit)
            request.META["CONTENT_LENGTH"] = str(size)
            return None
        stream = request.META.get("wsgi.input")
        if stream is None or not request.META.get("wsgi.input_terminated"):
            # The server cannot say where a chunked body ends (e.g. Django's development
            # server): refuse rather than read it as empty.
            return problem_response(
                411,
                "Length required",
                "Send the request body with a Content-Length header.",
                "length-required",
            )
        data = stream.read(limit + 1)
        if len(data) > limit:
            return _too_large(len(data), limit)
        request.META["CONTENT_LENGTH"] = str(len(data))
        request._stream = LimitedStream(io.BytesIO(data), len(data))
        return None


OVER_CAP = "hcoc.body_over_cap"


def asgi_body_limit(app):
    """Wraps the ASGI application: Django's ASGI handler reads a request's whole body before any
    middleware runs, so RequestSizeLimitMiddleware could only refuse a huge body after it was
    spooled to disk. This stops reading at the largest body any path takes (a declared
    Content-Length above it, or a chunked body that grows past it): the request then reaches
    Django cut short and marked, and RequestSizeLimitMiddleware answers 413 as under WSGI."""

    async def limited(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        cap = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        seen = 0
        over = declared.isdigit() and int(declared) > cap

        async def capped():
            nonlocal seen, over
            if over:
                return {"type": "http.request", "body": b"", "more_body": False}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    over = scope[OVER_CAP] = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        return await app(scope, capped, send)

    return limited


class _NotKept(Exception):
    """An answer that is not kept for replay: its transaction (claim and all) rolls back."""

    def __init__(self, response):
        self.response = response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or key is None or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if not key or len(key) > 255 or text_problem(key):
            return problem_response(
                422,
                "Invalid input",
                "Idempotency-Key must be 1 to 255 characters, without NUL.",
                "invalid-input",
                [FieldProblem("Idempotency-Key", "must be 1 to 255 characters, without NUL")],
            )
        user = request_token_user(request)
        if user is None:
            return self.get_response(request)  # the API answers 401
        fingerprint = hashlib.sha256(
            b"\n".join([request.method.encode(), request.get_full_path().encode(), request.body])
        ).hexdigest()
        self._lapse(user, key)
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        record = IdempotencyRecord.objects.create(
                            user=user, key=key, request_hash=fingerprint, created_at=timezone.now()
                        )
                except IntegrityError:
                    # Committed by an earlier attempt (a concurrent one has finished by now:
                    # the insert waited for its transaction).
                    return self._replay(user, key, fingerprint)
                # The view's writes sit in a savepoint: an answer that is not kept rolls them
                # back with the claim, and a database error inside the view cannot leave this
                # transaction unusable.
                with transaction.atomic():
                    response = self.get_response(request)
                    if response.status_code >= 500 or response.status_code in NOT_STORED:
                        raise _NotKept(response)
                record.status_code = response.status_code
                record.content_type = response.get("Content-Type", "")
                record.body = response.content
                record.save(update_fields=["status_code", "content_type", "body"])
        except _NotKept as not_kept:
            return not_kept.response
        return response

    @staticmethod
    def _lapse(user, key) -> None:
        """Forget a claim without an answer once it is older than the lapse time."""
        cutoff = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_CLAIM_LAPSE_SECONDS)
        IdempotencyRecord.objects.filter(
            user=user, key=key, status_code__isnull=True, created_at__lt=cutoff
        ).delete()

    def _replay(self, user, key, fingerprint):
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is None:  # the first attempt was not kept (it failed): ask for a retry
            return problem_response(409, "Conflict", "Retry the request.", "conflict")
        if record.request_hash != fingerprint:
            return problem_response(
                422,
                "Invalid input",
                "This Idempotency-Key was used for a different request.",
                "invalid-input",
                [FieldProblem("Idempotency-Key", "already used with another request body or path")],
            )
        if record.status_code is None:
            return problem_response(
                409,
                "Conflict",
                "A request with this Idempotency-Key is still in progress.",
                "conflict",
            )
        response = HttpResponse(
            bytes(record.body), status=record.status_code, content_type=record.content_type
        )
        response["Idempotent-Replayed"] = "true"
        return response
