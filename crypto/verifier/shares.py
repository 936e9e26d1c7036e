"""Check 10 (``decryption_shares``): every trustee's decryption share — one per trustee of
the election, naming the tally (or decryption target) on the board, signed by the trustee's
identity (protocol 2), and its Chaum–Pedersen proofs against ``g^{s_j}`` computed from the
commitments (``crypto.threshold.verify_decryption_share``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .. import ceremony
from ..errors import CryptoError, InvalidShare
from ..group import Point
from ..tally import decryption_context, encrypted_tally_hash, layout_of
from ..threshold import first_invalid_slot, verify_decryption_share
from .common import CheckResult, passed, slot_name
from .mixes import Target
from .setup import Setup
from .shape import Event

Shares = Mapping[int, list[Point]]
"""Trustee index → its verified decryption factors, one per target ciphertext."""


def check_shares(
    election_id: str, tally: Event, setup: Setup, target: Target, shares: Sequence[Event], *, workers: int
) -> tuple[Shares, CheckResult]:
    manifest = setup.manifest
    layout = layout_of(manifest)
    # Protocol 2 (manifest_version 2): shares name the encrypted tally's hash, their proofs
    # bind the slot index, and each share is signed by the trustee's identity. With ranked
    # questions they name the decryption target (the sums and the last mixes, §14.5).
    bound = int(manifest.get("manifest_version", 1)) >= 2
    tally_hash = encrypted_tally_hash(tally.payload) if bound else None
    if target.hash is not None:
        tally_hash = target.hash
    context = decryption_context(election_id, setup.fingerprint, tally_hash)
    keys = {t["index"]: t.get("signing_key") for t in manifest["trustees"]}
    cts = list(target.ciphertexts)
    valid: dict[int, list[Point]] = {}
    for event in shares:
        where, p = event.where, event.payload
        j = p["index"]
        if j not in setup.public_shares:
            raise InvalidShare(f"{where}: trustee {j} is not a trustee of this election")
        if j in valid:
            raise InvalidShare(f"{where}: trustee {j} submitted a second decryption share")
        share = p["share"]
        if bound:
            if p.get("tally_hash") != tally_hash:
                raise InvalidShare(
                    f"{where}: trustee {j}'s share names tally "
                    f"{p.get('tally_hash')}, the encrypted tally on the "
                    f"board is {tally_hash}"
                )
            try:
                ceremony.verify_decryption_share_signature(
                    str(keys[j]),
                    p.get("signature"),
                    election_id,
                    manifest["ceremony_round"],
                    j,
                    str(tally_hash),
                    share,
                )
            except CryptoError as exc:
                raise InvalidShare(f"{where}: {exc}") from None
        try:
            verify_decryption_share(
                cts, share, setup.public_shares[j], j, context, slot_bound=bound, workers=workers
            )
        except CryptoError as exc:
            slot = first_invalid_slot(cts, share, setup.public_shares[j], j, context, slot_bound=bound)
            what = f", {slot_name(manifest, layout, slot)} (slot {slot})" if (slot is not None) else ""
            raise InvalidShare(
                f"{where}: trustee {j}'s decryption share{what} does not verify: {exc}"
            ) from None
        valid[j] = [Point.from_hex(f, allow_identity=True) for f in share["factors"]]
    return valid, passed(
        "decryption_shares",
        f"{len(valid)} decryption shares from trustees {sorted(valid)} (threshold {manifest['threshold']})",
        shares=len(valid),
        proofs=len(valid) * len(cts),
    )
