"""SQLAlchemy 2 typed models. Import every model module here so ``Base.metadata`` is complete."""

from app.models.audit import AuditEntry
from app.models.base import Base
from app.models.board import BoardEvent
from app.models.ceremony import Complaint, SealedShare, Trustee
from app.models.election import BallotDefinition, Candidate, Election, Question
from app.models.roles import ROLES, RoleAssignment
from app.models.voting import Ballot, Credential, Voter, VoterSignal

__all__ = [
    "ROLES",
    "AuditEntry",
    "Ballot",
    "BallotDefinition",
    "Base",
    "BoardEvent",
    "Candidate",
    "Complaint",
    "Credential",
    "Election",
    "Question",
    "RoleAssignment",
    "SealedShare",
    "Trustee",
    "Voter",
    "VoterSignal",
]
