"""The mix of ranked answers, one definition for the server, the trustee clients and the
record verifier (docs/protocol.md §14.4–14.6).

After the tally starts, each ranked question's answers in the counted set (in counted order)
form the *mix input*: one row of ``width`` ciphertexts per ballot. ``mixes_required(manifest)``
trustees (at least two, each a different authenticated party) mix it one after another: mix
``p`` takes the output of mix ``p − 1`` (mix 0 takes the input), re-encrypts and permutes it
with a shuffle proof (``crypto.shuffle``), and signs the result with its identity key. Only
when every ranked question has all its mixes does the *decryption target* exist: the encrypted
tally's sums followed by the last mix's ciphertexts of every ranked question; trustees decrypt
that, with proofs bound to its hash and to each position. So no ranked answer is decrypted
before every required party has mixed it (DESIGN invariant 3).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import ranked
from .ceremony import verify_message
from .elgamal import Ciphertext
from .errors import CryptoError, InvalidEncoding, InvalidProof
from .group import IDENTITY, Point
from .hashing import canonical_json
from .shuffle import ShuffleProof, rows_hash, verify_shuffle
from .tally import min_contributors

MIX = "mix"
"""The board event of one accepted mix (payload: ``MIX_KEYS``)."""

MIX_KEYS = frozenset(
    {
        "round",
        "index",
        "question",
        "position",
        "input_hash",
        "output_hash",
        "ciphertexts",
        "proof",
        "signature",
    }
)

MIN_MIXES = 2
"""Every ranked answer is mixed by at least two different parties (issue 15, DESIGN §3.3):
one honest mixer is enough to hide who cast which ranking, and nobody is trusted alone."""
MAX_MIXES = 8


class InvalidMix(CryptoError):
    """A mix that does not extend the chain, is not signed by a trustee, or whose shuffle
    proof fails."""


def ranked_questions(manifest: Mapping[str, Any]) -> list[int]:
    return [q for q, question in enumerate(manifest["questions"]) if question["kind"] == "ranked"]


def mixes_required(manifest: Mapping[str, Any]) -> int:
    """How many mixes by different trustees each ranked question needs (manifest
    ``mixes_required``, at least 2); 0 for a ballot without ranked questions."""
    if not ranked_questions(manifest):
        return 0
    value = manifest.get("mixes_required")
    if not isinstance(value, int) or isinstance(value, bool) or not MIN_MIXES <= value <= MAX_MIXES:
        raise InvalidMix(
            f"a ballot with ranked questions needs mixes_required in {MIN_MIXES}..{MAX_MIXES}, not {value!r}"
        )
    return value


def empty_chunk() -> Ciphertext:
    """The public, randomness-free encryption of an all-zero chunk: what pads a row cast on a
    ballot version with fewer chunks (it decodes as "nothing ranked here")."""
    return Ciphertext(IDENTITY, _EMPTY_POINT)


_EMPTY_POINT = ranked.pack([], 1)[0]


@dataclass(frozen=True)
class MixInput:
    question: int
    width: int
    rows: list[list[Ciphertext]]

    @property
    def hash(self) -> str:
        return rows_hash(self.rows, self.width)


def mix_inputs(
    final: Mapping[str, Any], counted: Sequence[Sequence[Sequence[Ciphertext]]]
) -> dict[int, MixInput]:
    """The mix input of every ranked question that will be decrypted, from the counted
    ballots' ciphertexts (``counted[b][q]``, counted order). The anonymity guard: a ranked
    question with fewer counted ballots than ``min_contributors`` is neither mixed nor
    decrypted (each decrypted ranking would belong to one of too few voters)."""
    k = min_contributors(final)
    out: dict[int, MixInput] = {}
    if not counted or len(counted) < k:
        return out
    for q in ranked_questions(final):
        width = max(len(ballot[q]) for ballot in counted)
        rows = [list(ballot[q]) + [empty_chunk()] * (width - len(ballot[q])) for ballot in counted]
        out[q] = MixInput(q, width, rows)
    return out


def input_summary(inputs: Mapping[int, MixInput]) -> list[dict[str, Any]]:
    """What the ``encrypted_tally`` event states about the mix inputs (in its hash)."""
    return [
        {"question": q, "rows": len(inputs[q].rows), "width": inputs[q].width, "hash": inputs[q].hash}
        for q in sorted(inputs)
    ]


def mix_context(
    election_id: str, fingerprint: str, tally_hash: str, question: int, position: int, index: int
) -> bytes:
    """The shuffle proof's context: one mix (position, mixer) of one question of one tally."""
    return (f"scrutin/mix/v1/{election_id}/{fingerprint}/{tally_hash}/{question}/{position}/{index}").encode()


def generator_seed(election_id: str, fingerprint: str, question: int) -> bytes:
    return f"scrutin/mix-generators/v1/{election_id}/{fingerprint}/{question}".encode()


def proof_hash(proof: Mapping[str, Any]) -> str:
    return hashlib.sha256(b"scrutin/v1/mix-proof\x00" + canonical_json(proof)).hexdigest()


def mix_body(
    question: int, position: int, input_hash: str, output_hash: str, proof: Mapping[str, Any]
) -> dict[str, Any]:
    """What the mixer signs (kind ``mix``, in the ceremony's signed envelope)."""
    return {
        "question": question,
        "position": position,
        "input_hash": input_hash,
        "output_hash": output_hash,
        "proof_hash": proof_hash(proof),
    }


def parse_rows(value: object, n: int, width: int, what: str) -> list[list[Ciphertext]]:
    if not isinstance(value, list) or len(value) != n:
        raise InvalidMix(f"{what}: expected {n} rows")
    rows = []
    for i, row in enumerate(value):
        if not isinstance(row, list) or len(row) != width:
            raise InvalidMix(f"{what}[{i}]: expected {width} ciphertexts")
        try:
            rows.append([Ciphertext.from_json(c, what=f"{what}[{i}][{k}]") for k, c in enumerate(row)])
        except InvalidEncoding as exc:
            raise InvalidMix(str(exc)) from None
    return rows


@dataclass
class Chain:
    """The accepted mixes of one ranked question."""

    input: MixInput
    mixers: list[int] = field(default_factory=list)
    outputs: list[list[list[Ciphertext]]] = field(default_factory=list)
    output_hashes: list[str] = field(default_factory=list)

    @property
    def current(self) -> list[list[Ciphertext]]:
        return self.outputs[-1] if self.outputs else self.input.rows

    @property
    def current_hash(self) -> str:
        return self.output_hashes[-1] if self.output_hashes else self.input.hash


@dataclass(frozen=True)
class MixSetting:
    """What checking a mix needs from the election."""

    election_id: str
    fingerprint: str
    tally_hash: str
    public_key: Point
    ceremony_round: int
    signing_keys: Mapping[int, str]
    required: int


def check_mix(
    setting: MixSetting, chain: Chain, payload: Mapping[str, Any], *, workers: int = 1
) -> list[list[Ciphertext]]:
    """Verify one mix against its chain: keys, a trustee not yet in the chain, the next
    position, the chain's current hash as input, the output hash, the signature, the shuffle
    proof. Returns the output rows (the caller appends them); raises ``InvalidMix``."""
    if not isinstance(payload, Mapping) or set(payload) != MIX_KEYS:
        raise InvalidMix(f"mix: expected keys {sorted(MIX_KEYS)}")
    q = chain.input.question
    where = f"mix {payload.get('position')!r} of question {q}"
    index = payload["index"]
    if payload["question"] != q:
        raise InvalidMix(f"{where}: names question {payload['question']!r}")
    if isinstance(index, bool) or index not in setting.signing_keys:
        raise InvalidMix(f"{where}: mixer {index!r} is not a trustee of this election")
    if index in chain.mixers:
        raise InvalidMix(
            f"{where}: trustee {index} already mixed this question; each mix must come from a different party"
        )
    if len(chain.mixers) >= setting.required:
        raise InvalidMix(f"{where}: question {q} already has its {setting.required} mixes")
    if payload["position"] != len(chain.mixers) or isinstance(payload["position"], bool):
        raise InvalidMix(f"{where}: the next mix of question {q} is number {len(chain.mixers)}")
    if payload["round"] != setting.ceremony_round:
        raise InvalidMix(f"{where}: signed for ceremony round {payload['round']!r}")
    if payload["input_hash"] != chain.current_hash:
        raise InvalidMix(
            f"{where}: its input {payload['input_hash']!r} is not the previous output {chain.current_hash}"
        )
    n, width = len(chain.input.rows), chain.input.width
    output = parse_rows(payload["ciphertexts"], n, width, f"{where}: ciphertexts")
    if rows_hash(output, width) != payload["output_hash"]:
        raise InvalidMix(f"{where}: output_hash is not the hash of its ciphertexts")
    try:
        verify_message(
            setting.signing_keys[index],
            payload["signature"],
            MIX,
            setting.election_id,
            setting.ceremony_round,
            index,
            mix_body(q, payload["position"], payload["input_hash"], payload["output_hash"], payload["proof"]),
        )
        proof = ShuffleProof.from_json(payload["proof"], n, width, f"{where}: proof")
        verify_shuffle(
            setting.public_key,
            chain.current,
            output,
            width,
            proof,
            mix_context(
                setting.election_id, setting.fingerprint, setting.tally_hash, q, payload["position"], index
            ),
            generator_seed(setting.election_id, setting.fingerprint, q),
            workers=workers,
        )
    except (InvalidProof, InvalidEncoding) as exc:
        raise InvalidMix(f"{where}: {exc}") from None
    except CryptoError as exc:
        raise InvalidMix(f"{where}: {exc}") from None
    return output


def replay_mixes(
    setting: MixSetting,
    inputs: Mapping[int, MixInput],
    events: Iterable[Mapping[str, Any]],
    *,
    workers: int = 1,
) -> dict[int, Chain]:
    """Check every ``mix`` event in board order; an invalid one on the board means the
    server published what it must have refused, so the whole chain is rejected."""
    chains = {q: Chain(mix_input) for q, mix_input in inputs.items()}
    for event in events:
        if event["type"] != MIX:
            continue
        payload = event["payload"]
        q = payload.get("question") if isinstance(payload, Mapping) else None
        if isinstance(q, bool) or q not in chains:
            raise InvalidMix(
                f"board event {event.get('seq')}: a mix of question {q!r}, which has nothing to mix"
            )
        chain = chains[q]
        output = check_mix(setting, chain, payload, workers=workers)
        chain.mixers.append(payload["index"])
        chain.outputs.append(output)
        chain.output_hashes.append(payload["output_hash"])
    return chains


def complete(chains: Mapping[int, Chain], required: int) -> bool:
    return all(len(chain.mixers) >= required for chain in chains.values())


def decryption_target_hash(tally_hash: str, chains: Mapping[int, Chain]) -> str:
    """What the trustees' decryption shares name. Without ranked questions it is the
    encrypted tally's hash, exactly as before (old records verify unchanged)."""
    if not chains:
        return tally_hash
    body = {
        "tally_hash": tally_hash,
        "ranked": [
            {
                "question": q,
                "rows": len(chains[q].current),
                "width": chains[q].input.width,
                "output_hash": chains[q].current_hash,
            }
            for q in sorted(chains)
        ],
    }
    return hashlib.sha256(b"scrutin/decryption-target/v1\x00" + canonical_json(body)).hexdigest()


def decryption_ciphertexts(
    tally_ciphertexts: Sequence[Ciphertext], chains: Mapping[int, Chain]
) -> list[Ciphertext]:
    """The encrypted tally's sums, then each ranked question's final rows, row by row."""
    out = list(tally_ciphertexts)
    for q in sorted(chains):
        for row in chains[q].current:
            out.extend(row)
    return out


def split_decrypted(
    points: Sequence[Point], n_sums: int, chains: Mapping[int, Chain]
) -> tuple[list[Point], dict[int, list[list[Point]]]]:
    """Undo ``decryption_ciphertexts``: (the sums' points, {question: rows of points})."""
    sums = list(points[:n_sums])
    rows: dict[int, list[list[Point]]] = {}
    i = n_sums
    for q in sorted(chains):
        width = chains[q].input.width
        rows[q] = []
        for _ in chains[q].current:
            rows[q].append(list(points[i : i + width]))
            i += width
    if i != len(points):
        raise InvalidMix("decrypted points do not match the decryption target")
    return sums, rows


def known_positions(manifests: Iterable[Mapping[str, Any]], question: int) -> frozenset[int]:
    """Every candidate position question ``question`` listed on any ballot version."""
    return frozenset(int(c["position"]) for m in manifests for c in m["questions"][question]["candidates"])


def decode_rankings(
    final: Mapping[str, Any],
    manifests: Iterable[Mapping[str, Any]],
    question: int,
    rows: Sequence[Sequence[Point]],
) -> tuple[list[list[int]], int]:
    """The decrypted rankings of ``question`` as indices into the final ballot's candidates,
    in mix output order, and the number of invalid ballots (not a packing of a ranking)."""
    positions = [int(c["position"]) for c in final["questions"][question]["candidates"]]
    known = known_positions(manifests, question)
    rankings: list[list[int]] = []
    invalid = 0
    for row in rows:
        decoded = ranked.decrypt_ranking(row, positions, known)
        if decoded is None:
            invalid += 1
        else:
            rankings.append(decoded)
    return rankings, invalid
