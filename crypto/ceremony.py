"""The key ceremony as it appears on the public board, protocol 2 (docs/protocol.md §8).

One definition of what an honest ceremony looks like, shared by everyone who must judge one:
the server (it appends a ceremony message only if the board with that message still replays),
the trustee clients (they seal, confirm and decrypt only on what replays), the voter clients and
the record verifier. The server relays; it is never believed.

Every message is signed by the trustee's long-term Ed25519 signing key (its *identity*; the
committee publishes each identity's fingerprint out of band, on the wiki). The signed bytes name
the message kind, the election, the ceremony round and the trustee index, so no signature can be
replayed elsewhere. A round goes:

1. ``trustee_joined``            signing key + X25519 encryption key (self-signed: proof of
                                 possession, and the encryption key is bound to the identity)
2. ``trustee_commitment_hash``   SHA-256 of the commitments and proofs, posted before any
                                 commitment is visible (no rushing trustee can bias the key)
3. ``trustee_commitments``       the commitments and their proofs, only once every hash is in;
                                 they must hash to what was committed
4. ``trustee_shares_sent``       the sealed shares themselves (on the board, so a complaint can
                                 be judged), only once every commitment is revealed
5. ``trustee_confirmed``         the election fingerprint the trustee checked: the manifest
                                 names every trustee's identity, keys and commitments
   or ``ceremony_complaint``     the complainant says a share it received is wrong;
      ``complaint_answer``       the accused reveals the share and the ephemeral key it was
                                 sealed with; anyone re-seals it and checks it;
      ``complaint_verdict``      who was wrong (recomputed by everyone), or that the accused
                                 never answered; the culprit may not take part in later rounds
6. ``election_setup``            only when every trustee confirmed that very fingerprint.

After ``election_setup`` (and in particular after ``opened``) no ceremony message is valid: one
key per election.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.exceptions import CryptoError as NaclCryptoError
from nacl.signing import SigningKey, VerifyKey

from .board import verify_chain
from .errors import CryptoError, InvalidCeremony
from .fingerprint import election_fingerprint, fingerprint_code, normalise_fingerprint_code
from .group import Point, Scalar
from .hashing import canonical_json
from .threshold import (
    combine_public_key,
    seal_share_revealable,
    verify_commitments,
    verify_share,
)

PROTOCOL = 2
"""The ceremony protocol this module defines; ``ceremony_started`` events carry it. Boards
without it are protocol 1 (unsigned, no commit-then-reveal) and are judged by the record
verifier's legacy rules."""

MAX_ROUNDS = 8
"""A ceremony may be attempted at most this many times (restarts are bounded and public)."""

MAX_SEALED_SHARE_BYTES = 1024
SIGNATURE_TAG = b"scrutin/ceremony/v2\x00"
IDENTITY_TAG = b"scrutin/trustee-identity/v1\x00"

JOINED = "trustee_joined"
COMMITMENT_HASH = "trustee_commitment_hash"
COMMITMENTS = "trustee_commitments"
SHARES_SENT = "trustee_shares_sent"
CONFIRMED = "trustee_confirmed"
COMPLAINT = "ceremony_complaint"
ANSWER = "complaint_answer"
VERDICT = "complaint_verdict"
STARTED = "ceremony_started"
RESTARTED = "ceremony_restarted"
RETURNED_TO_DRAFT = "returned_to_draft"
SETUP = "election_setup"
DECRYPTION_SHARE = "decryption_share"

SIGNED_BY_TRUSTEE = (JOINED, COMMITMENT_HASH, COMMITMENTS, SHARES_SENT, CONFIRMED, COMPLAINT, ANSWER)
"""Ceremony events a trustee signs (``decryption_share`` is signed too, in the tally)."""
CEREMONY_EVENTS = frozenset(SIGNED_BY_TRUSTEE + (VERDICT, STARTED, RESTARTED, RETURNED_TO_DRAFT, SETUP))
"""Every event that belongs to the key ceremony: none may follow ``election_setup`` of the
round that produced the key (except a later ``ballot_definition``, which is not one of these)."""

FINDING_SHARE_VALID = "share_valid"  # the revealed share checks out: the complainant lied
FINDING_SHARE_INVALID = "share_invalid"  # the revealed share is wrong: the accused cheated
FINDING_NO_ANSWER = "no_answer"  # the accused never answered (declared by the committee)


# --- identity --------------------------------------------------------------------------------


def generate_identity() -> bytes:
    """A new long-term signing key: its 32-byte seed (kept in the trustee's key file)."""
    return bytes(SigningKey.generate())


def identity_public(seed: bytes) -> str:
    """The hex Ed25519 verify key of a signing-key seed."""
    return bytes(SigningKey(bytes(seed)).verify_key).hex()


def identity_fingerprint(signing_key_hex: str) -> str:
    """What people compare out of band: base32 of the first 20 bytes of
    SHA-256(tag ‖ verify key), in eight groups of four (e.g. ``K3QJ-…``). 160 bits: a second
    key with the same fingerprint is out of reach."""
    raw = _verify_key_bytes(signing_key_hex, "signing key")
    digest = hashlib.sha256(IDENTITY_TAG + raw).digest()[:20]
    text = base64.b32encode(digest).decode()
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalise_fingerprint(text: str) -> str:
    """Accept a fingerprint as people copy it: any case, spaces or dashes."""
    compact = "".join(ch for ch in str(text).upper() if ch.isalnum())
    if len(compact) != 32:
        raise InvalidCeremony(
            f"not a trustee fingerprint: {text!r} (expected 32 base32 characters in groups of four)"
        )
    return "-".join(compact[i : i + 4] for i in range(0, 32, 4))


def _verify_key_bytes(value: object, what: str) -> bytes:
    if not isinstance(value, str) or len(value) != 64:
        raise InvalidCeremony(f"{what}: expected 64 hex digits")
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise InvalidCeremony(f"{what}: not hex") from None
    if raw.hex() != value:
        raise InvalidCeremony(f"{what}: hex must be lowercase")
    return raw


# --- signed messages -------------------------------------------------------------------------


def signed_bytes(
    kind: str, election_id: str, ceremony_round: int, index: int, body: Mapping[str, Any]
) -> bytes:
    """tag ‖ canonical JSON of {kind, election, round, trustee, body}: what a trustee signs."""
    return SIGNATURE_TAG + canonical_json(
        {"kind": kind, "election": election_id, "round": ceremony_round, "trustee": index, "body": dict(body)}
    )


def sign_message(
    seed: bytes, kind: str, election_id: str, ceremony_round: int, index: int, body: Mapping[str, Any]
) -> str:
    message = signed_bytes(kind, election_id, ceremony_round, index, body)
    return bytes(SigningKey(bytes(seed)).sign(message).signature).hex()


def verify_message(
    signing_key_hex: str,
    signature: object,
    kind: str,
    election_id: str,
    ceremony_round: int,
    index: int,
    body: Mapping[str, Any],
) -> None:
    """Raises ``InvalidCeremony`` unless ``signature`` is the trustee's signature of the body."""
    who = f"{kind} of trustee {index}"
    key = _verify_key_bytes(signing_key_hex, f"{who}: signing key")
    if not isinstance(signature, str):
        raise InvalidCeremony(f"{who}: missing signature")
    try:
        sig = bytes.fromhex(signature)
        VerifyKey(key).verify(signed_bytes(kind, election_id, ceremony_round, index, body), sig)
    except (ValueError, BadSignatureError, NaclCryptoError, TypeError):
        raise InvalidCeremony(
            f"{who}: the signature does not verify under its signing key "
            f"{identity_fingerprint(signing_key_hex)}"
        ) from None


def body_of(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The signed part of an event payload: everything but ``round``, ``index`` and
    ``signature`` (those are in the signed envelope or are the signature)."""
    return {k: v for k, v in payload.items() if k not in ("round", "index", "signature")}


def signed_payload(
    seed: bytes, kind: str, election_id: str, ceremony_round: int, index: int, body: Mapping[str, Any]
) -> dict[str, Any]:
    """The event payload a trustee posts: ``{round, index, **body, signature}``."""
    return {
        "round": ceremony_round,
        "index": index,
        **body,
        "signature": sign_message(seed, kind, election_id, ceremony_round, index, body),
    }


# --- statements ------------------------------------------------------------------------------


def commitment_context(election_id: str, ceremony_round: int, index: int, signing_key_hex: str) -> bytes:
    """The coefficient proofs' context (§8.1, protocol 2): election, round, trustee and its
    identity, so proofs cannot be replayed by another trustee, round or identity."""
    return f"scrutin/ceremony/v2/{election_id}/{ceremony_round}/{index}/{signing_key_hex}".encode()


def commitments_digest(commitments: Sequence[str], proofs: Sequence[Any]) -> str:
    """What ``trustee_commitment_hash`` commits to."""
    return hashlib.sha256(
        b"scrutin/commitments/v2\x00"
        + canonical_json({"commitments": list(commitments), "proofs": list(proofs)})
    ).hexdigest()


def share_context(election_id: str, ceremony_round: int, sender: int, recipient: int) -> bytes:
    """Sealed inside every share: a relay cannot move a share to another pair or round."""
    return f"scrutin/share/v2/{election_id}/{ceremony_round}/{sender}->{recipient}".encode()


def share_ephemeral_key(share_seed: bytes, ceremony_round: int, recipient: int) -> bytes:
    """The X25519 ephemeral secret a share is sealed with, derived from a per-trustee secret
    seed so the sender can reveal it if the recipient complains (and only then)."""
    return hashlib.sha512(
        b"scrutin/share-ephemeral/v2\x00" + bytes(share_seed) + f"/{ceremony_round}/{recipient}".encode()
    ).digest()[:32]


def decode_sealed(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise InvalidCeremony(f"{what}: expected base64")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidCeremony(f"{what}: not base64") from None
    if not 48 <= len(raw) <= MAX_SEALED_SHARE_BYTES:
        raise InvalidCeremony(f"{what}: {len(raw)} bytes is not a sealed share")
    return raw


def judge_complaint(
    election_id: str,
    ceremony_round: int,
    accused: int,
    complainant: int,
    commitments: Sequence[Point],
    recipient_encryption_key: str,
    sealed: bytes,
    share_hex: object,
    ephemeral_hex: object,
) -> str:
    """The finding on an answered complaint: ``share_valid`` when the revealed share re-seals
    to exactly the sealed bytes on the board and matches the accused's commitments (the
    complainant was wrong), else ``share_invalid`` (the accused was)."""
    try:
        share = Scalar.from_hex(str(share_hex))
        ephemeral = bytes.fromhex(str(ephemeral_hex))
        if len(ephemeral) != 32:
            return FINDING_SHARE_INVALID
        resealed = seal_share_revealable(
            bytes.fromhex(recipient_encryption_key),
            share,
            share_context(election_id, ceremony_round, accused, complainant),
            ephemeral,
        )
        if resealed != sealed:
            return FINDING_SHARE_INVALID
        verify_share(commitments, complainant, share)
    except (CryptoError, ValueError, TypeError):
        return FINDING_SHARE_INVALID
    return FINDING_SHARE_VALID


# --- replaying the board ---------------------------------------------------------------------


@dataclass
class TrusteeRecord:
    """One trustee in one round, as the board shows it."""

    index: int
    signing_key: str
    encryption_key: str
    joined_seq: int
    commitment_hash: str | None = None
    commitments: list[str] | None = None
    proofs: list[Any] | None = None
    points: list[Point] | None = None
    sealed: dict[int, bytes] | None = None
    sealed_b64: dict[int, str] | None = None
    confirmed: str | None = None

    @property
    def fingerprint(self) -> str:
        return identity_fingerprint(self.signing_key)


@dataclass
class Complaint:
    complainant: int
    accused: int
    reason: str
    answer: dict[str, Any] | None = None
    finding: str | None = None
    culprit: int | None = None


@dataclass
class Round:
    number: int
    threshold: int
    size: int
    trustees: dict[int, TrusteeRecord] = field(default_factory=dict)
    complaints: list[Complaint] = field(default_factory=list)
    setup_seq: int | None = None
    setup_fingerprint: str | None = None

    def all_have(self, attribute: str) -> bool:
        return len(self.trustees) == self.size and all(
            getattr(t, attribute) is not None for t in self.trustees.values()
        )

    @property
    def public_key(self) -> Point:
        return combine_public_key([self.trustees[j].points or [] for j in sorted(self.trustees)])

    @property
    def dead(self) -> bool:
        """A complaint stops the round: it can only be restarted."""
        return bool(self.complaints)

    def expected_manifest_trustees(self) -> list[dict[str, Any]]:
        """The ``trustees`` entry a protocol-2 manifest of this round must carry."""
        return [
            {
                "index": j,
                "signing_key": t.signing_key,
                "encryption_key": t.encryption_key,
                "commitments": t.commitments,
            }
            for j, t in sorted(self.trustees.items())
        ]


@dataclass
class Ceremony:
    """The replayed ceremony: every round, who was excluded, and the setup (if any)."""

    election_id: str
    protocol: int | None = None
    rounds: dict[int, Round] = field(default_factory=dict)
    current: int | None = None
    excluded_keys: set[str] = field(default_factory=set)
    setup_round: int | None = None
    opened: bool = False
    signatures: int = 0
    proofs: int = 0

    @property
    def round(self) -> Round:
        if self.current is None or self.current not in self.rounds:
            raise InvalidCeremony("no key ceremony has started")
        return self.rounds[self.current]

    def trustee_by_key(self, signing_key: str) -> TrusteeRecord | None:
        for t in self.round.trustees.values():
            if t.signing_key == signing_key:
                return t
        return None


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidCeremony(f"{what}: expected an integer, got {value!r}")
    return value


def _where(event: Mapping[str, Any]) -> str:
    return f"board event {event.get('seq')} ({event.get('type')})"


class _Replay:
    def __init__(self, election_id: str) -> None:
        self.c = Ceremony(election_id)

    def event(self, event: Mapping[str, Any]) -> None:
        kind, p = event["type"], event["payload"]
        if kind == "opened":
            self.c.opened = True
            return
        if kind not in CEREMONY_EVENTS:
            return
        where = _where(event)
        try:
            self._dispatch(kind, p, event)
        except InvalidCeremony as exc:
            raise InvalidCeremony(f"{where}: {exc}") from None
        except CryptoError as exc:
            raise InvalidCeremony(f"{where}: {exc}") from None
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidCeremony(f"{where}: malformed ceremony message: {exc!r}") from None

    def _dispatch(self, kind: str, p: Mapping[str, Any], event: Mapping[str, Any]) -> None:
        c = self.c
        if c.opened:
            raise InvalidCeremony(
                "a ceremony message after the election opened: an election has exactly one key"
            )
        if c.setup_round is not None:
            raise InvalidCeremony(
                f"a ceremony message after the election was set up (round "
                f"{c.setup_round}): an election has exactly one key"
            )
        if kind == STARTED:
            self._started(p)
        elif kind == RESTARTED:
            self._restarted(p)
        elif kind == RETURNED_TO_DRAFT:
            pass  # the round was closed by the restart just before it
        elif kind == SETUP:
            self._setup(p, event)
        elif kind == VERDICT:
            self._verdict(p)
        else:
            self._signed(kind, p, event)

    # round bookkeeping ---------------------------------------------------------------------
    def _new_round(self, number: int, threshold: int, size: int) -> None:
        c = self.c
        if number in c.rounds:
            raise InvalidCeremony(f"round {number} started twice")
        if c.current is not None and number <= c.current:
            raise InvalidCeremony(f"round {number} does not follow round {c.current}")
        if number > MAX_ROUNDS:
            raise InvalidCeremony(f"round {number}: at most {MAX_ROUNDS} ceremony rounds")
        if not 1 <= threshold <= size:
            raise InvalidCeremony(f"threshold {threshold} of {size} trustees")
        c.rounds[number] = Round(number, threshold, size)
        c.current = number

    def _started(self, p: Mapping[str, Any]) -> None:
        c = self.c
        if p.get("election_id", c.election_id) != c.election_id:
            raise InvalidCeremony(
                f"ceremony for election {p.get('election_id')!r}, this is {c.election_id!r}"
            )
        protocol = p.get("protocol", 1)
        if c.protocol is not None and protocol != c.protocol:
            raise InvalidCeremony(f"protocol {protocol} after protocol {c.protocol}")
        c.protocol = _int(protocol, "protocol")
        number = _int(p["round"], "round")
        if c.current is not None and number == c.current and not c.rounds[number].trustees:
            # Back from draft: the restart opened this round already; the committee may have
            # changed the trustee count or threshold before freezing again.
            del c.rounds[number]
            c.current = number - 1 if number > 1 else None
        self._new_round(number, _int(p["threshold"], "threshold"), _int(p["trustees"], "trustees"))

    def _restarted(self, p: Mapping[str, Any]) -> None:
        previous = self.c.round
        for complaint in previous.complaints:
            if complaint.finding is None:
                raise InvalidCeremony(
                    f"restarted with trustee {complaint.complainant}'s "
                    f"complaint against trustee {complaint.accused} "
                    "unresolved"
                )
        if not isinstance(p.get("reason"), str) or not p["reason"].strip():
            raise InvalidCeremony("a restart must say why")
        self._new_round(_int(p["round"], "round"), previous.threshold, previous.size)

    # trustee messages ----------------------------------------------------------------------
    def _signed(self, kind: str, p: Mapping[str, Any], event: Mapping[str, Any]) -> None:
        c = self.c
        if c.protocol != PROTOCOL:
            raise InvalidCeremony(f"{kind} in a protocol-{c.protocol} ceremony")
        rnd = c.round
        number = _int(p["round"], "round")
        if number != rnd.number:
            raise InvalidCeremony(
                f"a message for round {number} while the ceremony is in "
                f"round {rnd.number} (replayed or stale)"
            )
        index = _int(p.get("index"), "index")
        if not 1 <= index <= rnd.size:
            raise InvalidCeremony(f"trustee index {index} is not in 1..{rnd.size}")
        if kind == JOINED:
            key = p["signing_key"]
            _verify_key_bytes(key, "signing key")
        else:
            if index not in rnd.trustees:
                raise InvalidCeremony(f"trustee {index} has not joined round {rnd.number}")
            key = rnd.trustees[index].signing_key
        body = body_of(p)
        verify_message(key, p.get("signature"), kind, c.election_id, rnd.number, index, body)
        c.signatures += 1
        if rnd.dead and kind != ANSWER:
            raise InvalidCeremony(
                f"round {rnd.number} stopped at a complaint; only the answer and a restart may follow"
            )
        getattr(self, "_" + kind)(rnd, index, p, event)

    def _trustee_joined(self, rnd: Round, index: int, p: Mapping[str, Any], event: Mapping[str, Any]) -> None:
        if index in rnd.trustees:
            raise InvalidCeremony(f"trustee {index} joined twice")
        key = p["signing_key"]
        if key in self.c.excluded_keys:
            raise InvalidCeremony(
                f"trustee {index}'s identity {identity_fingerprint(key)} was "
                "found at fault in an earlier round and is excluded"
            )
        if any(t.signing_key == key for t in rnd.trustees.values()):
            raise InvalidCeremony(f"trustee {index} uses the signing key of another trustee")
        enc = p["encryption_key"]
        _verify_key_bytes(enc, "encryption key")
        if any(t.encryption_key == enc for t in rnd.trustees.values()):
            raise InvalidCeremony(f"trustee {index} uses the encryption key of another trustee")
        rnd.trustees[index] = TrusteeRecord(index, key, enc, int(event["seq"]))

    def _trustee_commitment_hash(
        self, rnd: Round, index: int, p: Mapping[str, Any], event: Mapping[str, Any]
    ) -> None:
        t = rnd.trustees[index]
        if t.commitment_hash is not None:
            raise InvalidCeremony(f"trustee {index} committed twice")
        digest = p["digest"]
        if not isinstance(digest, str) or len(digest) != 64:
            raise InvalidCeremony("digest: expected 64 hex digits")
        t.commitment_hash = digest

    def _trustee_commitments(
        self, rnd: Round, index: int, p: Mapping[str, Any], event: Mapping[str, Any]
    ) -> None:
        t = rnd.trustees[index]
        if not rnd.all_have("commitment_hash"):
            missing = sorted(
                set(range(1, rnd.size + 1))
                - {j for j, x in rnd.trustees.items() if x.commitment_hash is not None}
            )
            raise InvalidCeremony(
                f"trustee {index} revealed its commitments before trustees "
                f"{missing} committed to theirs (commit before reveal)"
            )
        if t.commitments is not None:
            raise InvalidCeremony(f"trustee {index} revealed commitments twice")
        commitments, proofs = list(p["commitments"]), list(p["proofs"])
        if commitments_digest(commitments, proofs) != t.commitment_hash:
            raise InvalidCeremony(
                f"trustee {index}'s commitments are not the ones it committed to (hash mismatch)"
            )
        if len(commitments) != rnd.threshold:
            raise InvalidCeremony(
                f"trustee {index} published {len(commitments)} commitments, threshold is {rnd.threshold}"
            )
        points = [
            Point.from_hex(x, what=f"trustee {index} commitment {k}") for k, x in enumerate(commitments)
        ]
        verify_commitments(
            points, proofs, index, commitment_context(self.c.election_id, rnd.number, index, t.signing_key)
        )
        self.c.proofs += len(points)
        t.commitments, t.proofs, t.points = commitments, proofs, points

    def _trustee_shares_sent(
        self, rnd: Round, index: int, p: Mapping[str, Any], event: Mapping[str, Any]
    ) -> None:
        t = rnd.trustees[index]
        if not rnd.all_have("commitments"):
            raise InvalidCeremony(
                f"trustee {index} sent shares before every trustee revealed its commitments"
            )
        if t.sealed is not None:
            raise InvalidCeremony(f"trustee {index} sent shares twice")
        sealed = p["sealed"]
        expected = {str(j) for j in rnd.trustees if j != index}
        if not isinstance(sealed, dict) or set(sealed) != expected:
            raise InvalidCeremony(
                f"trustee {index} must send exactly one sealed share to each "
                f"other trustee {sorted(int(j) for j in expected)}"
            )
        t.sealed = {int(j): decode_sealed(v, f"share {index}->{j}") for j, v in sealed.items()}
        t.sealed_b64 = {int(j): v for j, v in sealed.items()}

    def _trustee_confirmed(
        self, rnd: Round, index: int, p: Mapping[str, Any], event: Mapping[str, Any]
    ) -> None:
        t = rnd.trustees[index]
        if not rnd.all_have("sealed"):
            raise InvalidCeremony(f"trustee {index} confirmed before every trustee sent shares")
        if t.confirmed is not None:
            raise InvalidCeremony(f"trustee {index} confirmed twice")
        fp = p["fingerprint"]
        if not isinstance(fp, str) or len(fp) != 64:
            raise InvalidCeremony("fingerprint: expected 64 hex digits")
        t.confirmed = fp

    def _ceremony_complaint(
        self, rnd: Round, index: int, p: Mapping[str, Any], event: Mapping[str, Any]
    ) -> None:
        accused = _int(p["accused_index"], "accused_index")
        if accused == index or accused not in rnd.trustees:
            raise InvalidCeremony(
                f"trustee {index} complains about trustee {accused}, "
                "which is not another trustee of this round"
            )
        if rnd.trustees[accused].sealed is None:
            raise InvalidCeremony(f"complaint about trustee {accused} before it sent shares")
        if rnd.trustees[index].confirmed is not None:
            raise InvalidCeremony(f"trustee {index} complains after confirming")
        if _int(p["complainant_index"], "complainant_index") != index:
            raise InvalidCeremony("complainant_index differs from the signer")
        if not isinstance(p.get("reason"), str):
            raise InvalidCeremony("a complaint must give a reason")
        rnd.complaints.append(Complaint(index, accused, p["reason"]))

    def _complaint_answer(
        self, rnd: Round, index: int, p: Mapping[str, Any], event: Mapping[str, Any]
    ) -> None:
        complainant = _int(p["complainant_index"], "complainant_index")
        complaint = next(
            (
                x
                for x in rnd.complaints
                if x.accused == index
                and x.complainant == complainant
                and x.answer is None
                and x.finding is None
            ),
            None,
        )
        if complaint is None:
            raise InvalidCeremony(
                f"trustee {index} answers a complaint by trustee {complainant} that is not open"
            )
        complaint.answer = {"share": p["share"], "ephemeral_secret": p["ephemeral_secret"]}

    def _verdict(self, p: Mapping[str, Any]) -> None:
        rnd = self.c.round
        if _int(p["round"], "round") != rnd.number:
            raise InvalidCeremony(f"a verdict for round {p['round']} in round {rnd.number}")
        complainant = _int(p["complainant_index"], "complainant_index")
        accused = _int(p["accused_index"], "accused_index")
        complaint = next(
            (
                x
                for x in rnd.complaints
                if x.accused == accused and x.complainant == complainant and x.finding is None
            ),
            None,
        )
        if complaint is None:
            raise InvalidCeremony(
                f"a verdict on a complaint by trustee {complainant} against "
                f"trustee {accused} that is not open"
            )
        finding = p["finding"]
        if complaint.answer is None:
            if finding != FINDING_NO_ANSWER:
                raise InvalidCeremony(f"finding {finding!r} without an answer from trustee {accused}")
            expected = FINDING_NO_ANSWER
        else:
            accused_t, complainant_t = rnd.trustees[accused], rnd.trustees[complainant]
            assert accused_t.sealed is not None
            expected = judge_complaint(
                self.c.election_id,
                rnd.number,
                accused,
                complainant,
                accused_t.points or [],
                complainant_t.encryption_key,
                accused_t.sealed[complainant],
                complaint.answer["share"],
                complaint.answer["ephemeral_secret"],
            )
        if finding != expected:
            raise InvalidCeremony(f"the verdict says {finding!r}; the answer on the board gives {expected!r}")
        culprit = complainant if expected == FINDING_SHARE_VALID else accused
        if _int(p["culprit_index"], "culprit_index") != culprit:
            raise InvalidCeremony(
                f"the verdict names trustee {p['culprit_index']}, the finding "
                f"{expected!r} makes trustee {culprit} the culprit"
            )
        complaint.finding, complaint.culprit = expected, culprit
        self.c.excluded_keys.add(rnd.trustees[culprit].signing_key)

    # setup ---------------------------------------------------------------------------------
    def _setup(self, p: Mapping[str, Any], event: Mapping[str, Any]) -> None:
        c = self.c
        if c.protocol != PROTOCOL:
            return  # protocol 1: judged by the record verifier's legacy rules
        rnd = c.round
        manifest = p["manifest"]
        if _int(manifest.get("ceremony_round"), "manifest.ceremony_round") != rnd.number:
            raise InvalidCeremony(
                f"setup of round {manifest.get('ceremony_round')} while the "
                f"ceremony is in round {rnd.number} (a superseded round)"
            )
        check_manifest_against_round(manifest, rnd, c.election_id)
        fingerprint = p["fingerprint"]
        unconfirmed = [
            j
            for j in range(1, rnd.size + 1)
            if j not in rnd.trustees or rnd.trustees[j].confirmed != fingerprint
        ]
        if unconfirmed:
            raise InvalidCeremony(
                f"set up without the confirmation of trustees {unconfirmed} for fingerprint {fingerprint}"
            )
        rnd.setup_seq, rnd.setup_fingerprint = int(event["seq"]), fingerprint
        c.setup_round = rnd.number


def check_manifest_against_round(manifest: Mapping[str, Any], rnd: Round, election_id: str) -> None:
    """A protocol-2 manifest names exactly this round's trustees (identity, encryption key,
    commitments), its threshold, and the election key ∏ C_{i,0}. Raises ``InvalidCeremony``."""
    if manifest.get("election_id") != election_id:
        raise InvalidCeremony(f"manifest is for election {manifest.get('election_id')!r}")
    if manifest.get("manifest_version") != 2:
        raise InvalidCeremony(
            f"a protocol-2 ceremony needs manifest_version 2, not {manifest.get('manifest_version')!r}"
        )
    if manifest.get("ceremony_round") != rnd.number:
        raise InvalidCeremony(
            f"manifest names round {manifest.get('ceremony_round')}, the ceremony is in round {rnd.number}"
        )
    if manifest.get("threshold") != rnd.threshold:
        raise InvalidCeremony(
            f"manifest threshold {manifest.get('threshold')} differs from the ceremony's {rnd.threshold}"
        )
    if not rnd.all_have("commitments"):
        raise InvalidCeremony("not every trustee has revealed its commitments")
    expected = rnd.expected_manifest_trustees()
    trustees = manifest.get("trustees")
    if trustees != expected:
        if not isinstance(trustees, list) or len(trustees) != len(expected):
            raise InvalidCeremony(
                f"manifest lists {len(trustees or [])} trustees, the ceremony has {len(expected)}"
            )
        for got, want in zip(trustees, expected, strict=True):
            for key in ("index", "signing_key", "encryption_key", "commitments"):
                if not isinstance(got, Mapping) or got.get(key) != want[key]:
                    raise InvalidCeremony(
                        f"manifest trustee {want['index']}: {key} differs "
                        "from what the trustee signed on the board"
                    )
        raise InvalidCeremony("manifest trustees carry fields the ceremony does not know")
    key = rnd.public_key.hex()
    if manifest.get("public_key") != key:
        raise InvalidCeremony(
            f"manifest public key {manifest.get('public_key')} is not the "
            f"product of the trustees' constant commitments ({key})"
        )


def replay(election_id: str, events: Iterable[Mapping[str, Any]]) -> Ceremony:
    """Replay every ceremony event of a board in order; raises ``InvalidCeremony`` naming the
    first event that an honest ceremony could not contain."""
    r = _Replay(election_id)
    for event in events:
        r.event(event)
    return r.c


DEFINITION_FIXED_KEYS = (
    "election_id",
    "manifest_version",
    "ceremony_round",
    "credential_mode",
    "threshold",
    "trustees",
    "public_key",
    "receipt_key",
)
"""What only a key ceremony sets: a later ballot definition keeps them from the setup."""


@dataclass
class ElectionCheck:
    """What a voter's client established before encrypting (``check_election``)."""

    ceremony: Ceremony
    setup_manifest: dict[str, Any]
    setup_fingerprint: str
    manifest: dict[str, Any]
    fingerprint: str

    @property
    def code(self) -> str:
        """The short code of the fingerprint every trustee confirmed (what the wiki shows)."""
        return fingerprint_code(self.setup_fingerprint)

    @property
    def receipt_key(self) -> str | None:
        key = self.setup_manifest.get("receipt_key")
        return key if isinstance(key, str) else None


def board_definitions(events: Iterable[Mapping[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """``(fingerprint, manifest)`` of the ``election_setup`` and of every later
    ``ballot_definition``, in board order (as the board states them: check the board first)."""
    out = []
    for e in events:
        if e["type"] in (SETUP, "ballot_definition"):
            out.append((str(e["payload"]["fingerprint"]), dict(e["payload"]["manifest"])))
    return out


def check_election(
    election_id: str,
    events: Sequence[Mapping[str, Any]],
    manifest: Mapping[str, Any],
    fingerprint: str | None = None,
    expected_code: str | None = None,
) -> ElectionCheck:
    """The voter clients' check before they encrypt (docs/protocol.md §8.9; the booth's twin is
    ``checkElection`` in ``crypto/ceremony.js``). ``manifest``/``fingerprint``: the ballot
    definition the server offers; ``events``: the whole board.

    In order: the manifest's ``public_key`` is ∏ C_{i,0} of its trustees' commitments; its
    fingerprint is recomputed (and equals ``fingerprint`` when given); the board's chain holds;
    its ceremony replays (protocol 2) to an ``election_setup`` that every trustee confirmed; the
    offered manifest is that setup's or the latest ``ballot_definition`` on the board, and keeps
    the setup's trustees, key, threshold, round, credential mode and receipt key; with
    ``expected_code`` (the short code published out of band), it is the code of the setup's
    fingerprint or of the offered one. Raises ``InvalidCeremony`` saying what differs."""
    manifest = dict(manifest)
    if manifest.get("election_id") != election_id:
        raise InvalidCeremony(
            f"the ballot definition is for election {manifest.get('election_id')!r}, not {election_id!r}"
        )
    try:
        trustees = manifest["trustees"]
        points = [
            [Point.from_hex(c, what=f"trustee {t['index']} commitment") for c in t["commitments"]]
            for t in trustees
        ]
        key = combine_public_key(points).hex()
    except (CryptoError, KeyError, TypeError, ValueError) as exc:
        raise InvalidCeremony(f"the ballot definition's trustees are malformed: {exc}") from None
    if manifest.get("public_key") != key:
        raise InvalidCeremony(
            f"the ballot definition's public key {manifest.get('public_key')} "
            "is not the product of the trustees' constant commitments "
            f"({key}): refusing to encrypt"
        )
    computed = election_fingerprint(manifest)
    if fingerprint is not None and fingerprint != computed:
        raise InvalidCeremony(f"the server's fingerprint {fingerprint} is not the manifest's ({computed})")
    try:
        verify_chain(events)
    except CryptoError as exc:
        raise InvalidCeremony(f"the board is broken: {exc}") from None
    state = replay(election_id, events)
    if state.protocol != PROTOCOL or state.setup_round is None:
        raise InvalidCeremony(
            "the board holds no election_setup of a protocol-2 key ceremony: "
            "the trustees did not make this election's key"
        )
    definitions = board_definitions(events)
    setup_fp, setup_manifest = definitions[0]
    current_fp, current = definitions[-1]
    if computed != current_fp or manifest != current:
        known = [fp for fp, _ in definitions]
        raise InvalidCeremony(
            f"the ballot definition {computed} is not the board's current one ({current_fp})"
            + (
                " (an earlier version)"
                if computed in known
                else ": the trustees never confirmed it and the board does not announce it"
            )
        )
    for name in DEFINITION_FIXED_KEYS:
        if manifest.get(name) != setup_manifest.get(name):
            raise InvalidCeremony(f"the ballot definition changes {name}, which only the key ceremony sets")
    if expected_code is not None:
        try:
            wanted = normalise_fingerprint_code(expected_code)
        except ValueError as exc:
            raise InvalidCeremony(str(exc)) from None
        if wanted not in (fingerprint_code(setup_fp), fingerprint_code(computed)):
            raise InvalidCeremony(
                f"this election's fingerprint code is "
                f"{fingerprint_code(setup_fp)}, not the published {wanted}: "
                "refusing to encrypt"
            )
    return ElectionCheck(state, setup_manifest, setup_fp, manifest, computed)


def require_trustees(ceremony: Ceremony, expected_fingerprints: Iterable[str]) -> None:
    """The out-of-band check: the current round's trustees are exactly the identities the
    committee published (as fingerprints). Raises ``InvalidCeremony`` naming a stranger."""
    wanted = {normalise_fingerprint(f) for f in expected_fingerprints}
    for t in sorted(ceremony.round.trustees.values(), key=lambda t: t.index):
        if t.fingerprint not in wanted:
            raise InvalidCeremony(
                f"trustee {t.index} has identity {t.fingerprint}, which is "
                "not one of the published trustee fingerprints"
            )


def decryption_share_body(tally_hash: str, share: Mapping[str, Any]) -> dict[str, Any]:
    """What a trustee signs with its decryption share (protocol 2)."""
    return {"tally_hash": tally_hash, "share": dict(share)}


def sign_decryption_share(
    seed: bytes, election_id: str, ceremony_round: int, index: int, tally_hash: str, share: Mapping[str, Any]
) -> str:
    return sign_message(
        seed, DECRYPTION_SHARE, election_id, ceremony_round, index, decryption_share_body(tally_hash, share)
    )


def verify_decryption_share_signature(
    signing_key: str,
    signature: object,
    election_id: str,
    ceremony_round: int,
    index: int,
    tally_hash: str,
    share: Mapping[str, Any],
) -> None:
    verify_message(
        signing_key,
        signature,
        DECRYPTION_SHARE,
        election_id,
        ceremony_round,
        index,
        decryption_share_body(tally_hash, share),
    )
