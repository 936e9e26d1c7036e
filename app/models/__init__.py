"""SQLAlchemy 2 typed models. Import every model module here so ``Base.metadata`` is complete."""

from app.models.audit import AuditEntry
from app.models.base import Base

__all__ = ["AuditEntry", "Base"]
