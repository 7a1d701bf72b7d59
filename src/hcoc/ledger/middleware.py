"""Request signatures in, receipts out.

Before the view:
- the API: a POST that carries `HCoC-Signature` (and every API POST by a user of a state that has
  a root or a registered key: such a state's acts count only signed) is verified against that
  state's system keys (kind `state`; in a state with a root, only keys its root certified);
- the pages: a form that the user's browser signed (static/hcoc/sign.js puts `hcoc_sig_keyid`,
  `hcoc_sig_created` and `hcoc_sig` in it) is verified against that user's own browser key, over
  the form's fields as a JSON object (name -> list of values, RFC 8785) and the page's path.
A bad, unknown, revoked or replayed signature is refused before any view runs, so nothing is
stored. The verified signature goes to the log's leaves (ledger.services.leaf_append), which
refuse an unsigned act in the name of a state that has a root.
After the view: a 2xx JSON answer that appended log leaves gets `"receipts": [...]`, one per leaf.
"""

import hashlib
import json
import re
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponseForbidden
from django.utils import timezone
from django.utils.html import escape

from hcoc.accounts.services import request_token_user
from hcoc.lib.errors import FieldProblem
from hcoc.lib.jsonbody import JsonTooDeep
from hcoc.ui.http import problem_response

from . import request_context
from .client import (
    SIGNATURE_HEADER,
    body_digest,
    canonical_bytes,
    signature_parse,
    signing_input,
)
from .models import KeyKind, SeenSignature, StateKey
from .services import receipt, state_rooted

API_PREFIX = "/api/"


def _refuse(status: int, detail: str, slug: str = "bad-signature"):
    return problem_response(
        status, "Signature not accepted", detail, slug, [FieldProblem(SIGNATURE_HEADER, detail)]
    )


# Key registration and revocation carry the root's own signatures (ledger.services): they need no
# request signature, or a state's first key could never be registered.
KEY_PATHS = re.compile(r"^/api/v1/states/[A-Za-z]{3}/(roots|keys)(/|$)")


def _state_must_sign(user) -> bool:
    if not user.state_id:
        return False
    now = timezone.now()
    return any(
        k.valid_at(now) or k.kind == KeyKind.ROOT
        for k in StateKey.objects.filter(
            state_id=user.state_id, kind__in=[KeyKind.STATE, KeyKind.ROOT]
        )
    )


def _key_problem(key, parsed, user, kind: str) -> str | None:
    """Why this key may not sign this user's request (None when it may)."""
    if key is None or key.kind != kind:
        return f"no registered {'browser' if kind == KeyKind.BROWSER else 'state'} key {parsed.key_id!r}"
    if key.state_id != user.state_id:
        return f"key {parsed.key_id} is not a key of your state"
    if kind == KeyKind.BROWSER and key.user_id != user.pk:
        return f"key {parsed.key_id} is another user's browser key"
    if not key.certified_by and state_rooted(user.state_id):
        return f"key {parsed.key_id} is not certified by {user.state_id}'s root"
    now = timezone.now()
    if not key.valid_at(now):
        return f"key {parsed.key_id} is {'revoked' if key.revoked_at and key.revoked_at <= now else 'not yet valid'}"
    return None


def _signature_checked(request, parsed, key, digest: str, body_obj, path: str, kind: str):
    """The SignedRequest once the signature verifies and was never used before, else a
    problem response."""
    if abs(parsed.created - int(time.time())) > settings.SIGNATURE_MAX_SKEW:
        return None, _refuse(
            401, f"created is more than {settings.SIGNATURE_MAX_SKEW} s from the exchange's clock"
        )
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
    return request_context.SignedRequest(
        key_id=parsed.key_id,
        created=parsed.created,
        sig=parsed.sig,
        method=request.method,
        path=path,
        body=body_obj,
        body_sha256=digest,
        kind=kind,
    ), None


# ---- the pages: forms signed in the user's browser ------------------------------------------

PAGE_SIGNATURE_FIELDS = ("hcoc_sig_keyid", "hcoc_sig_created", "hcoc_sig")
UNSIGNED_FIELDS = ("csrfmiddlewaretoken", *PAGE_SIGNATURE_FIELDS)


def form_body(post) -> dict[str, list[str]]:
    """What a page's signature covers: every field of the form (but the CSRF token and the
    signature's own), name -> its values in order. static/hcoc/sign.js builds the same."""
    return {name: post.getlist(name) for name in post if name not in UNSIGNED_FIELDS}


def verify_page_form(request, user):
    """The verified SignedRequest of a form the user's browser signed, None for an unsigned
    form, or a refusal (an HttpResponse) for a signature that is not good."""
    if not all(request.POST.get(name) for name in PAGE_SIGNATURE_FIELDS):
        return None, None
    header = "; ".join(
        f"{name}={request.POST[field]}"
        for name, field in zip(("keyid", "created", "sig"), PAGE_SIGNATURE_FIELDS, strict=True)
    )
    try:
        parsed = signature_parse(header)
    except ValueError as e:
        return None, _page_refusal(f"The signature made in your browser is malformed ({e}).")
    key = StateKey.objects.filter(key_id=parsed.key_id).first()
    problem = _key_problem(key, parsed, user, KeyKind.BROWSER)
    if problem:
        return None, _page_refusal(f"This browser's signature was not accepted: {problem}.")
    body = form_body(request.POST)
    digest = hashlib.sha256(canonical_bytes(body)).hexdigest()
    signed, refusal = _signature_checked(
        request, parsed, key, digest, body, request.get_full_path(), KeyKind.BROWSER
    )
    if refusal is not None:
        detail = json.loads(refusal.content).get("detail", "")
        return None, _page_refusal(f"This browser's signature was not accepted: {detail}.")
    return signed, None


def _page_refusal(text: str):
    return HttpResponseForbidden(
        f"<h1>Not signed</h1><p>{escape(text)}</p><p>Nothing was sent. Go back and try again; "
        "if it happens again, set up signing anew on your account page.</p>"
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
    problem = _key_problem(key, parsed, user, KeyKind.STATE)
    if problem:
        return None, _refuse(403 if "your state" in problem else 401, problem)
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
    return _signature_checked(
        request, parsed, key, digest, body_obj, request.get_full_path(), KeyKind.STATE
    )


class LedgerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST":
            return self.get_response(request)
        signed = None
        if not request.path.startswith(API_PREFIX):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and user.state_id:
                signed, refusal = verify_page_form(request, user)
                if refusal is not None:
                    return refusal
            return self._run(request, signed, receipts=False)
        user = request_token_user(request)
        must = SIGNATURE_HEADER in request.headers or (
            _state_must_sign(user) if user is not None else False
        )
        if (
            user is not None
            and must
            and not (KEY_PATHS.match(request.path) and SIGNATURE_HEADER not in request.headers)
        ):
            signed, problem = verify_request(request, user)
            if problem is not None:
                return problem
        return self._run(request, signed, receipts=True)

    def _run(self, request, signed, *, receipts: bool):
        signed_token = request_context.signed_request.set(signed)
        # Only an API answer carries receipts (and only then is a checkpoint signed with each
        # leaf: hcoc.ledger.services.leaf_append); a page's writes are checkpointed as before.
        appended_token = request_context.appended.set([] if receipts else None)
        try:
            response = self.get_response(request)
            indexes = list(request_context.appended.get() or [])
        finally:
            request_context.signed_request.reset(signed_token)
            request_context.appended.reset(appended_token)
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
