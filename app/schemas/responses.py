"""What the API answers: one pydantic model per response shape, declared as each route's
``response_model`` so the OpenAPI document describes every answer and FastAPI checks it.

The services still build the answers (plain dicts of JSON types); these models are the
contract. Nested objects whose shape belongs to another layer (a manifest, a board payload, a
count, the protocol's proofs) are typed as JSON objects and specified in docs/protocol.md and
docs/record.md rather than copied here.

Unknown fields: under ``SCRUTIN_STRICT_RESPONSES=1`` (the test suite sets it) a service that
answers a field its model does not declare makes the request fail, so the contract cannot
drift silently; in production such a field is passed through, never turned into a 500.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

STRICT = os.environ.get("SCRUTIN_STRICT_RESPONSES") == "1"
JSONObject = dict[str, Any]
Localized = dict[str, str]
"""A text in several languages: language code → text."""


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid" if STRICT else "allow")


class OpenAnswer(BaseModel):
    """An answer whose further fields are defined elsewhere (named in the docstring)."""

    model_config = ConfigDict(extra="allow")


# --- elections ------------------------------------------------------------------------------


class Schedule(Answer):
    timezone: str
    start_utc: str | None
    end_utc: str | None
    start_local: str | None
    end_local: str | None
    end_exclusive: bool
    aoe: bool


class CandidateView(Answer):
    position: int
    name: str | Localized
    withdrawn: bool


class QuestionView(Answer):
    position: int
    kind: str
    title: Localized
    min_selections: int | None
    max_selections: int | None
    seats: int | None
    pass_rule: JSONObject | None
    method: str | None
    candidates: list[CandidateView]


class ElectionView(Answer):
    id: str
    title: Localized
    description: Localized
    default_language: str
    phase: str
    pause_reason: str | None
    open_blocked: JSONObject | str | None
    schedule: Schedule
    credential_mode: str
    threshold: int
    trustee_count: int
    voter_list_public: bool
    min_contributors: int
    roll_mode: str
    public_key: str | None
    fingerprint: str | None
    definition_version: int | None
    questions: list[QuestionView]


class RoleView(Answer):
    username: str
    role: str
    assigned_at: str
    assigned_by: str | None
    jurisdiction: str | None
    flags: JSONObject | list[str] | None


class RoleAdded(Answer):
    username: str
    role: str


class RoleRemoved(Answer):
    removed: RoleAdded


class RolePolicy(Answer):
    policy: JSONObject | None


class RolePolicySet(OpenAnswer):
    """The policy as stored (app.services.role_policy)."""


class EligibilitySet(Answer):
    """The rules as stored (``PUT`` and ``GET /eligibility``); ``rules`` is null in list
    mode without rules."""

    roll_mode: str
    rules: JSONObject | None
    fingerprint: str | None


class RollPreviewEntry(OpenAnswer):
    """One user's evaluation (app.eligibility.service.RollEntry) with its machine-readable
    ``decision`` and the ``error`` code when the wiki could not say."""

    decision: JSONObject | None
    error: str | None


class RollCheckView(Answer):
    """A frozen roll being computed off the request path (app/services/roll_checks.py):
    ``status`` queued → running → done (``eligible`` of ``total`` stored) or failed
    (``error`` code and ``detail``)."""

    id: int
    status: str
    total: int
    checked: int
    eligible: int | None
    error: str | None
    detail: str | None
    requested_by: str
    created_at: str
    finished_at: str | None


class RollChecks(Answer):
    checks: list[RollCheckView]


class RollPage(Answer):
    """The committee's roll view: one page of voters matching ``query``."""

    total: int
    eligible: int
    matched: int
    offset: int
    limit: int
    query: str
    voters: list[JSONObject]


class RollUpdated(OpenAnswer):
    """What changed (added/removed/total, per mode: app.services.roll) and the entries that
    could not be resolved."""

    accepted: int
    rejected: list[JSONObject]


class AuditLog(Answer):
    head: str
    verification: JSONObject
    entries: list[JSONObject]


class AuditAnchored(Answer):
    anchored: bool
    count: int
    head: str
    board_seq: int | None


# --- voting ---------------------------------------------------------------------------------


class BallotOfMine(Answer):
    tracker: str
    board_seq: int
    state: Literal["current", "superseded", "struck"]
    counted: bool


class VoterStatus(Answer):
    election_id: str
    username: str
    phase: str
    pause_reason: str | None
    eligible: bool
    reasons: list[Any]
    decision: JSONObject | None
    credential_mode: str
    credential: str | None
    credential_replacements: list[JSONObject]
    has_voted: bool
    current_tracker: str | None
    last_cast_at: str | None
    ballots: list[BallotOfMine]
    can_cast: bool
    notices: list[JSONObject]
    schedule: Schedule


class BallotDefinition(Answer):
    version: int
    fingerprint: str
    manifest: JSONObject


class DefinitionView(Answer):
    election: ElectionView
    definition: BallotDefinition | None


class CredentialRegistered(Answer):
    credential: str
    registered: bool
    replaced: str | None = None


class CredentialsPublished(Answer):
    count: int
    board_seq: int
    authority_fingerprint: str


class CastReceipt(Answer):
    """The signed receipt (docs/protocol.md, receipts): check it with ``scrutin verify-receipt``."""

    election_id: str
    tracker: str
    credential: str
    cast_at: str
    board_seq: int
    board_hash: str
    fingerprint: str
    revote: bool
    server_key: str
    server_signature: str


class TrackerFound(Answer):
    tracker: str
    on_board: bool
    board_seq: int
    at: str | None


class BoardEventView(Answer):
    seq: int
    at: str
    type: str
    payload: JSONObject
    prev_hash: str
    hash: str


class BoardHead(Answer):
    seq: int
    hash: str
    events: int


class BoardPage(Answer):
    events: list[BoardEventView]
    head: BoardHead


class WhoVoted(Answer):
    voters: list[JSONObject]
    complete: bool
    first_voted_before: str | None


class StoredBallot(OpenAnswer):
    """A ballot as cast (docs/protocol.md, ballots): ciphertexts, proofs, signature."""


# --- key ceremony ---------------------------------------------------------------------------


class CeremonyStatus(OpenAnswer):
    """The ceremony as the board replays it (app.services.ceremony.status)."""

    election_id: str
    protocol: int
    phase: str
    round: int
    max_rounds: int
    threshold: int
    trustees: list[JSONObject]
    complaints: list[JSONObject]


class CeremonyPosted(Answer):
    index: int
    status: str
    phase: str


class CeremonyNoAnswer(OpenAnswer):
    """The complaint's finding (app.services.ceremony.declare_no_answer)."""


class SealedShares(Answer):
    index: int
    shares: dict[str, str]


class CeremonyMoved(Answer):
    status: Literal["restarted", "draft"]


# --- tally ----------------------------------------------------------------------------------


class TallyView(Answer):
    phase: str
    counted: list[str] | int
    layout: list[int] | JSONObject | None
    ciphertexts: list[JSONObject] | None
    context: str
    protocol: int
    tally_hash: str | None
    threshold: int
    shares: list[Any] | JSONObject
    result: JSONObject | None
    mixing: JSONObject | None = None


class MixView(Answer):
    required: int
    complete: bool
    questions: list[JSONObject] | JSONObject
    tally_hash: str | None
    target_hash: str | None


class MixSubmitted(OpenAnswer):
    """The accepted mix (app.services.mixing.submit)."""


class Results(OpenAnswer):
    """The decrypted result: ``questions`` as crypto.results computes them (docs/record.md)."""

    election_id: str
    title: Localized
    fingerprint: str


# --- scrutiny -------------------------------------------------------------------------------


class VoterList(Answer):
    election_id: str
    pii: bool
    pii_purged: bool
    casts: list[JSONObject]


class SignalReport(Answer):
    election_id: str
    clusters: list[JSONObject]


class StrikeDone(Answer):
    action: str
    trackers: list[str]
    voters: list[str]
    board_seq: int
    invited: list[str]


class RevoteInvited(Answer):
    invited: list[str]


class OutboxEntry(Answer):
    """One message of the outbox (app/services/scrutiny.py ``outbox``). ``status``: pending,
    sending, sent or failed (notices); wiki announcements (``batch`` set) also skipped and
    unknown. ``attempts`` so far, ``last_error`` the last failure (kept while retrying),
    ``error`` only once given up, ``next_attempt_at`` when a pending notice is tried again."""

    recipient: str
    channel: str
    subject: str
    body: str
    created_at: str
    sent_at: str | None
    error: str | None
    last_error: str | None
    attempts: int
    next_attempt_at: str | None
    status: str
    batch: str | None


class Outbox(Answer):
    messages: list[OutboxEntry]


class CandidatesChanged(Answer):
    version: int
    fingerprint: str
    change: JSONObject
    struck: list[str]
    invited: list[str]


# --- accounts -------------------------------------------------------------------------------


class WhoAmI(Answer):
    username: str | None
    is_admin: bool | None = None
    scope: JSONObject | None = None


class LoggedIn(Answer):
    method: str
    token: str
    username: str
    expires_at: str


class LoggedOut(Answer):
    status: Literal["logged_out"]


class UserSessions(Answer):
    username: str
    sessions: list[JSONObject]


class SessionsRevoked(Answer):
    username: str
    revoked: int


class InvitationsMade(Answer):
    links: dict[str, str]
    invitations: list[JSONObject]


class InvitationList(Answer):
    invitations: list[JSONObject]


class InvitationView(OpenAnswer):
    """One invitation and its state (app.services.invitations.to_json)."""


# --- wiki -----------------------------------------------------------------------------------


class WikiPublished(OpenAnswer):
    """What was (or, with ``dry_run``, would be) written (app.services.wiki.publish_results)."""


class WikiAnnounced(OpenAnswer):
    """One announcement call: the batch, what was sent and what remains."""

    batch: str
    channel: str
    since: str
    subject: str
    text: str
    dry_run: bool
    counts: JSONObject
    remaining: int
    deliveries: list[JSONObject]


class SecurePollImported(Answer):
    id: str
    election: ElectionView
    eligibility: JSONObject | None
    roll_mode: str
    unmapped: list[Any]


class Health(Answer):
    status: str


class Ready(Answer):
    status: Literal["ready"]
    revision: str | None
