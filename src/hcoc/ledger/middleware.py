"""Request signatures in, receipts out, for the API's POSTs.

Before the view: a request that carries `HCoC-Signature` (and every API POST by a user of a state
that has registered a key: once a state has a key, the API accepts nothing unsigned in its name;
its people on the web pages are signed for by its custodial key, if it opted in) is
verified against that state's keys; a bad, unknown, revoked or replayed signature is refused
before any service runs, so nothing is stored.
After the view: a 2xx JSON answer that appended log leaves gets `"receipts": [...]`, one per leaf.
"""

import hashlib
import json
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hcoc.accounts.services import request_token_user
from hcoc.lib.errors import FieldProblem
from hcoc.lib.jsonbody import JsonTooDeep
from hcoc.ui.http import problem_response

from . import context
from .client import SIGNATURE_HEADER, body_digest, signature_parse, signing_input
from .models import KeyKind, SeenSignature, StateKey
from .services import receipt

API_PREFIX = "/api/"


def _refuse(status: int, detail: str, slug: str = "bad-signature"):
    return problem_response(
        status, "Signature not accepted", detail, slug, [FieldProblem(SIGNATURE_HEADER, detail)]
    )


def _state_must_sign(user) -> bool:
    if not user.state_id:
        return False
    now = timezone.now()
    return any(
        k.valid_at(now) for k in StateKey.objects.filter(state_id=user.state_id, kind=KeyKind.STATE)
    )


def verify_request(request, user):
    """The verified SignedRequest, or a problem response saying why not."""
    header = request.headers.get(SIGNATURE_HEADER)
    if header is None:
        return None, _refuse(
            401,
            f"{user.state_id} has registered signing keys: sign every request "
            f"(header {SIGNATURE_HEADER}, see the API docs).",
            "signature-required",
        )
    try:
        parsed = signature_parse(header)
    except ValueError as e:
        return None, _refuse(401, f"malformed {SIGNATURE_HEADER}: {e}")
    key = StateKey.objects.filter(key_id=parsed.key_id).first()
    if key is None or key.kind != KeyKind.STATE:
        return None, _refuse(401, f"no registered state key {parsed.key_id!r}")
    if key.state_id != user.state_id:
        return None, _refuse(403, f"key {parsed.key_id} is not a key of your state")
    now = timezone.now()
    if not key.valid_at(now):
        why = "revoked" if key.revoked_at and key.revoked_at <= now else "not yet valid"
        return None, _refuse(401, f"key {parsed.key_id} is {why}")
    if abs(parsed.created - int(time.time())) > settings.SIGNATURE_MAX_SKEW:
        return None, _refuse(
            401, f"created is more than {settings.SIGNATURE_MAX_SKEW} s from the exchange's clock"
        )
    content_type = request.content_type or ""
    body_obj = None
    try:
        digest = body_digest(request.body, content_type)
        if request.body and content_type.lower() == "application/json":
            body_obj = json.loads(request.body)
    except JsonTooDeep as e:
        return None, problem_response(
            400,
            "Bad request",
            f"The request body is nested more than {e.limit} levels deep.",
            "bad-request",
            [FieldProblem("body", str(e))],
        )
    except ValueError:
        return None, problem_response(
            400,
            "Bad request",
            "The request body is not valid JSON.",
            "bad-request",
            [FieldProblem("body", "not valid JSON")],
        )
    path = request.get_full_path()
    try:
        Ed25519PublicKey.from_public_bytes(bytes(key.public_key)).verify(
            parsed.sig, signing_input(request.method, path, parsed.created, digest)
        )
    except InvalidSignature:
        return None, _refuse(
            401, f"the signature does not verify with key {parsed.key_id} over this request"
        )
    try:
        with transaction.atomic():
            # A signature older than twice the allowed skew is refused as stale anyway: forget it.
            SeenSignature.objects.filter(
                created__lt=int(time.time()) - 2 * settings.SIGNATURE_MAX_SKEW
            ).delete()
            SeenSignature.objects.create(
                digest=hashlib.sha256(parsed.sig).hexdigest(),
                key_id=parsed.key_id,
                created=parsed.created,
            )
    except IntegrityError:
        return None, _refuse(409, "this signature was already used (a replayed request)")
    return context.SignedRequest(
        key_id=parsed.key_id,
        created=parsed.created,
        sig=parsed.sig,
        method=request.method,
        path=path,
        body=body_obj,
        body_sha256=digest,
    ), None


class LedgerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST" or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        user = request_token_user(request)
        signed = None
        if user is not None and (SIGNATURE_HEADER in request.headers or _state_must_sign(user)):
            signed, problem = verify_request(request, user)
            if problem is not None:
                return problem
        signed_token = context.signed_request.set(signed)
        appended_token = context.appended.set([])
        try:
            response = self.get_response(request)
            indexes = list(context.appended.get() or [])
        finally:
            context.signed_request.reset(signed_token)
            context.appended.reset(appended_token)
        if indexes and 200 <= response.status_code < 300:
            response = _with_receipts(response, indexes)
        return response


def _with_receipts(response, indexes):

    if not response.get("Content-Type", "").startswith("application/json"):
        return response
    try:
        body = json.loads(response.content)
    except ValueError:
        return response
    if not isinstance(body, dict):
        return response
    body["receipts"] = [receipt(i) for i in indexes]
    response.content = json.dumps(body).encode()
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    return response
