"""The transparency log's API (fixed paths: states' own verifiers are written against them)."""

from django.http import HttpResponse
from ninja import Query, Router, Status

from hcoc.ui.doors import ICC_ONLY, STATE_MEMBERS

from . import selectors, services
from .schemas import (
    Checkpoints,
    ConfirmIn,
    ConsistencyProof,
    CosignatureIn,
    CosignatureOut,
    Entries,
    InclusionProof,
    KeyIn,
    KeyOut,
    Keys,
    Receipt,
    RevokeIn,
    RootIn,
)

router = Router(tags=["transparency log"])


@router.get(
    "/log/checkpoint",
    operation_id="checkpoint_get",
    summary="The latest checkpoint: a signed note (text/plain) with its cosignatures",
    response={200: str},
)
def checkpoint(request):
    text = selectors.checkpoint_latest_for(actor=request.auth)
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@router.get(
    "/log/checkpoints",
    operation_id="checkpoint_list",
    response=Checkpoints,
    summary="Every checkpoint, oldest first",
)
def checkpoints(request, after_size: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=1000)):
    return selectors.checkpoints_for(actor=request.auth, after_size=after_size, limit=limit)


@router.get(
    "/log/entries",
    operation_id="entry_list",
    response=Entries,
    summary="Leaves start..end (inclusive), ≤ 1,000",
)
def entries(request, start: int = Query(..., ge=0), end: int = Query(..., ge=0)):
    return selectors.entries_for(actor=request.auth, start=start, end=end)


@router.get(
    "/log/proof/inclusion",
    operation_id="inclusion_proof_get",
    response=InclusionProof,
    summary="RFC 9162 inclusion proof",
)
def inclusion(request, index: int = Query(..., ge=0), size: int = Query(..., ge=1)):
    return selectors.inclusion_proof_for(actor=request.auth, index=index, size=size)


@router.get(
    "/log/proof/consistency",
    operation_id="consistency_proof_get",
    response=ConsistencyProof,
    by_alias=True,
    summary="RFC 9162 consistency proof",
)
def consistency(
    request,
    from_: int = Query(..., ge=0, alias="from"),
    to: int = Query(..., ge=1),
):
    return selectors.consistency_proof_for(actor=request.auth, old=from_, new=to)


@router.get(
    "/log/receipts/{index}",
    operation_id="receipt_get",
    response=Receipt,
    summary="The receipt of one entry",
)
def receipt(request, index: int):
    return selectors.receipt_for(actor=request.auth, index=index)


@router.get(
    "/log/keys", operation_id="key_list", response=Keys, summary="The log's key and every state key"
)
def keys(request):
    return selectors.keys_for(actor=request.auth)


@router.post(
    "/log/cosignatures",
    operation_id="cosignature_add",
    auth=STATE_MEMBERS,
    response={201: CosignatureOut},
    summary="A state's witness cosignature of a checkpoint",
)
def cosign(request, payload: CosignatureIn):
    cosig = services.cosignature_add(
        actor=request.auth, checkpoint=payload.checkpoint, cosignature=payload.cosignature
    )
    return Status(
        201,
        {"size": cosig.checkpoint_id, "key_id": cosig.key_id, "timestamp": cosig.timestamp},
    )


@router.post(
    "/states/{iso3}/roots",
    operation_id="root_register",
    auth=STATE_MEMBERS,
    response={201: KeyOut},
    summary="The state registers its root (hcoc key init), or a new one its root endorsed (hcoc "
    "key rotate); a log entry. Never the ICC",
)
def root_register(request, iso3: str, payload: RootIn):
    key = services.root_register(
        actor=request.auth,
        state_iso3=iso3.upper(),
        key_id=payload.key_id,
        public_key=payload.public_key,
        proof=payload.proof,
        endorsed_by=payload.endorsed_by,
        endorsement=payload.endorsement,
    )
    return Status(201, selectors.key_as_dict(key))


@router.post(
    "/states/{iso3}/roots/{key_id}/confirm",
    operation_id="root_confirm",
    auth=ICC_ONLY,
    response={200: KeyOut},
    summary="The ICC records the diplomatic note confirming a root's fingerprint; a log entry",
)
def root_confirm(request, iso3: str, key_id: str, payload: ConfirmIn):
    key = services.root_confirm(
        actor=request.auth,
        state_iso3=iso3.upper(),
        key_id=key_id,
        fingerprint=payload.fingerprint,
        note_reference=payload.note_reference,
    )
    return selectors.key_as_dict(key)


@router.post(
    "/states/{iso3}/keys",
    operation_id="key_register",
    auth=STATE_MEMBERS,
    response={201: KeyOut},
    summary="The state registers a key its root certified (hcoc key certify); a log entry",
)
def key_register(request, iso3: str, payload: KeyIn):
    key = services.credential_register(
        actor=request.auth,
        state_iso3=iso3.upper(),
        key_id=payload.key_id,
        kind=payload.kind,
        public_key=payload.public_key,
        user=payload.user,
        certified_by=payload.certified_by,
        certificate=payload.certificate,
    )
    return Status(201, selectors.key_as_dict(key))


@router.post(
    "/states/{iso3}/keys/{key_id}/revoke",
    operation_id="key_revoke",
    auth=STATE_MEMBERS,
    response={200: KeyOut},
    summary="The state revokes one of its keys with its root's signature (hcoc key revoke); "
    "from now on; a log entry",
)
def key_revoke(request, iso3: str, key_id: str, payload: RevokeIn):
    key = services.key_revoke(
        actor=request.auth,
        state_iso3=iso3.upper(),
        key_id=key_id,
        reason=payload.reason,
        revoked_by=payload.revoked_by,
        revocation=payload.revocation,
    )
    return selectors.key_as_dict(key)
