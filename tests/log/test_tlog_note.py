"""Signed notes, checkpoints and cosignatures against C2SP and golang.org/x/mod/sumdb/note."""

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from hcoc.ledger.tlog.note import (
    Checkpoint,
    CosignatureSigner,
    CosignatureVerifier,
    NoteError,
    Signer,
    Verifier,
    checkpoint_parse,
    note_open,
    note_parse,
    signature_add,
    verifier_from_vkey,
)

# Known answers from golang.org/x/mod/sumdb/note/note_test.go (BSD-3-Clause): TestNewVerifier,
# TestNewSigner, TestSign, TestOpen.
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdng"
    "otpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox"
    "33WWd1RvMc+QQ=\n"
)

# The example checkpoint of c2sp.org/tlog-checkpoint and c2sp.org/tlog-cosignature (CC-BY 4.0):
# a log signature and a witness cosignature whose payload carries the time 1679315147 that the
# spec's example of the cosigned message shows.
C2SP_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
C2SP_NOTE = (
    C2SP_BODY + "\n"
    "\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
    "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJs"
    "X3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n"
)


def new_signer(name="hcoc.example/log") -> Signer:
    return Signer(name, Ed25519PrivateKey.generate())


def new_cosigner(name="witness.example/w1") -> CosignatureSigner:
    return CosignatureSigner(name, Ed25519PrivateKey.generate())


# --- known answers ----------------------------------------------------------------------------


def test_the_published_private_key_gives_the_published_verifier_key_and_signature():
    signer = Signer.from_skey(PETER_SKEY)
    assert signer.name == "PeterNeumann"
    assert signer.key_hash == bytes.fromhex("c74f20a3")
    assert signer.vkey() == PETER_VKEY
    assert signer.skey() == PETER_SKEY
    assert signer.sign(TEXT) == TEXT + "\n" + PETER_SIG


def test_the_key_id_is_the_c2sp_hash_of_name_type_and_public_key():
    verifier = Verifier.from_vkey(PETER_VKEY)
    public = base64.b64decode(PETER_VKEY.split("+", 2)[2])
    assert public[0] == 0x01
    assert verifier.key_hash == hashlib.sha256(b"PeterNeumann\n" + public).digest()[:4]


def test_opening_the_published_note_verifies_known_keys_and_keeps_unknown_ones():
    note = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    text, signatures = note_open(note, [Verifier.from_vkey(PETER_VKEY)])
    assert text == TEXT
    assert [(s.name, s.key_hash.hex(), s.verified) for s in signatures] == [
        ("PeterNeumann", "c74f20a3", True),
        ("EnochRoot", "af0cfe78", False),
    ]
    _, signatures = note_open(note, [Verifier.from_vkey(v) for v in (PETER_VKEY, ENOCH_VKEY)])
    assert [s.verified for s in signatures] == [True, True]
    with pytest.raises(NoteError, match="no signature by a known key"):
        note_open(note, [])


def test_a_bad_signature_by_a_known_key_rejects_the_whole_note():
    corrupt = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(NoteError, match="invalid signature for key PeterNeumann\\+c74f20a3"):
        note_open(TEXT + "\n" + corrupt, [Verifier.from_vkey(PETER_VKEY)])
    # ...but the same corruption by an unknown key is only kept, unverified.
    enoch_corrupt = ENOCH_SIG[:60] + "ABCD" + ENOCH_SIG[60:]
    _, signatures = note_open(
        TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + enoch_corrupt,
        [Verifier.from_vkey(PETER_VKEY)],
    )
    assert [(s.name, s.verified) for s in signatures] == [
        ("PeterNeumann", True),
        ("EnochRoot", False),
        ("EnochRoot", False),
    ]


@pytest.mark.parametrize(
    "note",
    [
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        (TEXT + "\n" + PETER_SIG).encode() + b"\xff",
        b"\xff" + (TEXT + "\n" + PETER_SIG).encode(),
        TEXT + "\n" + "\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZ"
        "SNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        TEXT + "\n" + PETER_SIG * 101,
        TEXT + "\n" + "- PeterNeumann " + PETER_SIG.split(" ")[2],
        TEXT + "\n" + "\u2014 PeterNeumann AAAA\n",
        TEXT + "\n" + "\u2014 PeterNeumann not*base64\n",
    ],
    ids=[
        "no signatures",
        "blank line only",
        "unterminated signature",
        "control character",
        "invalid utf-8 at the end",
        "invalid utf-8 at the start",
        "name with a space",
        "text after signatures",
        "more than 100 signatures",
        "hyphen instead of em dash",
        "signature shorter than a key id",
        "signature not base64",
    ],
)
def test_malformed_notes_are_rejected_as_published(note):
    with pytest.raises(NoteError):
        note_open(note, [Verifier.from_vkey(PETER_VKEY)])


def test_every_mangling_of_the_published_verifier_key_is_refused():
    Verifier.from_vkey(PETER_VKEY)
    b = PETER_VKEY.encode()
    mangled = [b[i:j] for i in range(len(b) + 1) for j in range(i + 1, len(b) + 1)]
    mangled = [m for m in mangled if m != b]
    mangled += [b[:i] + bytes([b[i] + 1]) + b[i + 1 :] for i in range(len(b))]
    # Go's two extra cases: a wrong-length key and an unknown algorithm, with adjusted key IDs.
    mangled += [
        b"PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        b"PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ]
    accepted = []
    for m in mangled:
        try:
            Verifier.from_vkey(m.decode("utf-8", errors="replace"))
        except NoteError:
            continue
        accepted.append(m)
    assert accepted == []


def test_every_mangling_of_the_published_private_key_is_refused():
    b = PETER_SKEY.encode()
    mangled = [b[i:j] for i in range(len(b) + 1) for j in range(i + 1, len(b) + 1)]
    mangled = [m for m in mangled if m != b]
    mangled += [b[:i] + bytes([b[i] + 1]) + b[i + 1 :] for i in range(len(b))]
    accepted = []
    for m in mangled:
        try:
            Signer.from_skey(m.decode())
        except NoteError:
            continue
        accepted.append(m)
    assert accepted == []


def test_the_c2sp_example_checkpoint_parses_with_its_cosignature_timestamp():
    text, signatures = note_parse(C2SP_NOTE)
    assert text == C2SP_BODY
    checkpoint = checkpoint_parse(text)
    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert checkpoint.root == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert checkpoint.extensions == [] and checkpoint.body() == C2SP_BODY
    log, witness = signatures
    assert (log.name, len(log.sig)) == ("example.com/behind-the-sofa", 64)
    assert witness.name == "witness.example.com/w1" and len(witness.sig) == 8 + 64
    assert int.from_bytes(witness.sig[:8], "big") == 1679315147
    assert not log.verified and not witness.verified


# --- round trips and rejections ----------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    lines=st.lists(
        st.text(
            st.characters(blacklist_categories=["Cs", "Cc"]),
            max_size=40,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_any_text_signed_opens_to_the_same_text(lines):
    signer = new_signer()
    text = "".join(line + "\n" for line in lines)
    note = signer.sign(text)
    opened, signatures = note_open(note, [signer.verifier()])
    assert opened == text
    assert [(s.name, s.verified) for s in signatures] == [(signer.name, True)]
    assert note_open(note, [Verifier.from_vkey(signer.vkey())])[0] == text


def test_a_tampered_text_is_rejected():
    signer = new_signer()
    note = signer.sign("hcoc.example/log\n5\nAAAA\n")
    with pytest.raises(NoteError, match="invalid signature"):
        note_open(note.replace("\n5\n", "\n6\n"), [signer.verifier()])


def test_a_note_signed_by_another_key_under_the_same_name_is_not_verified():
    signer, impostor = new_signer(), new_signer()
    note = impostor.sign("text\n")
    with pytest.raises(NoteError, match="no signature by a known key"):
        note_open(note, [signer.verifier()])


def test_a_truncated_signature_is_rejected():
    signer = new_signer()
    note = signer.sign("text\n")
    text, line = note.split("\n\n")
    name, encoded = line.rstrip("\n").split(" ")[1:]
    payload = base64.b64decode(encoded)
    short = f"\u2014 {name} {base64.b64encode(payload[:-1]).decode()}\n"
    with pytest.raises(NoteError, match="invalid signature"):
        note_open(text + "\n\n" + short, [signer.verifier()])


def test_signing_refuses_text_that_is_not_a_note_text():
    signer = new_signer()
    for text in ["no final newline", "bell\x07\n", ""]:
        with pytest.raises(NoteError):
            signer.sign(text)
    for name in ["", "a b", "a+b", "tab\tname", "line\nname"]:
        with pytest.raises(NoteError):
            Signer(name, Ed25519PrivateKey.generate())


def test_a_text_with_blank_lines_is_separated_at_the_last_blank_line():
    signer = new_signer()
    text = "first paragraph\n\nsecond paragraph\n\n"
    opened, _ = note_open(signer.sign(text), [signer.verifier()])
    assert opened == text


def test_adding_signatures_keeps_existing_lines_and_adds_none_twice():
    log, other = new_signer("log.example"), new_signer("mirror.example")
    text = "log.example\n1\n" + base64.b64encode(bytes(32)).decode() + "\n"
    note = log.sign(text)
    line = other.signature_line(text)
    both = signature_add(note, line)
    assert both == note + line
    assert signature_add(both, line) == both
    assert signature_add(both, line.rstrip("\n")) == both
    _, signatures = note_open(both, [log.verifier(), other.verifier()])
    assert [s.verified for s in signatures] == [True, True]
    # The same key signing again replaces its line where it was.
    again = Signer("log.example", log._key).signature_line(text)
    assert signature_add(both, again) == both  # Ed25519 is deterministic: same line
    with pytest.raises(NoteError):
        signature_add(note, "not a signature line\n")
    with pytest.raises(NoteError):
        signature_add(note, line + line)


def test_a_second_cosignature_by_the_same_witness_replaces_the_first():
    log, witness = new_signer("log.example"), new_cosigner()
    body = Checkpoint("log.example", 3, bytes(32)).body()
    note = log.sign(body)
    first = signature_add(note, witness.cosign(body, 100))
    second = signature_add(first, witness.cosign(body, 200))
    _, signatures = note_parse(second)
    assert len(signatures) == 2
    assert witness.verifier().verify(body, signatures[1].line()) == 200


def test_verifier_keys_round_trip_and_refuse_the_other_signature_type():
    signer, cosigner = new_signer(), new_cosigner()
    assert Verifier.from_vkey(signer.vkey()).vkey() == signer.vkey()
    assert CosignatureVerifier.from_vkey(cosigner.vkey()).vkey() == cosigner.vkey()
    assert base64.b64decode(cosigner.vkey().split("+", 2)[2])[0] == 0x04
    assert isinstance(verifier_from_vkey(signer.vkey()), Verifier)
    assert isinstance(verifier_from_vkey(cosigner.vkey()), CosignatureVerifier)
    with pytest.raises(NoteError, match="type 0x04, not 0x01"):
        Verifier.from_vkey(cosigner.vkey())
    with pytest.raises(NoteError, match="type 0x01, not 0x04"):
        CosignatureVerifier.from_vkey(signer.vkey())


# --- checkpoints ----------------------------------------------------------------------------


def test_a_checkpoint_body_round_trips_with_extension_lines():
    checkpoint = Checkpoint("hcoc.example/exchange", 0, bytes(range(32)), ["ext one", "two"])
    body = checkpoint.body()
    assert body == (
        "hcoc.example/exchange\n0\n"
        + base64.b64encode(bytes(range(32))).decode()
        + "\next one\ntwo\n"
    )
    assert checkpoint_parse(body) == checkpoint


ROOT = base64.b64encode(bytes(32)).decode()


@pytest.mark.parametrize(
    "body",
    [
        f"origin\n5\n{ROOT}",  # no final newline
        "origin\n5\n",  # no root
        f"\n5\n{ROOT}\n",  # empty origin
        f"origin\n05\n{ROOT}\n",  # leading zero
        f"origin\n-5\n{ROOT}\n",
        f"origin\n+5\n{ROOT}\n",
        f"origin\n 5\n{ROOT}\n",
        f"origin\n\u0665\n{ROOT}\n",  # a non-ASCII digit
        f"origin\n{2**63}\n{ROOT}\n",
        "origin\n5\n" + base64.b64encode(bytes(31)).decode() + "\n",  # 31-byte root
        "origin\n5\n" + ROOT.rstrip("=") + "\n",  # unpadded base64
        "origin\n5\n" + ROOT[:-2] + "B=\n",  # non-canonical base64
        f"origin\n5\n{ROOT}\n\nextension\n",  # empty extension line
        f"origin\n5\n{ROOT}\n\n\u2014 origin AAAAAAA=\n",  # a whole signed note
        f"origin\n5\n{ROOT}\x00\n",
    ],
)
def test_checkpoint_parsing_is_strict(body):
    with pytest.raises(NoteError):
        checkpoint_parse(body)


def test_a_checkpoint_refuses_to_write_a_body_it_could_not_parse():
    for checkpoint in [
        Checkpoint("", 1, bytes(32)),
        Checkpoint("two\nlines", 1, bytes(32)),
        Checkpoint("origin", -1, bytes(32)),
        Checkpoint("origin", 1, bytes(31)),
        Checkpoint("origin", 1, bytes(32), [""]),
    ]:
        with pytest.raises(NoteError):
            checkpoint.body()


# --- cosignatures ---------------------------------------------------------------------------


def test_a_cosignature_round_trips_with_its_timestamp_and_its_c2sp_encoding():
    cosigner = new_cosigner("witness.example/w1")
    body = Checkpoint("hcoc.example/exchange", 42, bytes(range(32))).body()
    line = cosigner.cosign(body, 1679315147)
    assert line.startswith("\u2014 witness.example/w1 ") and line.endswith("\n")
    payload = base64.b64decode(line.rstrip("\n").split(" ")[2])
    public = base64.b64decode(cosigner.vkey().split("+", 2)[2])
    assert payload[:4] == hashlib.sha256(b"witness.example/w1\n" + public).digest()[:4]
    assert payload[4:12] == (1679315147).to_bytes(8, "big") and len(payload) == 4 + 8 + 64
    message = f"cosignature/v1\ntime 1679315147\n{body}".encode()
    cosigner.public_key.verify(payload[12:], message)  # raises if the message is not this
    verifier = CosignatureVerifier.from_vkey(cosigner.vkey())
    assert verifier.verify(body, line) == 1679315147
    # Opening the cosigned checkpoint with the log's and the witness's keys verifies both.
    log = new_signer("hcoc.example/exchange")
    note = signature_add(log.sign(body), line)
    _, signatures = note_open(note, [log.verifier(), verifier])
    assert [s.verified for s in signatures] == [True, True]


def test_a_cosignature_is_rejected_for_another_checkpoint_time_or_witness():
    cosigner = new_cosigner()
    verifier = cosigner.verifier()
    body = Checkpoint("hcoc.example/exchange", 42, bytes(32)).body()
    other_body = Checkpoint("hcoc.example/exchange", 43, bytes(32)).body()
    line = cosigner.cosign(body, 1000)
    with pytest.raises(NoteError, match="invalid cosignature"):
        verifier.verify(other_body, line)
    name, encoded = line.rstrip("\n").split(" ")[1:]
    payload = bytearray(base64.b64decode(encoded))
    payload[11] ^= 1  # another timestamp
    with pytest.raises(NoteError, match="invalid cosignature"):
        verifier.verify(body, f"\u2014 {name} {base64.b64encode(bytes(payload)).decode()}\n")
    with pytest.raises(NoteError, match="not by"):
        new_cosigner().verifier().verify(body, line)
    truncated = base64.b64encode(base64.b64decode(encoded)[:-1]).decode()
    with pytest.raises(NoteError, match="8-byte timestamp"):
        verifier.verify(body, f"\u2014 {name} {truncated}\n")
    with pytest.raises(NoteError):
        cosigner.cosign(body, -1)
    with pytest.raises(NoteError):
        cosigner.cosign(body, 2**63)
    with pytest.raises(NoteError):
        cosigner.cosign("not a checkpoint\n", 1)
    # A cosignature is not a note signature: its key type differs, so its key ID does too.
    note_key = Verifier(cosigner.name, cosigner.public_key)
    assert note_key.key_hash != verifier.key_hash
    with pytest.raises(NoteError, match="no signature by a known key"):
        note_open(body + "\n" + line, [note_key])
