"""outbox: notices are sent by a worker, not by the request — each notice's ``attempts`` and
``next_attempt_at`` (retries with exponential backoff; ``error`` keeps the last failure), and
its ``status`` (pending, sending, sent, failed) like the wiki announcements' rows

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_outbox_due", ["status", "next_attempt_at"])
    # Notices queued before: sent, failed once (the old code never retried), or still to send.
    op.execute(
        "UPDATE outbox SET status = 'sent' WHERE batch IS NULL AND status IS NULL AND sent_at IS NOT NULL"
    )
    op.execute(
        "UPDATE outbox SET status = 'failed', attempts = 1 WHERE batch IS NULL "
        "AND status IS NULL AND error IS NOT NULL"
    )
    op.execute(
        "UPDATE outbox SET status = 'pending', next_attempt_at = created_at "
        "WHERE batch IS NULL AND status IS NULL"
    )


def downgrade() -> None:
    # Notices still queued would be sent by nobody: the old code sent within the request.
    op.execute(
        "UPDATE outbox SET error = 'not sent (downgraded)' WHERE batch IS NULL "
        "AND status IN ('pending', 'sending')"
    )
    op.execute("UPDATE outbox SET status = NULL WHERE batch IS NULL")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_due")
        batch.drop_column("next_attempt_at")
        batch.drop_column("attempts")
