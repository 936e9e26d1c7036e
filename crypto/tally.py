"""Which ballots count, their homomorphic sum, and the tally's decryption context
(protocol.md, "Tally"). Pure functions over the public board, shared by the server and the
record verifier, so both derive the counted set by the same rule.

Counted set: for each credential, the last ballot (in board order) that is not struck. Strikes
and unstrikes are board events (``ballot_struck`` / ``ballot_unstruck`` with ``trackers``);
re-casting supersedes, striking removes: if a voter's last ballot is struck, their previous
unstruck ballot counts again, exactly as if the struck one had never been cast.

Anonymity guard (DESIGN §3.9): a manifest that states ``min_contributors`` = k never has a
tally slot decrypted whose contributors (the counted ballots that listed its candidate) number
fewer than k (an empty slot, listed by no ballot, holds nobody's choice and is decrypted).
``combine_versions`` puts the identity ciphertext (an encryption of 0 with no randomness,
which tells nothing about any ballot) in such a slot, so the ``encrypted_tally``
event itself never asks anyone — trustees included — to decrypt it; the result reports it as
too few ballots to publish (``crypto.results``). Manifests without the key have no guard.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .elgamal import Ciphertext, aggregate
from .errors import InvalidBallot
from .group import IDENTITY, Point
from .hashing import canonical_json

CAST, STRUCK, UNSTRUCK = "ballot_cast", "ballot_struck", "ballot_unstruck"
REPLACED = "credential_replaced"


@dataclass(frozen=True)
class CastRecord:
    seq: int
    tracker: str
    credential: str
    definition_version: int


def counted_ballots(events: Iterable[Mapping[str, Any]]) -> list[CastRecord]:
    """Replay cast/strike/unstrike events; returns the counted ballots in board order.

    A credential revoked by a ``credential_replaced`` event (allowed only while none of its
    ballots counts, e.g. after a strike) never counts again, even if a ballot of it is later
    unstruck: the voter's ballots count under the new credential only."""
    by_credential: dict[str, list[CastRecord]] = {}
    struck: set[str] = set()
    revoked: set[str] = set()
    for event in events:
        kind, payload = event["type"], event["payload"]
        if kind == REPLACED:
            revoked.add(str(payload["old_credential"]))
        elif kind == CAST:
            record = CastRecord(
                int(event["seq"]),
                str(payload["tracker"]),
                str(payload["credential"]),
                int(payload["definition_version"]),
            )
            by_credential.setdefault(record.credential, []).append(record)
        elif kind == STRUCK:
            struck.update(payload["trackers"])
        elif kind == UNSTRUCK:
            struck.difference_update(payload["trackers"])
    counted = []
    for credential, records in by_credential.items():
        if credential in revoked:
            continue
        live = [r for r in records if r.tracker not in struck]
        if live:
            counted.append(live[-1])
    return sorted(counted, key=lambda r: r.seq)


def ballot_ciphertexts(
    ballot: Mapping[str, Any], *, already_verified: bool = False
) -> list[list[Ciphertext]]:
    """The tally slots of a ballot, question by question.

    ``already_verified``: the ballot passed ``verify_ballot`` before it was stored (the server's
    own database), so its points are not re-checked against the subgroup — that check is most
    of the cost of a large tally. Anything from outside must not use it; the record verifier
    re-verifies every ballot and every sum independently."""
    try:
        if already_verified:
            return [
                [
                    Ciphertext(Point(bytes.fromhex(c["alpha"])), Point(bytes.fromhex(c["beta"])))
                    for c in answer["ciphertexts"]
                ]
                for answer in ballot["answers"]
            ]
        return [[Ciphertext.from_json(c) for c in answer["ciphertexts"]] for answer in ballot["answers"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidBallot(f"ballot without ciphertexts: {exc}") from None


def sum_ballots(ballots: Sequence[Sequence[Sequence[Ciphertext]]], layout: Sequence[int]) -> list[Ciphertext]:
    """Slot-wise homomorphic sums, flattened question by question."""
    flat: list[Ciphertext] = []
    for q, width in enumerate(layout):
        for slot in range(width):
            flat.append(aggregate(b[q][slot] for b in ballots))
    return flat


def decryption_context(election_id: str, fingerprint: str, tally_hash: str | None = None) -> bytes:
    """Binds decryption shares to this election's one tally. Protocol 2 (``tally_hash`` given)
    names the hash of the whole encrypted tally as well; its proofs also bind the slot index
    (``crypto.threshold.decryption_share(slot_bound=True)``)."""
    if tally_hash is None:
        return f"scrutin/tally/v1/{election_id}/{fingerprint}".encode()
    return f"scrutin/tally/v2/{election_id}/{fingerprint}/{tally_hash}".encode()


TALLY_HASH_FIELDS = ("definition_version", "counted", "layout", "contributors", "ciphertexts")


def encrypted_tally_hash(payload: Mapping[str, Any]) -> str:
    """SHA-256 over the canonical JSON of the ``encrypted_tally`` event's content: what the
    trustees decrypt, and what their decryption shares name (protocol 2)."""
    body = {k: payload.get(k) for k in TALLY_HASH_FIELDS}
    if "mix_inputs" in payload:  # ballots with ranked questions (protocol.md §14.4)
        body["mix_inputs"] = payload["mix_inputs"]
    return hashlib.sha256(b"scrutin/encrypted-tally/v2\x00" + canonical_json(body)).hexdigest()


def split_totals(flat: Sequence[int], layout: Sequence[int]) -> list[list[int]]:
    out, i = [], 0
    for width in layout:
        out.append(list(flat[i : i + width]))
        i += width
    return out


def layout_of(manifest: Mapping[str, Any]) -> list[int]:
    """Tally slots per question: 2 per candidate for S/O/N, 0 for ranked, 1 otherwise."""
    return [slot_width(q) * len(q["candidates"]) for q in manifest["questions"]]


def slot_width(question: Mapping[str, Any]) -> int:
    """Homomorphic tally slots per candidate: 2 for S/O/N, 1 for approval and plurality, 0 for
    a ranked question (its answers are mixed and decrypted one by one, never summed)."""
    return {"sonc": 2, "ranked": 0}.get(question["kind"], 1)


def min_contributors(manifest: Mapping[str, Any]) -> int:
    """The anonymity guard's k: ``manifest["min_contributors"]`` (an integer ≥ 1), or 0 — no
    guard — for manifests made before it existed."""
    value = manifest.get("min_contributors")
    if value is None:
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidBallot(f"min_contributors must be an integer of at least 1, not {value!r}")
    return value


def guarded_candidates(
    manifest: Mapping[str, Any], contributors: Sequence[Sequence[int]]
) -> list[list[bool]]:
    """``[q][i]``: candidate i of question q was listed by some but fewer than k counted
    ballots, so its slots are never decrypted (always False without a guard). A slot no
    ballot listed is the empty sum: it holds no one's choice and decrypts to 0."""
    k = min_contributors(manifest)
    return [[0 < int(n) < k for n in row] for row in contributors]


def guarded_slots(manifest: Mapping[str, Any], contributors: Sequence[Sequence[int]]) -> list[bool]:
    """``guarded_candidates`` per tally slot, flattened in the layout's order."""
    flat: list[bool] = []
    for question, row in zip(manifest["questions"], guarded_candidates(manifest, contributors), strict=True):
        width = slot_width(question)
        for guarded in row:
            flat.extend([guarded] * width)
    return flat


ZERO = Ciphertext(IDENTITY, IDENTITY)
"""What a guarded slot holds in the encrypted tally: decrypting it reveals nothing."""


def combine_versions(
    version_sums: Mapping[int, tuple[Sequence[Ciphertext], int]],
    manifests: Mapping[int, Mapping[str, Any]],
    final: Mapping[str, Any],
) -> tuple[list[Ciphertext], list[list[int]]]:
    """Map per-version slot sums (each in its own version's layout, with the number of ballots
    summed) into the final ballot definition's layout.

    Candidates are identified by their ``position`` (stable across versions: a withdrawn
    candidate keeps its position, a replacement gets a new one). Ballots contribute to the
    candidates their own version listed; ``contributors[q][i]`` counts the ballots that listed
    final candidate i of question q (for S/O/N, neutral = contributors − support − oppose).
    Slots of candidates listed by fewer than ``final["min_contributors"]`` ballots are ``ZERO``
    (the anonymity guard, one definition for the server, the verifier and the clients).
    """
    width = [slot_width(q) for q in final["questions"]]
    index = [{c["position"]: i for i, c in enumerate(q["candidates"])} for q in final["questions"]]
    slots: list[list[list[Ciphertext]]] = [
        [[] for _ in range(w * len(q["candidates"]))] for w, q in zip(width, final["questions"], strict=True)
    ]
    contributors = [[0] * len(q["candidates"]) for q in final["questions"]]
    for version, (flat, count) in sorted(version_sums.items()):
        manifest = manifests[version]
        if len(manifest["questions"]) != len(final["questions"]):
            raise InvalidBallot(f"version {version} has a different number of questions")
        offset = 0
        for q, question in enumerate(manifest["questions"]):
            w = width[q]
            for j, candidate in enumerate(question["candidates"]):
                i = index[q].get(candidate["position"])
                if i is None:
                    raise InvalidBallot(
                        f"version {version} names candidate "
                        f"{candidate['position']} unknown to the final ballot"
                    )
                contributors[q][i] += count
                for k in range(w):
                    slots[q][w * i + k].append(flat[offset + w * j + k])
            offset += w * len(question["candidates"])
    sums = [aggregate(cts) for question_slots in slots for cts in question_slots]
    guarded = guarded_slots(final, contributors)
    return [ZERO if g else c for c, g in zip(sums, guarded, strict=True)], contributors


def sum_by_version(
    ballots: Sequence[tuple[int, Sequence[Sequence[Ciphertext]]]],
    manifests: Mapping[int, Mapping[str, Any]],
) -> dict[int, tuple[list[Ciphertext], int]]:
    """Slot-wise sums of the ballots of each definition version, in that version's layout."""
    grouped: dict[int, list[Sequence[Sequence[Ciphertext]]]] = {}
    for version, ciphertexts in ballots:
        grouped.setdefault(version, []).append(ciphertexts)
    return {v: (sum_ballots(group, layout_of(manifests[v])), len(group)) for v, group in grouped.items()}


def sum_across_versions(
    ballots: Sequence[tuple[int, Sequence[Sequence[Ciphertext]]]],
    manifests: Mapping[int, Mapping[str, Any]],
    final: Mapping[str, Any],
) -> tuple[list[Ciphertext], list[list[int]]]:
    """The tally of ballots cast on one or several ballot-definition versions."""
    return combine_versions(sum_by_version(ballots, manifests), manifests, final)
