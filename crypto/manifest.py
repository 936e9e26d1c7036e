"""From an election manifest (protocol.md, "Manifest") to the ballot context that encryption
and verification need. Shared by the service, the clients and the record verifier."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crypto.ballots import BallotContext, QuestionSpec
from crypto.errors import InvalidEncoding
from crypto.group import Point


def question_specs(manifest: Mapping[str, Any]) -> tuple[QuestionSpec, ...]:
    """One QuestionSpec per manifest question: S/O/N, approval (min/max), plurality or ranked
    (with the candidates' stable positions, which a ranking encodes)."""
    specs = []
    for i, q in enumerate(manifest["questions"]):
        n = len(q["candidates"])
        kind = q["kind"]
        if kind == "sonc":
            specs.append(QuestionSpec(kind="sonc", n_options=n))
        elif kind == "approval":
            specs.append(
                QuestionSpec(
                    kind="approval",
                    n_options=n,
                    min_selections=int(q["min_selections"]),
                    max_selections=q["max_selections"],
                )
            )
        elif kind == "ranked":
            specs.append(
                QuestionSpec(
                    kind="ranked", n_options=n, positions=tuple(int(c["position"]) for c in q["candidates"])
                )
            )
        elif kind == "plurality":
            specs.append(QuestionSpec(kind="plurality", n_options=n, min_selections=1, max_selections=1))
        else:
            raise InvalidEncoding(f"manifest question {i}: unknown kind {kind!r}")
    return tuple(specs)


def ballot_context(manifest: Mapping[str, Any], fingerprint: str) -> BallotContext:
    return BallotContext(
        election_id=str(manifest["election_id"]),
        fingerprint=fingerprint,
        public_key=Point.from_hex(manifest["public_key"]),
        questions=question_specs(manifest),
    )
