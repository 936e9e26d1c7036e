"""The demo election of the embedded default: a real S/O/N election, set up through the public
API exactly as a committee and three trustees would, ready for a person to vote in.

It is built over real HTTP: before ``scrutin serve`` starts, the same app is served for a moment
on a free 127.0.0.1 port (``app.local_server.serving``) and the committee and the trustees'
clients (``app.client``) talk to it — no test client (``fastapi.testclient`` is a test
dependency, deprecated with httpx, and warns on import).

The demo trustees are DemoTrustee1, DemoTrustee2 and DemoTrustee3 (2 of 3 decrypt); their key
files go to ``<data_dir>/demo-trustees/`` (passphrase ``demo``) so the demo can be tallied later.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from app.client.http import ScrutinSession
from app.client.trustee import TrusteeClient, run_ceremony
from app.local_server import serving
from app.models import Election

DEMO_ID = "demo"
DEMO_ADMIN = "Admin"
DEMO_TRUSTEES = ("DemoTrustee1", "DemoTrustee2", "DemoTrustee3")
# The demo's simulated trustees protect their key files with this published passphrase: the demo
# is a playground on the embedded database, never a real election (production refuses it).
DEMO_TRUSTEE_PASSPHRASE = "demo"
DEMO_VOTERS = tuple(f"DemoVoter{i}" for i in range(1, 21)) + ("Alice", "Bob", "Carol")


def demo_config(now: datetime) -> dict:
    names = [
        ("Example Candidate A", "示例候选人甲", "示例候選人甲"),
        ("Example Candidate B", "示例候选人乙", "示例候選人乙"),
        ("Example Candidate C", "示例候选人丙", "示例候選人丙"),
    ]
    return {
        "id": DEMO_ID,
        "title": {
            "en": "Demo administrator election",
            "zh-hans": "演示管理员选举",
            "zh-hant": "演示管理員選舉",
        },
        "description": {
            "en": "Support, oppose or stay neutral on each candidate. A candidate "
            "passes with at least 70% support among support and oppose votes.",
            "zh-hans": "对每位候选人投支持、反对或中立票。支持票占支持与反对票之和的70%或以上即当选。",
            "zh-hant": "對每位候選人投支持、反對或中立票。支持票佔支持與反對票之和的70%或以上即當選。",
        },
        "questions": [
            {
                "kind": "sonc",
                "title": {
                    "en": "Administrator candidates",
                    "zh-hans": "管理员候选人",
                    "zh-hant": "管理員候選人",
                },
                "candidates": [
                    {"name": {"en": en, "zh-hans": hans, "zh-hant": hant}} for en, hans, hant in names
                ],
                "pass_rule": {
                    "threshold_percent": "70",
                    "comparison": ">=",
                    "display": "round",
                    "decimals": 1,
                },
            }
        ],
        "schedule": {
            "start": (now - timedelta(minutes=1)).isoformat(),
            "end": (now + timedelta(days=30)).isoformat(),
            "timezone": "UTC",
        },
        "threshold": 2,
        "trustee_count": 3,
        "credential_mode": "convenient",
    }


def ensure_demo(app: FastAPI, data_dir: Path) -> bool:
    """Create the demo election if the database has no election yet. Returns True if made."""
    with app.state.sessions() as session:
        if session.scalar(select(func.count()).select_from(Election)):
            return False
    with serving(app, lifespan="off") as url, httpx.Client(base_url=url, timeout=60) as http:

        def login(name: str) -> ScrutinSession:
            return ScrutinSession(url, http=http).dev_login(name)

        admin = login(DEMO_ADMIN)
        admin.post("/api/v1/elections", demo_config(datetime.now(UTC)))
        for name in DEMO_TRUSTEES:
            admin.post(f"/api/v1/elections/{DEMO_ID}/roles", {"username": name, "role": "trustee"})
        admin.post(f"/api/v1/elections/{DEMO_ID}/roll", {"usernames": list(DEMO_VOTERS)})
        admin.post(f"/api/v1/elections/{DEMO_ID}/freeze")
        key_dir = data_dir / "demo-trustees"
        run_ceremony(
            TrusteeClient(login(name), DEMO_ID, key_dir / f"{name}.json", DEMO_TRUSTEE_PASSPHRASE)
            for name in DEMO_TRUSTEES
        )
    return True
