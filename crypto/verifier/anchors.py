"""Check ``audit_anchors``: the private audit log's heads on the board are signed by one audit
key and only grow (``crypto.auditlog.check_anchors``)."""

from __future__ import annotations

from .. import auditlog
from .common import CheckResult, passed
from .shape import Board


def check_audit_anchors(board: Board) -> CheckResult:
    anchors = auditlog.check_anchors(board.election_id, board.raw)
    return passed(
        "audit_anchors",
        f"{len(anchors)} audit heads",
        anchors=len(anchors),
        entries=int(anchors[-1]["count"]) if anchors else 0,
    )
