"""Check 8 (``aggregate``): the encrypted tally is the slot-wise homomorphic sum of the counted
ballots (``crypto.tally.combine_versions`` across definition versions), except that a slot
whose candidate fewer than the manifest's ``min_contributors`` counted ballots listed holds
the identity (the anonymity guard, ``crypto.tally.guarded_slots``: it is never decrypted)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..elgamal import Ciphertext
from ..errors import CryptoError, InvalidEncoding, InvalidTally
from ..tally import ZERO, combine_versions, guarded_slots, layout_of, min_contributors
from .common import CheckResult, passed, slot_name
from .setup import Setup, Setups
from .shape import Event


@dataclass(frozen=True)
class Aggregate:
    setup: Setup
    """The definition version the tally is of."""
    ciphertexts: tuple[Ciphertext, ...]
    contributors: list[list[int]]


def check_aggregate(
    tally: Event, setups: Setups, version_sums: Mapping[int, tuple[list[Ciphertext], int]], counted: int
) -> tuple[Aggregate, CheckResult]:
    """``counted``: how many ballots the tally counts (for messages)."""
    where, p = tally.where, tally.payload
    setup = setups.by_version[p["definition_version"]]
    layout = layout_of(setup.manifest)
    if p["layout"] != layout:
        raise InvalidTally(
            f"{where}: layout {p['layout']} does not match the manifest's questions ({layout})"
        )
    raw = p["ciphertexts"]
    if len(raw) != sum(layout):
        raise InvalidTally(f"{where}: {len(raw)} ciphertexts for {sum(layout)} tally slots")
    manifests = {v: st.manifest for v, st in setups.by_version.items()}
    try:
        expected, contributors = combine_versions(dict(version_sums), manifests, setup.manifest)
    except CryptoError as exc:
        raise InvalidTally(f"{where}: {exc}") from None
    if p["contributors"] != contributors:
        raise InvalidTally(
            f"{where}: contributors {p['contributors']} do not match the "
            f"counted ballots' versions ({contributors})"
        )
    guarded = guarded_slots(setup.manifest, contributors)
    k = min_contributors(setup.manifest)
    parsed = []
    for i, (c, e) in enumerate(zip(raw, expected, strict=True)):
        name = slot_name(setup.manifest, layout, i)
        try:
            ct = Ciphertext.from_json(c, what=f"ciphertext {i}", allow_identity=True)
        except InvalidEncoding as exc:
            raise InvalidTally(f"{where}: {name}: {exc}") from None
        if guarded[i] and ct != ZERO:
            raise InvalidTally(
                f"{where}: {name}: fewer than min_contributors = {k} counted "
                "ballots listed this candidate, so its slot must be the "
                "identity (never decrypted), not their sum"
            )
        if ct != e:
            raise InvalidTally(
                f"{where}: {name}: the ciphertext is not the homomorphic sum of the {counted} counted ballots"
            )
        parsed.append(ct)
    withheld = sum(guarded)
    return Aggregate(setup, tuple(parsed), contributors), passed(
        "aggregate",
        f"{len(parsed)} tally slots = sums of {counted} counted ballots"
        + (f"; {withheld} withheld (fewer than {k} contributors)" if withheld else ""),
        slots=len(parsed),
        ballots=counted,
        withheld=withheld,
    )
