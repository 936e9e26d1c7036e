"""Check 9 (``mixes``): ranked answers are mixed, not summed. The ``encrypted_tally`` states
the mix inputs (the counted ballots' ranked answers, ``crypto.mixnet.mix_inputs``); each mix's
input is that or the previous output, signed by a different trustee, with a valid shuffle
proof (``crypto.mixnet.replay_mixes``); no decryption share before every ranked question had
its mixes. Returns what the decryption shares must decrypt (``Target``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .. import mixnet
from ..elgamal import Ciphertext
from ..errors import InvalidTally
from ..group import Point
from ..tally import CastRecord, encrypted_tally_hash
from .aggregate import Aggregate
from .common import CheckResult, passed
from .phases import Phases


@dataclass(frozen=True)
class Target:
    """What the decryption shares decrypt: the tally's sums, then (once every ranked question
    is mixed) the last mixes' rows; ``hash`` is what the shares name then (None: the
    encrypted tally's own hash)."""

    ciphertexts: tuple[Ciphertext, ...]
    hash: str | None = None
    chains: Mapping[int, mixnet.Chain] = field(default_factory=dict)


def check_mixes(
    election_id: str,
    phases: Phases,
    aggregate: Aggregate,
    ranked_rows: Mapping[str, Mapping[int, list[Ciphertext]]],
    counted: Sequence[CastRecord],
    *,
    workers: int,
) -> tuple[Target, CheckResult]:
    tally = phases.tally
    assert tally is not None
    p, setup = tally.payload, aggregate.setup
    manifest = setup.manifest
    if not mixnet.ranked_questions(manifest):
        if phases.mixes or "mix_inputs" in p:
            at = phases.mixes[0] if phases.mixes else tally
            raise InvalidTally(f"{at.where}: mixes for a ballot without ranked questions")
        return Target(aggregate.ciphertexts), passed(
            "mixes", "no ranked questions: nothing to mix", mixes=0, rows=0
        )
    where = tally.where
    required = mixnet.mixes_required(manifest)
    counted_rows = [ranked_rows.get(c.tracker, {}) for c in counted]
    n_questions = len(manifest["questions"])
    inputs = mixnet.mix_inputs(
        manifest, [[rows.get(q, []) for q in range(n_questions)] for rows in counted_rows]
    )
    summary = mixnet.input_summary(inputs)
    if p.get("mix_inputs") != summary:
        raise InvalidTally(
            f"{where}: mix_inputs {p.get('mix_inputs')!r} are not the counted "
            f"ballots' ranked answers ({summary})"
        )
    tally_hash = encrypted_tally_hash(p)
    setting = mixnet.MixSetting(
        election_id=election_id,
        fingerprint=setup.fingerprint,
        tally_hash=tally_hash,
        public_key=Point.from_hex(manifest["public_key"]),
        ceremony_round=manifest["ceremony_round"],
        signing_keys={t["index"]: str(t.get("signing_key")) for t in manifest["trustees"]},
        required=required,
    )
    try:
        chains = mixnet.replay_mixes(setting, inputs, [e.raw for e in phases.mixes], workers=workers)
    except mixnet.InvalidMix as exc:
        raise InvalidTally(str(exc)) from None
    done = mixnet.complete(chains, required)
    if phases.shares and not done:
        raise InvalidTally(
            f"{phases.shares[0].where}: a decryption share before every "
            f"ranked question had its {required} mixes: ranked answers would "
            "be decrypted unmixed"
        )
    target = Target(aggregate.ciphertexts, None, chains)
    if done:
        target = Target(
            tuple(mixnet.decryption_ciphertexts(list(aggregate.ciphertexts), chains)),
            mixnet.decryption_target_hash(tally_hash, chains),
            chains,
        )
    rows = sum(len(c.input.rows) for c in chains.values())
    return target, passed(
        "mixes",
        f"{len(phases.mixes)} mixes of {len(chains)} ranked question(s), {rows} rows, "
        f"by trustees {sorted({m for c in chains.values() for m in c.mixers})}"
        + ("" if done else f" (incomplete: {required} needed per question)"),
        mixes=len(phases.mixes),
        rows=rows,
    )
