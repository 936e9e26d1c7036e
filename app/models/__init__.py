"""SQLAlchemy 2 typed models. Import every model module here so ``Base.metadata`` is complete."""

from app.models.audit import AuditEntry
from app.models.base import Base
from app.models.board import BoardEvent
from app.models.ceremony import Complaint, SealedShare, Trustee
from app.models.election import BallotDefinition, Candidate, Election, Question
from app.models.roles import ROLES, RoleAssignment
from app.models.scrutiny import REASON_CODES, OutboxMessage, RevoteInvitation, StrikeAction
from app.models.sessions import Invitation, LoginSession
from app.models.tally import DecryptionShare, Tally
from app.models.voting import Ballot, Credential, RollCheck, Voter, VoterSignal

__all__ = [
    "REASON_CODES",
    "ROLES",
    "AuditEntry",
    "Ballot",
    "BallotDefinition",
    "Base",
    "BoardEvent",
    "Candidate",
    "Complaint",
    "Credential",
    "DecryptionShare",
    "Election",
    "Invitation",
    "LoginSession",
    "OutboxMessage",
    "Question",
    "RevoteInvitation",
    "RoleAssignment",
    "RollCheck",
    "SealedShare",
    "StrikeAction",
    "Tally",
    "Trustee",
    "Voter",
    "VoterSignal",
]
