"""Signed notes, checkpoints and cosignatures, byte for byte as C2SP specifies them.

- c2sp.org/signed-note: a text ending in a newline, a blank line, then signature lines
  "— <key name> base64(key ID || signature)\\n". Ed25519 note signatures (type 0x01) sign the text.
  Keys are written as vkeys "<name>+<hex key ID>+base64(type || public key)".
- c2sp.org/tlog-checkpoint: a note whose text is "<origin>\\n<size>\\n<base64 root>\\n" followed
  by optional non-empty extension lines.
- c2sp.org/tlog-cosignature: a witness's signature line (type 0x04, "cosignature/v1") whose payload
  is key ID || 8-byte big-endian POSIX timestamp || Ed25519 signature over
  "cosignature/v1\\ntime <timestamp>\\n" + the checkpoint body.

The key ID is the first four bytes of SHA-256(name || "\\n" || type || public key). The
implementation follows golang.org/x/mod/sumdb/note (whose test vectors tests/log/test_tlog_note.py
replays) where C2SP leaves a choice: at most 100 signatures, a text with no control characters
but newline, strict base64.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

SIG_ED25519 = 0x01
SIG_COSIGNATURE_V1 = 0x04
MAX_SIGNATURES = 100
MAX_TIMESTAMP = 2**63 - 1
DASH = "\u2014 "  # em dash and space: how every signature line starts
COSIGNATURE_HEADER = "cosignature/v1\n"


class NoteError(ValueError):
    """A note, key, checkpoint or signature line is malformed or does not verify."""


# --- encodings ------------------------------------------------------------------------------


def key_id(name: str, sig_type: int, public_key: bytes) -> bytes:
    """SHA-256(name || "\\n" || type || public key)[:4], the C2SP key ID."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public_key).digest()[:4]


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(text: str, what: str) -> bytes:
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise NoteError(f"{what} is not valid base64") from None
    if _b64encode(data) != text:  # refuse non-canonical spellings of the same bytes
        raise NoteError(f"{what} is not canonical base64")
    return data


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _check_name(name: str, what: str = "key name") -> None:
    if not isinstance(name, str) or not name:
        raise NoteError(f"the {what} must be a non-empty string")
    if "+" in name or any(ch.isspace() or ord(ch) < 0x20 or ch == "\x7f" for ch in name):
        raise NoteError(f"the {what} {name!r} must contain neither spaces nor '+'")


def _as_text(value: str | bytes, what: str) -> str:
    if isinstance(value, bytes | bytearray):
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError(f"the {what} is not valid UTF-8") from None
    if not isinstance(value, str):
        raise NoteError(f"the {what} must be text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise NoteError(f"the {what} is not valid UTF-8") from None
    if any(ord(ch) < 0x20 and ch != "\n" for ch in value):
        raise NoteError(f"the {what} contains a control character other than newline")
    return value


def _check_text(text: str) -> str:
    text = _as_text(text, "note text")
    if not text.endswith("\n"):
        raise NoteError("the note text must end with a newline")
    return text


def _parse_vkey(vkey: str) -> tuple[str, bytes, int, bytes]:
    """(name, key ID, type, public key) of a vkey, its key ID checked."""
    if not isinstance(vkey, str):
        raise NoteError("a verifier key is text")
    parts = vkey.split("+", 2)  # base64 has '+' of its own
    if len(parts) != 3:
        raise NoteError("a verifier key is <name>+<key ID>+<base64 key>")
    name, hex_id, encoded = parts
    _check_name(name)
    if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
        raise NoteError("the key ID of a verifier key is 8 lowercase hexadecimal digits")
    key = _b64decode(encoded, "the verifier key")
    if len(key) < 2:
        raise NoteError("the verifier key is empty")
    sig_type, public = key[0], key[1:]
    if key_id(name, sig_type, public) != bytes.fromhex(hex_id):
        raise NoteError("the key ID of the verifier key does not match its name and key")
    return name, bytes.fromhex(hex_id), sig_type, public


def _ed25519_public(sig_type: int, public: bytes, want: int) -> Ed25519PublicKey:
    if sig_type != want:
        raise NoteError(f"the key has signature type 0x{sig_type:02x}, not 0x{want:02x}")
    if len(public) != 32:
        raise NoteError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(public)


def _verify_ed25519(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


# --- note signers and verifiers ---------------------------------------------------------------


class _PrivateKey:
    """A named Ed25519 private key of one signature type; its public half is `verifier()`."""

    sig_type: int
    role: str  # for the error message: "a note signer", "a cosigner"

    def __init__(self, name: str, private_key: Ed25519PrivateKey):
        _check_name(name)
        if not isinstance(private_key, Ed25519PrivateKey):
            raise NoteError(f"{self.role} needs an Ed25519 private key")
        self.name = name
        self._key = private_key
        self.public_key = private_key.public_key()
        self.key_hash = key_id(name, self.sig_type, _raw_public(self.public_key))

    def verifier(self):
        return VERIFIERS[self.sig_type](self.name, self.public_key)

    def vkey(self) -> str:
        return self.verifier().vkey()


class Signer(_PrivateKey):
    """Signs notes with an Ed25519 key under a key name (signature type 0x01)."""

    sig_type = SIG_ED25519
    role = "a note signer"

    def signature_line(self, text: str) -> str:
        """The signature line "— name base64(key ID || signature)\\n" for a note text."""
        text = _check_text(text)
        signature = self._key.sign(text.encode("utf-8"))
        return f"{DASH}{self.name} {_b64encode(self.key_hash + signature)}\n"

    def sign(self, text: str) -> str:
        """The complete signed note: text, blank line, this signer's signature line."""
        line = self.signature_line(text)
        return _check_text(text) + "\n" + line

    @classmethod
    def from_skey(cls, skey: str) -> Signer:
        """A signer from golang.org/x/mod/sumdb/note's private key encoding
        "PRIVATE+KEY+<name>+<key ID>+base64(0x01 || 32-byte seed)"."""
        if not isinstance(skey, str) or not skey.startswith("PRIVATE+KEY+"):
            raise NoteError("a signer key starts with PRIVATE+KEY+")
        parts = skey[len("PRIVATE+KEY+") :].split("+", 2)
        if len(parts) != 3:
            raise NoteError("a signer key is PRIVATE+KEY+<name>+<key ID>+<base64 key>")
        name, hex_id, encoded = parts
        _check_name(name)
        if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
            raise NoteError("the key ID of a signer key is 8 lowercase hexadecimal digits")
        key = _b64decode(encoded, "the signer key")
        if len(key) != 33 or key[0] != SIG_ED25519:
            raise NoteError("a signer key is 0x01 followed by a 32-byte Ed25519 seed")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(key[1:]))
        if signer.key_hash.hex() != hex_id:
            raise NoteError("the key ID of the signer key does not match its name and key")
        return signer

    def skey(self) -> str:
        seed = self._key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        encoded = _b64encode(bytes([SIG_ED25519]) + seed)
        return f"PRIVATE+KEY+{self.name}+{self.key_hash.hex()}+{encoded}"


class _PublicKey:
    """A named Ed25519 public key of one signature type, and its vkey form."""

    sig_type: int

    def __init__(self, name: str, public_key: Ed25519PublicKey):
        _check_name(name)
        self.name = name
        self.public_key = public_key
        self.key_hash = key_id(name, self.sig_type, _raw_public(public_key))

    @classmethod
    def from_vkey(cls, vkey: str):
        name, _, sig_type, public = _parse_vkey(vkey)
        return cls(name, _ed25519_public(sig_type, public, cls.sig_type))

    def vkey(self) -> str:
        public = bytes([self.sig_type]) + _raw_public(self.public_key)
        return f"{self.name}+{self.key_hash.hex()}+{_b64encode(public)}"


class Verifier(_PublicKey):
    """Checks Ed25519 note signatures (type 0x01) of one key name and public key."""

    sig_type = SIG_ED25519

    def verify_signature(self, text: str, signature: bytes) -> bool:
        """Whether `signature` (the bytes after the key ID) signs `text`."""
        return len(signature) == 64 and _verify_ed25519(
            self.public_key, signature, text.encode("utf-8")
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.vkey()!r})"


# --- notes ----------------------------------------------------------------------------------


@dataclass
class Signature:
    name: str
    key_hash: bytes
    sig: bytes  # the signature payload after the key ID
    verified: bool = False

    def line(self) -> str:
        return f"{DASH}{self.name} {_b64encode(self.key_hash + self.sig)}\n"


def _parse_line(line: str) -> Signature:
    """One signature line, with or without its final newline."""
    if not line.startswith(DASH):
        raise NoteError("a signature line starts with an em dash and a space")
    parts = line[len(DASH) :].split(" ")
    if len(parts) != 2:
        raise NoteError("a signature line is '— <key name> <base64 signature>'")
    name, encoded = parts
    _check_name(name)
    payload = _b64decode(encoded, "the signature")
    if len(payload) < 5:
        raise NoteError("a signature is a 4-byte key ID and at least one byte")
    return Signature(name, payload[:4], payload[4:])


def note_parse(note: str | bytes) -> tuple[str, list[Signature]]:
    """Split a signed note into its text and signatures, checking the format only (nothing is
    verified: every signature has verified=False). Raises NoteError on a malformed note."""
    note = _as_text(note, "note")
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("a signed note has a blank line between its text and its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block or not block.endswith("\n"):
        raise NoteError("a signed note ends with at least one newline-terminated signature line")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"a note carries at most {MAX_SIGNATURES} signatures")
    return text, [_parse_line(line) for line in lines]


def note_open(
    note: str | bytes, verifiers: list[Verifier | CosignatureVerifier]
) -> tuple[str, list[Signature]]:
    """Verify a signed note against known keys; return its text and every signature.

    A signature by a known key (same name and key ID) must verify, or NoteError is raised; at
    least one must. Signatures by unknown keys are kept with verified=False. Identical signature
    lines are reported once. Verifiers may be note Verifiers or CosignatureVerifiers."""
    text, signatures = note_parse(note)
    known: dict[tuple[str, bytes], Verifier | CosignatureVerifier] = {}
    for verifier in verifiers:
        slot = (verifier.name, verifier.key_hash)
        if slot in known and known[slot].vkey() != verifier.vkey():
            raise NoteError(f"ambiguous key {verifier.name}+{verifier.key_hash.hex()}")
        known[slot] = verifier
    seen: set[tuple[str, bytes, bytes]] = set()
    result: list[Signature] = []
    for signature in signatures:
        identity = (signature.name, signature.key_hash, signature.sig)
        if identity in seen:
            continue
        seen.add(identity)
        verifier = known.get((signature.name, signature.key_hash))
        if verifier is not None:
            if not verifier.verify_signature(text, signature.sig):
                raise NoteError(
                    f"invalid signature for key {signature.name}+{signature.key_hash.hex()}"
                )
            signature.verified = True
        result.append(signature)
    if not any(signature.verified for signature in result):
        raise NoteError("the note has no signature by a known key")
    return text, result


def signature_add(note: str, line: str) -> str:
    """Add a signature line to a signed note, keeping the lines it has.

    An identical line already present leaves the note as it is; a line by the same key (same
    name and key ID) with another signature replaces it in place, as
    golang.org/x/mod/sumdb/note.Sign does when a signer signs again."""
    text, signatures = note_parse(note)
    if isinstance(line, str) and line.endswith("\n") and "\n" not in line[:-1]:
        added = _parse_line(line[:-1])
    elif isinstance(line, str) and "\n" not in line:
        added = _parse_line(line)
    else:
        raise NoteError("a signature line is one line")
    out: list[Signature] = []
    placed = False
    for signature in signatures:
        if (signature.name, signature.key_hash) == (added.name, added.key_hash):
            if not placed:
                out.append(added)
                placed = True
            continue
        out.append(signature)
    if not placed:
        out.append(added)
    if len(out) > MAX_SIGNATURES:
        raise NoteError(f"a note carries at most {MAX_SIGNATURES} signatures")
    return text + "\n" + "".join(signature.line() for signature in out)


# --- checkpoints ----------------------------------------------------------------------------

_SIZE = re.compile(r"0|[1-9][0-9]*")


@dataclass
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: list[str] = field(default_factory=list)

    def body(self) -> str:
        """The checkpoint's note text: origin, size, base64 root, extension lines."""
        _as_text(self.origin, "origin")
        if not self.origin or "\n" in self.origin:
            raise NoteError("the origin is one non-empty line")
        if not isinstance(self.size, int) or isinstance(self.size, bool):
            raise NoteError("the tree size is an integer")
        if not 0 <= self.size <= MAX_TIMESTAMP:
            raise NoteError("the tree size is between 0 and 2**63 - 1")
        if not isinstance(self.root, bytes | bytearray) or len(self.root) != 32:
            raise NoteError("the root hash is 32 bytes")
        for extension in self.extensions:
            _as_text(extension, "extension line")
            if not extension or "\n" in extension:
                raise NoteError("an extension line is one non-empty line")
        lines = [self.origin, str(self.size), _b64encode(bytes(self.root)), *self.extensions]
        return "".join(line + "\n" for line in lines)


def checkpoint_parse(body: str) -> Checkpoint:
    """Parse a checkpoint's note text (not the signed note: open it first). Strict: three
    non-empty lines at least, a size without leading zeros, a root of exactly 32 bytes."""
    body = _check_text(body)
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("a checkpoint has an origin, a size and a root hash line")
    origin, size, root, *extensions = lines
    if not origin:
        raise NoteError("the checkpoint origin is empty")
    if not _SIZE.fullmatch(size):
        raise NoteError("the checkpoint size is a decimal number without leading zeros")
    if int(size) > MAX_TIMESTAMP:
        raise NoteError("the checkpoint size is too large")
    root_hash = _b64decode(root, "the checkpoint root hash")
    if len(root_hash) != 32:
        raise NoteError("the checkpoint root hash is 32 bytes")
    if any(not line for line in extensions):
        raise NoteError("a checkpoint has no empty lines (is this a whole signed note?)")
    return Checkpoint(origin, int(size), root_hash, extensions)


# --- cosignatures ---------------------------------------------------------------------------


def _cosigned_message(checkpoint_body: str, timestamp: int) -> bytes:
    return f"{COSIGNATURE_HEADER}time {timestamp}\n{checkpoint_body}".encode()


def _check_timestamp(timestamp: int) -> None:
    if not isinstance(timestamp, int) or isinstance(timestamp, bool):
        raise NoteError("a cosignature timestamp is an integer")
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise NoteError("a cosignature timestamp is between 0 and 2**63 - 1")


class CosignatureSigner(_PrivateKey):
    """A witness key: Ed25519 cosignatures of checkpoints (c2sp.org/tlog-cosignature, type 0x04)."""

    sig_type = SIG_COSIGNATURE_V1
    role = "a cosigner"

    def cosign(self, checkpoint_body: str, timestamp: int) -> str:
        """The cosignature LINE for a checkpoint body at a POSIX timestamp."""
        checkpoint_parse(checkpoint_body)
        _check_timestamp(timestamp)
        signature = self._key.sign(_cosigned_message(checkpoint_body, timestamp))
        payload = self.key_hash + timestamp.to_bytes(8, "big") + signature
        return f"{DASH}{self.name} {_b64encode(payload)}\n"


class CosignatureVerifier(_PublicKey):
    """Checks cosignature/v1 lines of one witness key."""

    sig_type = SIG_COSIGNATURE_V1

    def verify_signature(self, text: str, signature: bytes) -> bool:
        """Whether `signature` (timestamp || Ed25519 signature) cosigns the checkpoint `text`."""
        if len(signature) != 8 + 64:
            return False
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp > MAX_TIMESTAMP:
            return False
        return _verify_ed25519(self.public_key, signature[8:], _cosigned_message(text, timestamp))

    def verify(self, checkpoint_body: str, line: str) -> int:
        """Check a cosignature line over a checkpoint body; return its timestamp."""
        checkpoint_parse(checkpoint_body)
        if not isinstance(line, str):
            raise NoteError("a cosignature is a signature line")
        signature = _parse_line(line[:-1] if line.endswith("\n") else line)
        if (signature.name, signature.key_hash) != (self.name, self.key_hash):
            raise NoteError(
                f"the line is signed by {signature.name}+{signature.key_hash.hex()}, "
                f"not by {self.name}+{self.key_hash.hex()}"
            )
        if len(signature.sig) != 8 + 64:
            raise NoteError("a cosignature is a key ID, an 8-byte timestamp and 64 bytes")
        timestamp = int.from_bytes(signature.sig[:8], "big")
        _check_timestamp(timestamp)
        if not self.verify_signature(checkpoint_body, signature.sig):
            raise NoteError(f"invalid cosignature by {self.name}+{self.key_hash.hex()}")
        return timestamp

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.vkey()!r})"


VERIFIERS = {SIG_ED25519: Verifier, SIG_COSIGNATURE_V1: CosignatureVerifier}


def verifier_from_vkey(vkey: str) -> Verifier | CosignatureVerifier:
    """A Verifier (type 0x01) or CosignatureVerifier (type 0x04) for a vkey, by its type byte."""
    _, _, sig_type, _ = _parse_vkey(vkey)
    return VERIFIERS.get(sig_type, Verifier).from_vkey(vkey)
