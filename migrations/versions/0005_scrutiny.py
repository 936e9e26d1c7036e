"""scrutiny: strike history, re-vote invitations, outbox; close and purge times; per-candidate
ballot counts of a tally across ballot versions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("elections") as batch:
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("pii_purged_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("tallies") as batch:
        batch.add_column(sa.Column("contributors", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "strike_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("reason_code", sa.String(32), nullable=False),
        sa.Column("reason_text", sa.Text(), nullable=False),
        sa.Column("selector", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("board_seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballots.id"], name="fk_strike_actions_ballot_id_ballots", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["elections.id"],
            name="fk_strike_actions_election_id_elections",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_strike_actions"),
    )
    op.create_index("ix_strike_actions_election_id", "strike_actions", ["election_id"])
    op.create_table(
        "revote_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("voter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["elections.id"],
            name="fk_revote_invitations_election_id_elections",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"], ["voters.id"], name="fk_revote_invitations_voter_id_voters", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_revote_invitations"),
    )
    op.create_index("ix_revote_invitations_election_id", "revote_invitations", ["election_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("recipient", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_outbox_election_id_elections", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index("ix_outbox_election_id", "outbox", ["election_id"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("revote_invitations")
    op.drop_table("strike_actions")
    with op.batch_alter_table("tallies") as batch:
        batch.drop_column("contributors")
    with op.batch_alter_table("elections") as batch:
        batch.drop_column("pii_purged_at")
        batch.drop_column("closed_at")
