"""Check 3 (``setup``): the key ceremony and the ballot definitions.

Protocol 2 replays the whole ceremony (``crypto.ceremony.replay``); protocol 1 (records made
before trustee identities) checks the unsigned commitments here. Then every
``election_setup``/``ballot_definition``: the fingerprint of its manifest, its trustees and
election key against the ceremony, and a later version changing only what it may. Returns the
definitions set up (``Setups``), which every later check reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import ceremony
from ..errors import CryptoError, InvalidRecord, UnsupportedRecord
from ..fingerprint import election_fingerprint
from ..group import Point
from ..manifest import ballot_context
from ..tally import layout_of, min_contributors
from ..threshold import (
    combine_public_key,
    public_key_share,
    trustee_round_context,
    verify_commitments,
)
from .common import CheckResult, as_int, passed, rewrap
from .shape import Board, Event


@dataclass(frozen=True)
class Setup:
    """One ballot definition version: its manifest, fingerprint, and every trustee's public key
    share ``g^{s_j}`` (from the commitments)."""

    seq: int
    manifest: dict[str, Any]
    fingerprint: str
    version: int
    public_shares: Mapping[int, Point]


@dataclass(frozen=True)
class Setups:
    by_version: Mapping[int, Setup]
    notes: tuple[str, ...] = ()

    @property
    def last(self) -> Setup | None:
        return self.by_version[max(self.by_version)] if self.by_version else None

    @property
    def mode(self) -> str | None:
        """The credential mode (of the last definition; every version keeps it)."""
        last = self.last
        return str(last.manifest.get("credential_mode")) if last else None

    def manifests(self) -> dict[int, tuple[dict[str, Any], str]]:
        return {v: (s.manifest, s.fingerprint) for v, s in self.by_version.items()}


def check_setup(board: Board) -> tuple[Setups, CheckResult]:
    started = next((e for e in board.events if e.type == "ceremony_started"), None)
    protocol = started.payload.get("protocol", 1) if started else 1
    if protocol == ceremony.PROTOCOL:
        setups, proofs, signatures = _setup_v2(board)
    elif protocol == 1:
        setups, proofs = _setup_v1(board)
        signatures = 0
    else:
        raise UnsupportedRecord(
            f"{started.where if started else 'board event None (None)'}: "
            f"unknown key-ceremony protocol {protocol!r}"
        )
    return _summary(setups, proofs, signatures)


def _summary(setups: dict[int, Setup], proofs_checked: int, signatures: int) -> tuple[Setups, CheckResult]:
    notes = () if setups else ("no election_setup event: the key ceremony has not completed",)
    facts = Setups(dict(setups), notes)
    setup = facts.last
    trustees = len(setup.manifest["trustees"]) if setup else 0
    return facts, passed(
        "setup",
        (
            f"fingerprint {setup.fingerprint}, election key {setup.manifest['public_key']}, "
            f"{trustees} trustees, threshold {setup.manifest['threshold']}"
        )
        if setup
        else "key ceremony not completed: commitment proofs only",
        definitions=len(setups),
        trustees=trustees,
        commitment_proofs=proofs_checked,
        signatures=signatures,
    )


def _setup_v2(board: Board) -> tuple[dict[int, Setup], int, int]:
    """Protocol 2: the whole ceremony replays (``crypto.ceremony``: signatures, commit
    before reveal, shares after every commitment, complaints judged, every trustee's
    confirmation of the setup's fingerprint, one key); then each definition's manifest."""
    try:
        replayed = ceremony.replay(board.election_id, board.raw)
    except CryptoError as exc:
        raise InvalidRecord(str(exc)) from None
    setups: dict[int, Setup] = {}
    for event in board.events:
        if event.type == "election_setup":
            setup = _one_setup_v2(event, setups)
            setups[setup.version] = setup
        elif event.type == "ballot_definition":
            setup = _one_definition(board.election_id, event, setups)
            setups[setup.version] = setup
    return setups, replayed.proofs, replayed.signatures


def _manifest_checks(where: str, manifest: dict[str, Any], fingerprint: str) -> None:
    """What every election_setup's manifest must be, whatever the protocol."""
    try:
        min_contributors(manifest)
    except CryptoError as exc:
        raise InvalidRecord(f"{where}: manifest: {exc}") from None
    if manifest.get("credential_mode") not in ("convenient", "independent"):
        raise InvalidRecord(f"{where}: unknown credential mode {manifest.get('credential_mode')!r}")
    _questions(where, manifest, fingerprint)
    layout_of(manifest)


def _questions(where: str, manifest: dict[str, Any], fingerprint: str) -> None:
    # The manifest's shape was validated (shape.conform_manifest); what is left are the
    # values a QuestionSpec refuses (ValueError by contract) or a bad key (CryptoError).
    try:
        ballot_context(manifest, fingerprint)
    except (CryptoError, ValueError) as exc:
        raise InvalidRecord(f"{where}: manifest questions: {exc}") from None


def _one_setup_v2(event: Event, setups: Mapping[int, Setup]) -> Setup:
    where, p = event.where, event.payload
    manifest, fingerprint = p["manifest"], p["fingerprint"]
    if election_fingerprint(manifest) != fingerprint:
        raise InvalidRecord(f"{where}: fingerprint {fingerprint} is not the fingerprint of the manifest")
    version = manifest["definition_version"]
    if version != 1 or setups:
        raise InvalidRecord(f"{where}: the election is set up once, as definition version 1")
    if p.get("public_key") != manifest.get("public_key"):
        raise InvalidRecord(
            f"{where}: public_key {p.get('public_key')} is not the product "
            "of the trustees' constant commitments (the manifest's "
            f"{manifest.get('public_key')})"
        )
    _manifest_checks(where, manifest, fingerprint)
    points = [[Point.from_hex(c) for c in t["commitments"]] for t in manifest["trustees"]]
    shares = {t["index"]: public_key_share(points, t["index"]) for t in manifest["trustees"]}
    return Setup(event.seq, manifest, fingerprint, version, shares)


def _setup_v1(board: Board) -> tuple[dict[int, Setup], int]:
    """Protocol 1 (records made before trustee identities): unsigned ceremony messages."""
    eid = board.election_id
    setups: dict[int, Setup] = {}
    commitments: dict[tuple[int, int], Event] = {}
    shares_sent: dict[int, list[Event]] = {}
    started: dict[int, dict[str, Any]] = {}
    current_round: int | None = None
    proofs_checked = 0
    for event in board.events:
        where, kind, p = event.where, event.type, event.payload
        if kind == "ceremony_started":
            if p.get("election_id", eid) != eid:
                raise InvalidRecord(
                    f"{where}: ceremony for election {p.get('election_id')!r}, the record is {eid!r}"
                )
            current_round = p["round"]
            started[p["round"]] = p
        elif kind == "ceremony_restarted":
            current_round = p["round"]
        elif kind == "trustee_commitments":
            rnd, index = p["round"], p["index"]
            if current_round is not None and rnd != current_round:
                raise InvalidRecord(
                    f"{where}: commitments of trustee {index} for round "
                    f"{rnd} while the ceremony is in round {current_round}"
                )
            if (rnd, index) in commitments:
                raise InvalidRecord(f"{where}: trustee {index} published commitments twice in round {rnd}")
            if shares_sent.get(rnd):
                first = shares_sent[rnd][0]
                raise InvalidRecord(
                    f"{where}: trustee {index} published commitments after "
                    f"trustee {first.payload.get('index')} sent shares (board event "
                    f"{first.seq}); every commitment must come before any share"
                )
            points = [
                Point.from_hex(c, what=f"trustee {index} commitment {k}")
                for k, c in enumerate(p["commitments"])
            ]
            context = trustee_round_context(eid, rnd, index)
            try:
                verify_commitments(points, p["proofs"], index, context)
            except CryptoError as exc:
                raise rewrap(exc, where) from None
            proofs_checked += len(points)
            commitments[(rnd, index)] = event
        elif kind == "trustee_shares_sent":
            shares_sent.setdefault(p["round"], []).append(event)
        elif kind == "election_setup":
            setup = _one_setup_v1(eid, event, setups, commitments, shares_sent, started)
            setups[setup.version] = setup
        elif kind == "ballot_definition":
            setup = _one_definition(eid, event, setups)
            setups[setup.version] = setup
    return setups, proofs_checked


def _one_setup_v1(
    eid: str,
    event: Event,
    setups: Mapping[int, Setup],
    commitments: Mapping[tuple[int, int], Event],
    shares_sent: Mapping[int, list[Event]],
    started: Mapping[int, dict[str, Any]],
) -> Setup:
    where, p = event.where, event.payload
    manifest, fingerprint = p["manifest"], p["fingerprint"]
    actual = election_fingerprint(manifest)
    if actual != fingerprint:
        raise InvalidRecord(
            f"{where}: fingerprint {fingerprint} is not the fingerprint of the manifest ({actual})"
        )
    if manifest["election_id"] != eid:
        raise InvalidRecord(
            f"{where}: manifest is for election {manifest['election_id']!r}, the record is {eid!r}"
        )
    version = manifest["definition_version"]
    if version in setups:
        raise InvalidRecord(f"{where}: ballot definition version {version} set up twice")
    rnd, threshold = manifest["ceremony_round"], manifest["threshold"]
    trustees = manifest["trustees"]
    if rnd in started:
        st = started[rnd]
        if st.get("threshold") != threshold or st.get("trustees") != len(trustees):
            raise InvalidRecord(
                f"{where}: manifest has {len(trustees)} trustees and threshold {threshold}, "
                f"the ceremony started (round {rnd}) with {st.get('trustees')} and "
                f"{st.get('threshold')}"
            )
    if not 1 <= threshold <= len(trustees):
        raise InvalidRecord(f"{where}: threshold {threshold} of {len(trustees)} trustees")
    published = {i: e for (r, i), e in commitments.items() if r == rnd}
    indices = [t["index"] for t in trustees]
    if indices != list(range(1, len(trustees) + 1)):
        raise InvalidRecord(f"{where}: manifest trustees are {indices}, expected 1..n")
    if sorted(published) != indices:
        raise InvalidRecord(
            f"{where}: round {rnd} has commitments from trustees "
            f"{sorted(published)}, the manifest lists {indices}"
        )
    all_points: list[list[Point]] = []
    for t in trustees:
        j = t["index"]
        ev = published[j].payload
        if t.get("commitments") != ev["commitments"]:
            raise InvalidRecord(
                f"{where}: trustee {j}'s commitments in the manifest differ from those "
                f"published in board event {published[j].seq}"
            )
        if t.get("encryption_key") != ev.get("encryption_key"):
            raise InvalidRecord(
                f"{where}: trustee {j}'s encryption key in the manifest differs from board "
                f"event {published[j].seq}"
            )
        if len(ev["commitments"]) != threshold:
            raise InvalidRecord(
                f"{where}: trustee {j} published {len(ev['commitments'])} "
                f"commitments, threshold is {threshold}"
            )
        all_points.append(
            [Point.from_hex(c, what=f"trustee {j} commitment {k}") for k, c in enumerate(ev["commitments"])]
        )
    last_commit = max(e.seq for e in published.values())
    for sent in shares_sent.get(rnd, []):
        if sent.seq < last_commit:
            raise InvalidRecord(
                f"{sent.where}: trustee {sent.payload.get('index')} sent shares before every "
                f"trustee had published commitments (last commitments: board event "
                f"{last_commit})"
            )
    key = combine_public_key(all_points).hex()
    for what, value in (
        ("manifest.public_key", manifest.get("public_key")),
        ("public_key", p.get("public_key")),
    ):
        if value != key:
            raise InvalidRecord(
                f"{where}: {what} {value} is not the product of the trustees' constant commitments ({key})"
            )
    _manifest_checks(where, manifest, fingerprint)
    shares = {j: public_key_share(all_points, j) for j in indices}
    return Setup(event.seq, manifest, fingerprint, version, shares)


def _one_definition(eid: str, event: Event, setups: Mapping[int, Setup]) -> Setup:
    """A later ballot version (candidate withdrawn or swapped while open): same election,
    key and trustees; every earlier candidate kept in place (a withdrawal only sets its
    ``withdrawn`` flag); new candidates only appended."""
    where, p = event.where, event.payload
    manifest, fingerprint = p["manifest"], p["fingerprint"]
    if election_fingerprint(manifest) != fingerprint:
        raise InvalidRecord(f"{where}: fingerprint {fingerprint} is not the fingerprint of the manifest")
    if manifest["election_id"] != eid:
        raise InvalidRecord(
            f"{where}: manifest is for election {manifest['election_id']!r}, the record is {eid!r}"
        )
    version = as_int(manifest["definition_version"], f"{where}: definition_version")
    if p["version"] != version or version - 1 not in setups or version in setups:
        raise InvalidRecord(
            f"{where}: ballot definition version {version} does not follow "
            f"the versions set up so far ({sorted(setups)})"
        )
    base = setups[version - 1].manifest
    for key in (
        "trustees",
        "public_key",
        "threshold",
        "ceremony_round",
        "credential_mode",
        "manifest_version",
        "receipt_key",
        "min_contributors",
    ):
        if manifest.get(key) != base.get(key):
            raise InvalidRecord(
                f"{where}: version {version} changes {key}, which only a new key ceremony may set"
            )
    questions = manifest["questions"]
    if len(questions) != len(base["questions"]):
        raise InvalidRecord(f"{where}: version {version} changes the number of questions")
    for q, (new, old) in enumerate(zip(questions, base["questions"], strict=True)):
        for key in ("kind", "min_selections", "max_selections", "seats", "pass_rule"):
            if new.get(key) != old.get(key):
                raise InvalidRecord(f"{where}: version {version} changes {key} of question {q}")
        cands, before = new["candidates"], old["candidates"]
        if len(cands) < len(before):
            raise InvalidRecord(f"{where}: version {version} removes candidates of question {q}")
        for i, (c, b) in enumerate(zip(cands, before, strict=False)):
            if (
                c["position"] != b["position"]
                or c["name"] != b["name"]
                or (b.get("withdrawn") and not c.get("withdrawn"))
            ):
                raise InvalidRecord(
                    f"{where}: version {version} changes candidate {i} of "
                    f"question {q} (only withdrawing is allowed)"
                )
        top = max((b["position"] for b in before), default=-1)
        for c in cands[len(before) :]:
            if c["position"] <= top or c.get("withdrawn"):
                raise InvalidRecord(
                    f"{where}: version {version} appends an invalid candidate to question {q}"
                )
            top = c["position"]
    _questions(where, manifest, fingerprint)
    return Setup(event.seq, manifest, fingerprint, version, setups[version - 1].public_shares)
