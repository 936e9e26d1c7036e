"""Background scheduler: opens and closes elections on time even when nobody is visiting.

Every request also applies the schedule of the election it touches, so correctness does not
depend on this thread; it only makes the board show transitions promptly.

A second thread sends the notification outbox (app/services/notify.py): every interval, and at
once when a request queued notices (``wake_outbox``). A third computes frozen rolls against the
wiki (app/services/roll_checks.py), at once when the committee asked (``wake_roll_checks``).
Every server process runs all three; their claims keep two processes from doing one job.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from app.db import transaction
from app.eligibility import FactsProvider
from app.services import audit, identity, lifecycle, notify, roll_checks, scrutiny
from app.services.audit import AuditSigner
from app.services.notify import Channel, RetryPolicy

log = logging.getLogger("scrutin.scheduler")


class Scheduler:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        interval_seconds: float = 15.0,
        pii_retention: timedelta = timedelta(days=90),
        audit_signer: AuditSigner | None = None,
        audit_anchor: timedelta = timedelta(seconds=60),
        notify_channels: list[Channel] | None = None,
        notify_policy: RetryPolicy | None = None,
        facts_provider: FactsProvider | None = None,
    ) -> None:
        self._sessions = sessions
        self._facts = facts_provider
        self._roll_wake = threading.Event()
        self._roll_thread: threading.Thread | None = None
        self._channels = notify_channels or []
        self._policy = notify_policy or RetryPolicy()
        self._wake = threading.Event()
        self._outbox_thread: threading.Thread | None = None
        self._audit_signer = audit_signer
        self._audit_anchor = audit_anchor
        self._retention = pii_retention
        self._interval = interval_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="scrutin-scheduler", daemon=True)
            self._thread.start()
        if self._outbox_thread is None and any(c.name != "outbox" for c in self._channels):
            self._outbox_thread = threading.Thread(
                target=self._run_outbox, name="scrutin-outbox", daemon=True
            )
            self._outbox_thread.start()
        if self._roll_thread is None and self._facts is not None:
            self._roll_thread = threading.Thread(
                target=self._run_roll_checks, name="scrutin-roll-checks", daemon=True
            )
            self._roll_thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._outbox_thread is not None:
            self._outbox_thread.join(timeout=30)
            self._outbox_thread = None
        self._roll_wake.set()
        if self._roll_thread is not None:
            self._roll_thread.join(timeout=30)
            self._roll_thread = None

    def wake_outbox(self) -> None:
        """Notices were queued: send them now rather than at the next interval (returns at
        once; the request never waits for a delivery)."""
        self._wake.set()

    def wake_roll_checks(self) -> None:
        """A roll check was queued: start it now (returns at once)."""
        self._roll_wake.set()

    def work_roll_checks(self) -> list[tuple[int, str]]:
        # A pause between the wiki's retries ends early when the server stops.
        return roll_checks.work_all_due(self._sessions, self._facts, sleep=self._stop.wait)

    def work_outbox(self) -> notify.WorkReport:
        return notify.work_all_due(self._sessions, self._channels, self._policy)

    def tick(self) -> list[str]:
        """Apply due transitions, purge expired private signals and long-ended login
        sessions; returns the ids of elections that moved."""
        with transaction(self._sessions) as session:
            due = lifecycle.due_elections(session)
        for election_id in due:
            with transaction(self._sessions) as session:
                lifecycle.load_current(session, election_id)
        with transaction(self._sessions) as session:
            scrutiny.purge_due(session, self._retention)
        with transaction(self._sessions) as session:
            identity.purge_expired(session)
        self.anchor_audit_logs()
        return due

    def anchor_audit_logs(self) -> list[str]:
        """Publish the audit head of every election whose log grew (at most once per
        ``audit_anchor``); returns their ids."""
        if self._audit_signer is None:
            return []
        with transaction(self._sessions) as session:
            due = audit.unanchored(session, self._audit_anchor)
        for election_id in due:
            with transaction(self._sessions) as session:
                lifecycle.load_current(session, election_id)
                audit.anchor(session, election_id, self._audit_signer)
        return due

    def _worker(self, wake: threading.Event, work: Callable[[], object], what: str) -> None:
        """A worker thread: ``work`` every interval, or at once when ``wake`` is set. A failed
        pass leaves its rows claimed or pending, so the next pass (or process) takes them."""
        while not self._stop.is_set():
            wake.wait(self._interval)
            wake.clear()
            if self._stop.is_set():
                return
            try:
                work()
            except Exception:  # noqa: BLE001 - keep the thread; the next pass tries again
                log.exception("%s pass failed", what)

    def _run_outbox(self) -> None:
        self._worker(self._wake, self.work_outbox, "outbox")

    def _run_roll_checks(self) -> None:
        self._worker(self._roll_wake, self.work_roll_checks, "roll check")

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - keep ticking; the next request applies it anyway
                log.exception("scheduler tick failed")
