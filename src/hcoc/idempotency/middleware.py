"""Request size limit and Idempotency-Key for the API.

Idempotency: the first answer to a POST with `Idempotency-Key` is stored for (user, key); a retry
with the same body gets that answer again and creates nothing; the same key with another body
is 422. The record is claimed before the view runs, so two concurrent retries cannot both act.
"""

import hashlib
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone

from hcoc.accounts.services import request_token_user
from hcoc.api import problem_response
from hcoc.lib.errors import FieldProblem

from .models import IdempotencyRecord

API_PREFIX = "/api/"
# Answers that say nothing about the request itself are not kept, so a retry can succeed.
NOT_STORED = {401, 409, 413, 429}
# Meeting document uploads (API and page) carry files up to HCOC_MEETING_DOCUMENT_MAX_BYTES.
UPLOAD_PATH = re.compile(r"^(/api/v1)?/meetings/\d+/documents$")


class RequestSizeLimitMiddleware:
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
            return problem_response(
                413,
                "Payload too large",
                f"The request body is {length} bytes; the limit is {limit}.",
                "payload-too-large",
            )
        return self.get_response(request)


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or key is None or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if not key or len(key) > 255:
            return problem_response(
                422,
                "Invalid input",
                "Idempotency-Key must be 1 to 255 characters.",
                "invalid-input",
                [FieldProblem("Idempotency-Key", "must be 1 to 255 characters")],
            )
        user = request_token_user(request)
        if user is None:
            return self.get_response(request)  # the API answers 401
        fingerprint = hashlib.sha256(
            b"\n".join([request.method.encode(), request.get_full_path().encode(), request.body])
        ).hexdigest()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, request_hash=fingerprint, created_at=timezone.now()
                )
        except IntegrityError:
            return self._replay(user, key, fingerprint)
        response = self.get_response(request)
        if response.status_code >= 500 or response.status_code in NOT_STORED:
            record.delete()
            return response
        record.status_code = response.status_code
        record.content_type = response.get("Content-Type", "")
        record.body = response.content
        record.save(update_fields=["status_code", "content_type", "body"])
        return response

    def _replay(self, user, key, fingerprint):
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is None:  # deleted meanwhile (the first attempt failed): ask for a retry
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
